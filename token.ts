/**
 * Everything Centrifugo v6 asks of a backend around tokens, with WebCrypto
 * only (Deno, Node 20+, Bun, Workers) and without the API client:
 *
 * - connection and subscription tokens ({@linkcode connectionToken},
 *   {@linkcode subscriptionToken}) signed HS256, RS256, ES256 or EdDSA
 *   (Ed25519), their claims checked before signing;
 * - signing keys rotated by activation time ({@linkcode KeyRing}) and the
 *   JWK Set Centrifugo verifies them with ({@linkcode jwks},
 *   {@linkcode jwksHandler} for `client.token.jwks_public_endpoint`);
 * - the endpoints centrifuge-js's `getToken` callbacks fetch
 *   ({@linkcode connectionTokenEndpoint}, {@linkcode subscriptionTokenEndpoint});
 * - shared-poll signatures ({@linkcode sharedPollSignature}) and the endpoint
 *   of a `SharedPollSubscription`'s `getSignature`
 *   ({@linkcode sharedPollSignatureEndpoint});
 * - tokens for Centrifugo PRO's JWKS-protected server API ({@linkcode apiToken}).
 *
 * Handlers are Web-standard `(request) => Promise<Response>`; under
 * `node:http` (and Express) wrap them in `toNodeHandler` from
 * `@aiocent/aiocent/node`. Every mistake in claims, options or keys is a
 * `TypeError` whose message never holds a key or secret; every token must
 * expire unless it says `expiresIn: "never"`.
 *
 * @example Sign, publish and serve
 * ```ts
 * import { connectionToken, jwksHandler, KeyRing } from "@aiocent/aiocent/token";
 *
 * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const ring = await KeyRing.create([{ kid: "2025-06", key: pair }], { maxTokenLifetime: 3600 });
 * const token = await connectionToken({ sub: "42" }, ring, { expiresIn: 600 });
 * const serveJwks = jwksHandler(ring); // at client.token.jwks_public_endpoint
 * console.log(token.length > 0, (await serveJwks(new Request("http://localhost/jwks"))).status);
 * ```
 *
 * @module
 */

export { connectionToken, importTokenKey, subscriptionToken } from "./src/_token/tokens.ts";
export type {
  ConnectionTokenClaims,
  SubscriptionTokenClaims,
  TokenOptions,
  TokenSubscription,
} from "./src/_token/claims.ts";
export type { TokenAlgorithm, TokenKey } from "./src/_token/keys.ts";
export {
  type ActiveKey,
  KeyRing,
  type KeyRingOptions,
  type RingKey,
} from "./src/_token/key_ring.ts";
export type { JsonWebKeySet, PublicJwk, PublishedKey } from "./src/_token/public_jwk.ts";
export { jwks, jwksHandler, type JwksHandlerOptions } from "./src/_token/jwks.ts";
export { apiToken, type ApiTokenClaims, type ApiTokenOptions } from "./src/_token/api_token.ts";
export {
  type SharedPollGrant,
  type SharedPollSecret,
  sharedPollSignature,
  type SharedPollSignatureOptions,
} from "./src/_token/shared_poll.ts";
export {
  type Awaitable,
  connectionTokenEndpoint,
  type ConnectionTokenEndpointOptions,
  type EndpointErrorHandler,
  type SharedPollAccess,
  sharedPollSignatureEndpoint,
  type SharedPollSignatureEndpointOptions,
  type SubscriptionGrant,
  subscriptionTokenEndpoint,
  type SubscriptionTokenEndpointOptions,
} from "./src/_token/endpoints.ts";
export type { WebHandler } from "./src/_http/node.ts";
