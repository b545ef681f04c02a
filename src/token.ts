/**
 * Signing the JWTs that Centrifugo v6 accepts from its clients: connection
 * tokens ({@linkcode connectionToken}) and subscription tokens
 * ({@linkcode subscriptionToken}), with HS256, RS256 or ES256.
 *
 * Only WebCrypto (`crypto.subtle`) is used, so this works unchanged on Deno,
 * Node 20+, Bun and in workers. Claims keep Centrifugo's snake_case names, are
 * checked before anything is signed, and unknown claim names are rejected: a
 * typo would otherwise produce a valid token that silently lacks the claim.
 * Every mistake in claims, options or keys rejects with a `TypeError` whose
 * message never contains the key or secret.
 *
 * @module
 */

import type { SubscribeOptionOverride } from "./types.ts";
import {
  checkClaims,
  checkOptions,
  type ClaimSpec,
  CONNECTION_CLAIMS,
  SUBSCRIPTION_CLAIMS,
} from "./_token_claims.ts";
import { signer } from "./_token_keys.ts";

/**
 * A JWS algorithm a token can be signed with. Centrifugo enables each one when
 * the matching key is configured: `client.token.hmac_secret_key` for HS256,
 * `rsa_public_key` for RS256, `ecdsa_public_key` (P-256) for ES256.
 *
 * @example Force RS256 for a JWK
 * ```ts
 * import type { TokenAlgorithm } from "@aiocent/aiocent";
 *
 * const algorithm: TokenAlgorithm = "RS256";
 * ```
 */
export type TokenAlgorithm = "HS256" | "RS256" | "ES256";

/**
 * A key to sign tokens with:
 *
 * - HS256: the shared secret, as a string (its UTF-8 bytes, exactly as
 *   Centrifugo reads `hmac_secret_key`) or as bytes;
 * - RS256 / ES256: the private key as PEM (PKCS#8 `PRIVATE KEY`; PKCS#1
 *   `RSA PRIVATE KEY` and SEC1 `EC PRIVATE KEY` are converted), as a private
 *   JWK, or as a `CryptoKey` that can `sign`;
 * - any algorithm: a `CryptoKey` from {@linkcode importTokenKey}, which saves
 *   parsing the key again for every token.
 *
 * @example The three kinds of keys
 * ```ts
 * import type { TokenKey } from "@aiocent/aiocent";
 *
 * const secret: TokenKey = "my-hmac-secret";
 * const pem: TokenKey = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n";
 * const pair = await crypto.subtle.generateKey(
 *   { name: "ECDSA", namedCurve: "P-256" },
 *   false,
 *   ["sign", "verify"],
 * );
 * const cryptoKey: TokenKey = pair.privateKey;
 * console.log(secret, pem, cryptoKey);
 * ```
 */
export type TokenKey = string | Uint8Array | JsonWebKey | CryptoKey;

/**
 * How a token is signed, besides its claims.
 *
 * @example A token valid for 10 minutes, with a key ID
 * ```ts
 * import type { TokenOptions } from "@aiocent/aiocent";
 *
 * const options: TokenOptions = { expiresIn: 600, keyId: "2024-05" };
 * ```
 */
export interface TokenOptions {
  /**
   * The algorithm. By default it follows from the key: a secret string or
   * bytes sign HS256, an RSA key RS256, a P-256 EC key ES256. When given, a
   * key of another kind is rejected.
   */
  algorithm?: TokenAlgorithm;
  /**
   * Sets `exp` to now plus this many seconds (a positive integer). Cannot be
   * combined with an `exp` claim.
   */
  expiresIn?: number;
  /** The `kid` header, which Centrifugo uses to pick the key from a JWKS endpoint. */
  keyId?: string;
  /**
   * Writes the user ID (`sub`) under this claim name instead, for a
   * Centrifugo configured with the same `client.token.user_id_claim`. A
   * top-level claim name of letters and `_` (what Centrifugo accepts) that is not one of
   * the claims Centrifugo reads.
   */
  userIdClaim?: string;
}

/**
 * Options of one server-side subscription in the `subs` claim of a connection
 * token.
 *
 * @example Subscribe to a channel on connect, without join/leave messages
 * ```ts
 * import type { TokenSubscription } from "@aiocent/aiocent";
 *
 * const sub: TokenSubscription = { info: { role: "reader" }, override: { join_leave: { value: false } } };
 * ```
 */
export interface TokenSubscription {
  /** Channel info (any JSON), shown in presence and join/leave messages. */
  info?: unknown;
  /** Channel info as standard base64 (binary); not together with `info`. */
  b64info?: string;
  /** Custom data (any JSON) the client receives with the subscription. */
  data?: unknown;
  /** Custom data as standard base64 (binary); not together with `data`. */
  b64data?: string;
  /** Overrides of the channel's namespace options. */
  override?: SubscribeOptionOverride;
}

/**
 * The claims of a connection token, named as Centrifugo v6 reads them. Times
 * are Unix seconds (integers). Any other claim name is rejected.
 *
 * @example A token for user 42 with connection info
 * ```ts
 * import type { ConnectionTokenClaims } from "@aiocent/aiocent";
 *
 * const claims: ConnectionTokenClaims = { sub: "42", info: { name: "Alice" }, channels: ["news"] };
 * ```
 */
export interface ConnectionTokenClaims {
  /** The user ID; `""` connects anonymously. */
  sub: string;
  /** When the token expires. Also when the connection expires, unless `expire_at` is set. */
  exp?: number;
  /** When the token was issued; defaults to now. */
  iat?: number;
  /** The token is not valid before this time (Centrifugo then answers "token expired"). */
  nbf?: number;
  /** A unique token ID. */
  jti?: string;
  /** Audience, checked when Centrifugo has `client.token.audience` set. */
  aud?: string | string[];
  /** Issuer, checked when Centrifugo has `client.token.issuer` set. */
  iss?: string;
  /** Connection info (any JSON), shown in presence and publications. */
  info?: unknown;
  /** Connection info as standard base64 (binary); not together with `info`. */
  b64info?: string;
  /** Channels to subscribe the connection to server-side; not together with `subs`. */
  channels?: string[];
  /** Channels to subscribe to server-side, with options; not together with `channels`. */
  subs?: Record<string, TokenSubscription>;
  /** Data (any JSON) attached to the connection, visible to the backend only (proxies). */
  meta?: unknown;
  /**
   * When the connection expires, instead of `exp`; `0` means never, even if
   * `exp` is set (the token is still rejected at connect after `exp`).
   */
  expire_at?: number;
}

/**
 * The claims of a subscription token, named as Centrifugo v6 reads them.
 * Times are Unix seconds (integers). Any other claim name is rejected.
 *
 * @example A token that lets user 42 subscribe to a private channel
 * ```ts
 * import type { SubscriptionTokenClaims } from "@aiocent/aiocent";
 *
 * const claims: SubscriptionTokenClaims = { sub: "42", channel: "$private:42", info: { role: "owner" } };
 * ```
 */
export interface SubscriptionTokenClaims {
  /**
   * The user ID; it must equal the connection's user (`""` for anonymous
   * connections), or Centrifugo disconnects the client with 3500 "invalid token".
   */
  sub: string;
  /** The channel; it must equal the channel the client subscribes to. */
  channel: string;
  /** When the token expires. Also when the subscription expires, unless `expire_at` is set. */
  exp?: number;
  /** When the token was issued; defaults to now. */
  iat?: number;
  /** The token is not valid before this time. */
  nbf?: number;
  /** A unique token ID. */
  jti?: string;
  /** Audience, checked when Centrifugo has an audience configured. */
  aud?: string | string[];
  /** Issuer, checked when Centrifugo has an issuer configured. */
  iss?: string;
  /** Channel info (any JSON), shown in presence and join/leave messages. */
  info?: unknown;
  /** Channel info as standard base64 (binary); not together with `info`. */
  b64info?: string;
  /** Custom data (any JSON) the client receives in the subscribe reply. */
  data?: unknown;
  /** Custom data as standard base64 (binary); not together with `data`. */
  b64data?: string;
  /** Overrides of the channel's namespace options. */
  override?: SubscribeOptionOverride;
  /** When the subscription expires, instead of `exp`; `0` means never. */
  expire_at?: number;
  /** Only this client (connection) ID may use the token (a Centrifugo v3 claim, still read). */
  client?: string;
}

/**
 * Signs a connection token: the JWT a client passes to Centrifugo to connect
 * as user `sub`. `iat` defaults to now; without `exp` (or `expiresIn`) the
 * token never expires.
 *
 * @param claims The claims; `sub` is required.
 * @param key The secret (HS256) or private key (RS256, ES256); see {@linkcode TokenKey}.
 * @param options Algorithm, `expiresIn`, `keyId` and `userIdClaim`.
 * @returns The compact JWT.
 * @throws {TypeError} A claim, option or the key is invalid (the promise rejects).
 *
 * @example HS256 token valid for an hour
 * ```ts
 * import { connectionToken } from "@aiocent/aiocent";
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
 * import { connectionToken } from "@aiocent/aiocent";
 *
 * const privateKeyPem = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n";
 * const token = await connectionToken({ sub: "42" }, privateKeyPem, { expiresIn: 600 });
 * console.log(token);
 * ```
 */
export async function connectionToken(
  claims: ConnectionTokenClaims,
  key: TokenKey,
  options?: TokenOptions,
): Promise<string> {
  return await sign("connectionToken", CONNECTION_CLAIMS, claims, key, options);
}

/**
 * Signs a subscription token: the JWT a client passes to Centrifugo to
 * subscribe to `channel` when the channel needs one (private channels, whose
 * names start with `$`, and namespaces without `allow_subscribe_for_client`).
 * `iat` defaults to now; without `exp` (or `expiresIn`) the token never expires.
 *
 * Centrifugo verifies it with `client.subscription_token` keys when that is
 * enabled, otherwise with the connection token keys.
 *
 * @param claims The claims; `sub` (the connection's user) and `channel` are required.
 * @param key The secret (HS256) or private key (RS256, ES256); see {@linkcode TokenKey}.
 * @param options Algorithm, `expiresIn`, `keyId` and `userIdClaim`.
 * @returns The compact JWT.
 * @throws {TypeError} A claim, option or the key is invalid (the promise rejects).
 *
 * @example Token for a private channel, valid for 10 minutes
 * ```ts
 * import { subscriptionToken } from "@aiocent/aiocent";
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
  key: TokenKey,
  options?: TokenOptions,
): Promise<string> {
  return await sign("subscriptionToken", SUBSCRIPTION_CLAIMS, claims, key, options);
}

/**
 * Imports a key once for signing many tokens: parsing a PEM or JWK and
 * importing it into WebCrypto costs more than signing. The result is a
 * non-extractable `CryptoKey` that {@linkcode connectionToken} and
 * {@linkcode subscriptionToken} accept with its algorithm.
 *
 * @param key The secret (HS256) or private key (RS256, ES256); see {@linkcode TokenKey}.
 * @param algorithm The algorithm; by default it follows from the key.
 * @returns A `CryptoKey` usable to `sign`.
 * @throws {TypeError} The key is invalid or does not fit the algorithm (the promise rejects).
 *
 * @example Import an EC key once, sign many tokens
 * ```ts no-run
 * import { connectionToken, importTokenKey } from "@aiocent/aiocent";
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

/** Checks everything, then signs: no key is imported for a token that would be rejected. */
async function sign(
  fn: string,
  spec: ClaimSpec,
  claims: unknown,
  key: unknown,
  options: unknown,
): Promise<string> {
  const opts = checkOptions(fn, options);
  const payload = checkClaims(fn, spec, claims, opts);
  const { alg, key: cryptoKey } = await signer(fn, key, opts.algorithm);
  const header: Record<string, string> = { alg, typ: "JWT" };
  if (opts.keyId !== undefined) header.kid = opts.keyId;
  const input = `${b64url(encoder.encode(JSON.stringify(header)))}.${
    b64url(encoder.encode(JSON.stringify(payload)))
  }`;
  const params = alg === "ES256"
    ? { name: "ECDSA", hash: "SHA-256" }
    : alg === "RS256"
    ? { name: "RSASSA-PKCS1-v1_5" }
    : { name: "HMAC" };
  const signature = new Uint8Array(
    await crypto.subtle.sign(params, cryptoKey, encoder.encode(input)),
  );
  // JWS wants ECDSA signatures as r || s (32 bytes each for P-256), which is
  // what WebCrypto returns; Centrifugo rejects any other length.
  if (alg === "ES256" && signature.length !== 64) {
    throw new Error(`${fn}: unexpected ECDSA signature of ${signature.length} bytes`);
  }
  return `${input}.${b64url(signature)}`;
}

const encoder = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
