/**
 * Signing the JWTs that Centrifugo v6 accepts from its clients: connection
 * tokens ({@linkcode connectionToken}) and subscription tokens
 * ({@linkcode subscriptionToken}), with HS256, RS256, ES256 or EdDSA
 * (Ed25519), with WebCrypto only (Deno, Node 20+, Bun, Workers) and without
 * the API client. Every mistake in claims, options or keys is a `TypeError`
 * whose message never holds a key or secret; every token must expire unless
 * it says `expiresIn: "never"`.
 *
 * @example An Ed25519 token
 * ```ts
 * import { connectionToken } from "@aiocent/aiocent/token";
 *
 * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const token = await connectionToken({ sub: "42" }, pair.privateKey, { expiresIn: 600, keyId: "k1" });
 * console.log(token.split(".").length); // 3
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
