// The connection and subscription tokens Centrifugo's clients connect and
// subscribe with, and the import of a key once for many of them.

import {
  CONNECTION_CLAIMS,
  type ConnectionTokenClaims,
  SUBSCRIPTION_CLAIMS,
  type SubscriptionTokenClaims,
  type TokenOptions,
} from "./claims.ts";
import type { KeyRing } from "./key_ring.ts";
import { signer, type TokenAlgorithm, type TokenKey } from "./keys.ts";
import { signToken } from "./sign.ts";

/**
 * Signs a connection token: the JWT a client passes to Centrifugo to connect
 * as user `sub`. `iat` defaults to now. It needs an `exp` claim or the
 * `expiresIn` option; `expiresIn: "never"` signs a token that never expires.
 *
 * @param claims The claims; `sub` is required.
 * @param key The secret (HS256), the private key (RS256, ES256, EdDSA; see
 *   {@linkcode TokenKey}), or a {@linkcode KeyRing}, which signs with its
 *   active key and writes its `kid`.
 * @param options Algorithm, `expiresIn`, `keyId` and `userIdClaim`.
 * @returns The compact JWT.
 * @throws {TypeError} A claim, option or the key is invalid (the promise rejects).
 *
 * @example HS256 token valid for an hour
 * ```ts
 * import { connectionToken } from "@aiocent/aiocent/token";
 *
 * const token = await connectionToken({ sub: "42", info: { name: "Alice" } }, "my-hmac-secret", {
 *   expiresIn: 3600,
 * });
 * // Hand it to the client SDK: new Centrifuge(url, { token }).
 * console.log(token);
 * ```
 *
 * @example RS256 token from a PEM private key
 * ```ts no-run
 * import { connectionToken } from "@aiocent/aiocent/token";
 *
 * const privateKeyPem = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n";
 * const token = await connectionToken({ sub: "42" }, privateKeyPem, { expiresIn: 600 });
 * console.log(token);
 * ```
 */
export async function connectionToken(
  claims: ConnectionTokenClaims,
  key: TokenKey | KeyRing,
  options?: TokenOptions,
): Promise<string> {
  return await signToken("connectionToken", CONNECTION_CLAIMS, claims, key, options);
}

/**
 * Signs a subscription token: the JWT a client passes to Centrifugo to
 * subscribe to `channel` when the channel needs one (private channels, whose
 * names start with `$`, and namespaces without `allow_subscribe_for_client`).
 * `iat` defaults to now. It needs an `exp` claim or the `expiresIn` option;
 * `expiresIn: "never"` signs a token that never expires.
 *
 * Centrifugo verifies it with `client.subscription_token` keys when that is
 * enabled, otherwise with the connection token keys (its JWKS endpoint
 * included).
 *
 * @param claims The claims; `sub` (the connection's user) and `channel` are required.
 * @param key The secret (HS256), the private key (RS256, ES256, EdDSA; see
 *   {@linkcode TokenKey}), or a {@linkcode KeyRing}.
 * @param options Algorithm, `expiresIn`, `keyId` and `userIdClaim`.
 * @returns The compact JWT.
 * @throws {TypeError} A claim, option or the key is invalid (the promise rejects).
 *
 * @example Token for a private channel, valid for 10 minutes
 * ```ts
 * import { subscriptionToken } from "@aiocent/aiocent/token";
 *
 * const token = await subscriptionToken({ sub: "42", channel: "$orders:42" }, "my-hmac-secret", {
 *   expiresIn: 600,
 * });
 * // Client side: centrifuge.newSubscription("$orders:42", { token }).
 * console.log(token);
 * ```
 */
export async function subscriptionToken(
  claims: SubscriptionTokenClaims,
  key: TokenKey | KeyRing,
  options?: TokenOptions,
): Promise<string> {
  return await signToken("subscriptionToken", SUBSCRIPTION_CLAIMS, claims, key, options);
}

/**
 * Imports a key once for signing many tokens: parsing a PEM or JWK and
 * importing it into WebCrypto costs more than signing. The result is a
 * non-extractable `CryptoKey` that {@linkcode connectionToken} and
 * {@linkcode subscriptionToken} accept with its algorithm.
 *
 * @param key The secret (HS256) or private key (RS256, ES256, EdDSA); see {@linkcode TokenKey}.
 * @param algorithm The algorithm; by default it follows from the key.
 * @returns A `CryptoKey` usable to `sign`.
 * @throws {TypeError} The key is invalid or does not fit the algorithm (the promise rejects).
 *
 * @example Import an EC key once, sign many tokens
 * ```ts no-run
 * import { connectionToken, importTokenKey } from "@aiocent/aiocent/token";
 *
 * const pem = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n";
 * const key = await importTokenKey(pem, "ES256");
 * const tokens = await Promise.all(
 *   ["1", "2", "3"].map((sub) => connectionToken({ sub }, key, { expiresIn: 3600 })),
 * );
 * console.log(tokens);
 * ```
 */
export async function importTokenKey(
  key: TokenKey,
  algorithm?: TokenAlgorithm,
): Promise<CryptoKey> {
  return (await signer("importTokenKey", key, algorithm)).key;
}
