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

// ---------------------------------------------------------------------------
// Claims

type ClaimKind =
  | "user"
  | "channel"
  | "string"
  | "time"
  | "audience"
  | "json"
  | "base64"
  | "channels"
  | "subs"
  | "override";

type ClaimSpec = Readonly<Record<string, ClaimKind>>;

const REGISTERED: ClaimSpec = {
  sub: "user",
  exp: "time",
  iat: "time",
  nbf: "time",
  jti: "string",
  aud: "audience",
  iss: "string",
};

const CONNECTION_CLAIMS: ClaimSpec = {
  ...REGISTERED,
  info: "json",
  b64info: "base64",
  channels: "channels",
  subs: "subs",
  meta: "json",
  expire_at: "time",
};

const SUBSCRIPTION_CLAIMS: ClaimSpec = {
  ...REGISTERED,
  channel: "channel",
  info: "json",
  b64info: "base64",
  data: "json",
  b64data: "base64",
  override: "override",
  expire_at: "time",
  client: "string",
};

const SUBS_FIELDS: ClaimSpec = {
  info: "json",
  b64info: "base64",
  data: "json",
  b64data: "base64",
  override: "override",
};

const OVERRIDE_FIELDS = [
  "presence",
  "join_leave",
  "force_push_join_leave",
  "force_positioning",
  "force_recovery",
];

const OPTIONS = ["algorithm", "expiresIn", "keyId", "userIdClaim"];
const ALGORITHMS: readonly TokenAlgorithm[] = ["HS256", "RS256", "ES256"];
/** Times from here on are taken for milliseconds by mistake (year 5138). */
const MAX_SECONDS = 1e11;

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

interface CheckedOptions {
  algorithm?: TokenAlgorithm;
  expiresIn?: number;
  keyId?: string;
  userIdClaim?: string;
}

function checkOptions(fn: string, options: unknown): CheckedOptions {
  if (options === undefined) return {};
  if (!isPlainObject(options)) fail(fn, "options", "a plain object", options);
  for (const name in options) {
    if (!OPTIONS.includes(name)) {
      throw new TypeError(`${fn}: unknown option ${name}; known options: ${OPTIONS.join(", ")}`);
    }
  }
  const { algorithm, expiresIn, keyId, userIdClaim } = options;
  const checked: CheckedOptions = {};
  if (algorithm !== undefined) checked.algorithm = checkAlgorithm(fn, algorithm);
  if (expiresIn !== undefined) {
    if (!Number.isSafeInteger(expiresIn) || (expiresIn as number) <= 0) {
      fail(fn, "option expiresIn", "a positive integer (seconds)", expiresIn);
    }
    checked.expiresIn = expiresIn as number;
  }
  if (keyId !== undefined) {
    if (typeof keyId !== "string" || keyId === "") {
      fail(fn, "option keyId", "a non-empty string", keyId);
    }
    checked.keyId = keyId;
  }
  if (userIdClaim !== undefined) {
    if (typeof userIdClaim !== "string" || !/^[A-Za-z_]+$/.test(userIdClaim)) {
      fail(
        fn,
        "option userIdClaim",
        "a claim name of letters and _ (as Centrifugo allows)",
        userIdClaim,
      );
    }
    if (
      userIdClaim !== "sub" &&
      (userIdClaim in CONNECTION_CLAIMS || userIdClaim in SUBSCRIPTION_CLAIMS)
    ) {
      throw new TypeError(
        `${fn}: option userIdClaim cannot be ${userIdClaim}, a claim Centrifugo reads itself`,
      );
    }
    checked.userIdClaim = userIdClaim;
  }
  return checked;
}

function checkAlgorithm(fn: string, value: unknown): TokenAlgorithm {
  if (!ALGORITHMS.includes(value as TokenAlgorithm)) {
    fail(fn, "algorithm", `one of ${ALGORITHMS.join(", ")}`, value);
  }
  return value as TokenAlgorithm;
}

function checkClaims(
  fn: string,
  spec: ClaimSpec,
  claims: unknown,
  options: CheckedOptions,
): Record<string, unknown> {
  if (!isPlainObject(claims)) fail(fn, "claims", "a plain object", claims);
  const payload: Record<string, unknown> = {};
  checkFields(fn, "claim", spec, claims, payload);
  if (!("sub" in payload)) fail(fn, "claim sub", 'a string ("" for anonymous)', undefined);
  if (spec === SUBSCRIPTION_CLAIMS && !("channel" in payload)) {
    fail(fn, "claim channel", "a non-empty string", undefined);
  }
  const channels = payload.channels as unknown[] | undefined;
  const subs = payload.subs as Record<string, unknown> | undefined;
  if (channels?.length && subs && Object.keys(subs).length > 0) {
    throw new TypeError(
      `${fn}: claims channels and subs cannot be combined: Centrifugo ignores channels when subs is set`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  payload.iat ??= now;
  if (options.expiresIn !== undefined) {
    if ("exp" in payload) {
      throw new TypeError(`${fn}: give either the exp claim or the expiresIn option, not both`);
    }
    payload.exp = now + options.expiresIn;
  }
  if (options.userIdClaim !== undefined && options.userIdClaim !== "sub") {
    const { sub, ...rest } = payload;
    return { [options.userIdClaim]: sub, ...rest };
  }
  return payload;
}

/** Copies the defined fields of `source` into `target`, checking each against `spec`. */
function checkFields(
  fn: string,
  what: string,
  spec: ClaimSpec,
  source: Record<string, unknown>,
  target: Record<string, unknown>,
): void {
  for (const name in source) {
    const kind = spec[name];
    if (kind === undefined) throw new TypeError(unknownClaim(fn, what, name, spec));
    const value = source[name];
    if (value === undefined) continue;
    checkClaim(fn, `${what} ${name}`, kind, value);
    target[name] = value;
  }
  for (const [json, b64] of [["info", "b64info"], ["data", "b64data"]] as const) {
    if (target[json] !== undefined && target[b64] !== undefined) {
      throw new TypeError(
        `${fn}: ${what}s ${json} and ${b64} cannot be combined: Centrifugo ignores ${json} when ${b64} is set`,
      );
    }
  }
}

function unknownClaim(fn: string, what: string, name: string, spec: ClaimSpec): string {
  const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  let hint = snake !== name && snake in spec ? ` (did you mean ${snake}?)` : "";
  if (name === "channel" && spec === CONNECTION_CLAIMS) {
    hint = " (Centrifugo rejects connection tokens with a channel claim; " +
      "use subscriptionToken for a channel, or channels/subs to subscribe on connect)";
  }
  return `${fn}: unknown ${what} ${name}${hint}; Centrifugo reads only ${
    Object.keys(spec).join(", ")
  }`;
}

function checkClaim(fn: string, what: string, kind: ClaimKind, value: unknown): void {
  switch (kind) {
    case "user":
      if (typeof value !== "string") fail(fn, what, 'a string ("" for anonymous)', value);
      return;
    case "channel":
      if (typeof value !== "string" || value === "") fail(fn, what, "a non-empty string", value);
      return;
    case "string":
      if (typeof value !== "string") fail(fn, what, "a string", value);
      return;
    case "time":
      if (!Number.isSafeInteger(value) || (value as number) < 0) {
        fail(fn, what, "a non-negative integer (Unix time in seconds)", value);
      }
      if ((value as number) >= MAX_SECONDS) {
        fail(fn, what, "Unix time in seconds, not milliseconds", value);
      }
      return;
    case "audience":
      if (
        typeof value !== "string" &&
        !(Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string"))
      ) fail(fn, what, "a string or a non-empty array of strings", value);
      return;
    case "json":
      checkJson(fn, what, value);
      return;
    case "base64":
      if (typeof value !== "string" || !BASE64.test(value)) {
        fail(fn, what, "a standard (padded) base64 string", value);
      }
      return;
    case "channels":
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== "")) {
        fail(fn, what, "an array of non-empty channel names", value);
      }
      return;
    case "subs":
      if (!isPlainObject(value)) fail(fn, what, "an object of channel name to options", value);
      for (const channel in value) {
        if (channel === "") fail(fn, `${what} key`, "a non-empty channel name", channel);
        const options = value[channel];
        if (!isPlainObject(options)) fail(fn, `${what}["${channel}"]`, "a plain object", options);
        checkFields(fn, `${what}["${channel}"] field`, SUBS_FIELDS, options, {});
      }
      return;
    case "override":
      if (!isPlainObject(value)) fail(fn, what, "a plain object", value);
      for (const name in value) {
        if (!OVERRIDE_FIELDS.includes(name)) {
          throw new TypeError(
            `${fn}: unknown ${what} field ${name}; known: ${OVERRIDE_FIELDS.join(", ")}`,
          );
        }
        const field = value[name];
        if (field === undefined) continue;
        if (
          !isPlainObject(field) || typeof field.value !== "boolean" ||
          Object.keys(field).length !== 1
        ) fail(fn, `${what}.${name}`, "{ value: boolean }", field);
      }
      return;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkJson(fn: string, what: string, value: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // A cycle or a BigInt.
  }
  if (text === undefined) fail(fn, what, "a JSON-serializable value", value);
}

// ---------------------------------------------------------------------------
// Keys

interface Signer {
  alg: TokenAlgorithm;
  key: CryptoKey;
}

const SIGN_PARAMS = {
  HS256: { name: "HMAC", hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
} as const;

async function signer(fn: string, key: unknown, algorithm: unknown): Promise<Signer> {
  const wanted = algorithm === undefined ? undefined : checkAlgorithm(fn, algorithm);
  if (isCryptoKey(key)) return { alg: cryptoKeyAlgorithm(fn, key, wanted), key };
  if (key instanceof Uint8Array) return await hmacKey(fn, key, wanted);
  if (typeof key === "string") {
    if (/-----BEGIN [A-Z0-9 ]+-----/.test(key)) {
      if (wanted === "HS256") {
        throw new TypeError(`${fn}: HS256 needs the shared secret, but the key is a PEM block`);
      }
      return await pemKey(fn, key, wanted);
    }
    return await hmacKey(fn, encoder.encode(key), wanted);
  }
  if (isPlainObject(key) && typeof key.kty === "string") return await jwkKey(fn, key, wanted);
  throw new TypeError(
    `${fn}: key must be a secret (string or Uint8Array), a PEM private key, a JWK or a CryptoKey, ` +
      `got ${describe(key)}`,
  );
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return typeof CryptoKey === "function" && key instanceof CryptoKey;
}

function mismatch(fn: string, kind: string, alg: TokenAlgorithm, wanted: TokenAlgorithm): never {
  throw new TypeError(`${fn}: the key is ${kind}, which signs ${alg}, not ${wanted}`);
}

function cryptoKeyAlgorithm(
  fn: string,
  key: CryptoKey,
  wanted: TokenAlgorithm | undefined,
): TokenAlgorithm {
  const algorithm = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
  let alg: TokenAlgorithm;
  let kind: string;
  if (algorithm.name === "HMAC" && algorithm.hash?.name === "SHA-256") {
    [alg, kind] = ["HS256", "an HMAC SHA-256 CryptoKey"];
  } else if (algorithm.name === "RSASSA-PKCS1-v1_5" && algorithm.hash?.name === "SHA-256") {
    [alg, kind] = ["RS256", "an RSASSA-PKCS1-v1_5 SHA-256 CryptoKey"];
  } else if (algorithm.name === "ECDSA" && algorithm.namedCurve === "P-256") {
    [alg, kind] = ["ES256", "an ECDSA P-256 CryptoKey"];
  } else {
    const detail = algorithm.hash?.name ?? algorithm.namedCurve;
    throw new TypeError(
      `${fn}: a CryptoKey for ${algorithm.name}${detail ? ` ${detail}` : ""} cannot sign tokens; ` +
        "use HMAC SHA-256 (HS256), RSASSA-PKCS1-v1_5 SHA-256 (RS256) or ECDSA P-256 (ES256)",
    );
  }
  if (wanted !== undefined && wanted !== alg) mismatch(fn, kind, alg, wanted);
  if (key.type === "public") {
    throw new TypeError(
      `${fn}: the CryptoKey is a public key; tokens are signed with the private key`,
    );
  }
  if (!key.usages.includes("sign")) {
    throw new TypeError(`${fn}: the CryptoKey cannot sign (its usages lack "sign")`);
  }
  return alg;
}

async function hmacKey(
  fn: string,
  secret: Uint8Array,
  wanted: TokenAlgorithm | undefined,
): Promise<Signer> {
  if (wanted !== undefined && wanted !== "HS256") {
    throw new TypeError(
      `${fn}: ${wanted} needs a private key (PEM, JWK or CryptoKey); the key given is a secret`,
    );
  }
  if (secret.length === 0) throw new TypeError(`${fn}: the HMAC secret is empty`);
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(secret),
    SIGN_PARAMS.HS256,
    false,
    ["sign"],
  );
  return { alg: "HS256", key };
}

async function jwkKey(
  fn: string,
  jwk: Record<string, unknown>,
  wanted: TokenAlgorithm | undefined,
): Promise<Signer> {
  const fields = (names: string[]) => {
    const picked: Record<string, unknown> = { kty: jwk.kty };
    for (const name of names) if (jwk[name] !== undefined) picked[name] = jwk[name];
    return picked as JsonWebKey;
  };
  let alg: TokenAlgorithm;
  let picked: JsonWebKey;
  let secret: "d" | "k" = "d";
  if (jwk.kty === "RSA") {
    alg = "RS256";
    picked = fields(["n", "e", "d", "p", "q", "dp", "dq", "qi"]);
  } else if (jwk.kty === "EC") {
    if (jwk.crv !== "P-256") {
      throw new TypeError(
        `${fn}: the JWK is an EC key on curve ${
          typeof jwk.crv === "string" ? jwk.crv : "(none)"
        }; ES256 needs P-256`,
      );
    }
    alg = "ES256";
    picked = fields(["crv", "x", "y", "d"]);
  } else if (jwk.kty === "oct") {
    alg = "HS256";
    secret = "k";
    picked = fields(["k"]);
  } else {
    throw new TypeError(
      `${fn}: a JWK of kty ${String(jwk.kty)} cannot sign tokens; use RSA, EC or oct`,
    );
  }
  const kind = `a JWK of kty ${jwk.kty}`;
  if (wanted !== undefined && wanted !== alg) mismatch(fn, kind, alg, wanted);
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new TypeError(`${fn}: the JWK is for alg ${String(jwk.alg)}, not ${alg}`);
  }
  if (typeof jwk[secret] !== "string" || jwk[secret] === "") {
    throw new TypeError(
      alg === "HS256"
        ? `${fn}: the oct JWK has no secret (k)`
        : `${fn}: the JWK is a public key (no "d"); tokens are signed with the private key`,
    );
  }
  return { alg, key: await importOrFail(fn, "jwk", picked, alg, kind) };
}

async function importOrFail(
  fn: string,
  format: "jwk" | "pkcs8",
  data: JsonWebKey | Uint8Array,
  alg: TokenAlgorithm,
  kind: string,
): Promise<CryptoKey> {
  try {
    return format === "jwk"
      ? await crypto.subtle.importKey("jwk", data as JsonWebKey, SIGN_PARAMS[alg], false, ["sign"])
      : await crypto.subtle.importKey(
        "pkcs8",
        new Uint8Array(data as Uint8Array),
        SIGN_PARAMS[alg],
        false,
        ["sign"],
      );
  } catch (err) {
    // The runtime's message may describe the key; only its error name is kept.
    const name = err instanceof Error ? err.name : "Error";
    throw new TypeError(`${fn}: ${kind} could not be imported as an ${alg} signing key (${name})`);
  }
}

const PRIVATE_LABELS = [
  "PRIVATE KEY",
  "RSA PRIVATE KEY",
  "EC PRIVATE KEY",
  "ENCRYPTED PRIVATE KEY",
];

async function pemKey(
  fn: string,
  pem: string,
  wanted: TokenAlgorithm | undefined,
): Promise<Signer> {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  const keys = blocks.filter((m) => PRIVATE_LABELS.includes(m[1]!));
  if (keys.length === 0) {
    const label = blocks[0]?.[1];
    if (label === undefined) throw new TypeError(`${fn}: the key is not a well-formed PEM block`);
    if (/PUBLIC KEY|CERTIFICATE/.test(label)) {
      throw new TypeError(
        `${fn}: the PEM block is a ${label}; tokens are signed with the private key ` +
          "(the public key goes into Centrifugo's config)",
      );
    }
    throw new TypeError(`${fn}: unsupported PEM block ${label}; expected PRIVATE KEY (PKCS#8)`);
  }
  if (keys.length > 1) throw new TypeError(`${fn}: the PEM text holds more than one private key`);
  const [, label, body] = keys[0] as RegExpMatchArray & [string, string, string];
  if (label === "ENCRYPTED PRIVATE KEY" || body.includes(":")) {
    throw new TypeError(`${fn}: the PEM private key is encrypted; decrypt it first`);
  }
  const base64 = body.replace(/\s+/g, "");
  if (!BASE64.test(base64) || base64 === "") {
    throw new TypeError(`${fn}: the ${label} PEM block is not valid base64`);
  }
  const der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  let pkcs8: Uint8Array;
  let alg: TokenAlgorithm;
  try {
    if (label === "PRIVATE KEY") {
      [alg, pkcs8] = [pkcs8Algorithm(fn, der), der];
    } else if (label === "RSA PRIVATE KEY") {
      expectSequence(der);
      [alg, pkcs8] = ["RS256", wrapPkcs8(RSA_ALGORITHM, der)];
    } else {
      [alg, pkcs8] = ["ES256", wrapPkcs8(sec1Algorithm(fn, der), der)];
    }
  } catch (err) {
    if (err instanceof TypeError) throw err;
    throw new TypeError(`${fn}: the ${label} PEM block is not a valid DER-encoded key`);
  }
  const kind = `${alg === "RS256" ? "an RSA" : "a P-256 EC"} private key`;
  if (wanted !== undefined && wanted !== alg) mismatch(fn, kind, alg, wanted);
  return { alg, key: await importOrFail(fn, "pkcs8", pkcs8, alg, `the ${label} PEM key`) };
}

// DER, just enough to read the algorithm of a PKCS#8 key and to wrap PKCS#1
// and SEC1 keys into PKCS#8 (the only private key format WebCrypto imports).

const OID_RSA = "2a864886f70d010101";
const OID_RSA_PSS = "2a864886f70d01010a";
const OID_EC = "2a8648ce3d0201";
const OID_P256 = "2a8648ce3d030107";
const OID_NAMES: Record<string, string> = {
  [OID_RSA_PSS]: "RSA-PSS",
  "2b81040022": "EC P-384",
  "2b81040023": "EC P-521",
  "2b8104000a": "EC secp256k1",
  "2b6570": "Ed25519",
  "2b6571": "Ed448",
  "2b656e": "X25519",
  "2b656f": "X448",
};

class DerError extends Error {}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new DerError();
  const tag = der[pos]!;
  let length = der[pos + 1]!;
  let start = pos + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new DerError();
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start++]!;
  }
  if (start + length > limit) throw new DerError();
  return { tag, start, end: start + length };
}

function expectSequence(der: Uint8Array): Tlv {
  const top = readTlv(der, 0, der.length);
  if (top.tag !== 0x30 || top.end !== der.length) throw new DerError();
  return top;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unsupported(fn: string, oid: string): never {
  const name = OID_NAMES[oid] ?? `with algorithm OID ${oid}`;
  throw new TypeError(
    `${fn}: the private key is ${name}; tokens are signed with RSA (RS256) or EC P-256 (ES256) keys`,
  );
}

function pkcs8Algorithm(fn: string, der: Uint8Array): TokenAlgorithm {
  const top = expectSequence(der);
  const version = readTlv(der, top.start, top.end);
  if (version.tag !== 0x02) throw new DerError();
  const algorithm = readTlv(der, version.end, top.end);
  if (algorithm.tag !== 0x30) throw new DerError();
  const oid = readTlv(der, algorithm.start, algorithm.end);
  if (oid.tag !== 0x06) throw new DerError();
  const id = hex(der.subarray(oid.start, oid.end));
  if (id === OID_RSA) return "RS256";
  if (id !== OID_EC) unsupported(fn, id);
  const curve = oid.end < algorithm.end ? readTlv(der, oid.end, algorithm.end) : undefined;
  if (curve?.tag !== 0x06) throw new DerError();
  const curveId = hex(der.subarray(curve.start, curve.end));
  if (curveId !== OID_P256) unsupported(fn, curveId);
  return "ES256";
}

/** The AlgorithmIdentifier of a SEC1 key, from its curve parameter. */
function sec1Algorithm(fn: string, der: Uint8Array): Uint8Array {
  const top = expectSequence(der);
  let pos = top.start;
  while (pos < top.end) {
    const field = readTlv(der, pos, top.end);
    if (field.tag === 0xa0) {
      const curve = readTlv(der, field.start, field.end);
      if (curve.tag !== 0x06) throw new DerError();
      const curveId = hex(der.subarray(curve.start, curve.end));
      if (curveId !== OID_P256) unsupported(fn, curveId);
      return encodeDer(0x30, encodeDer(0x06, fromHex(OID_EC)), encodeDer(0x06, fromHex(OID_P256)));
    }
    pos = field.end;
  }
  throw new TypeError(
    `${fn}: the EC PRIVATE KEY names no curve; convert it to PKCS#8 ("openssl pkcs8 -topk8 -nocrypt")`,
  );
}

const RSA_ALGORITHM = encodeDer(0x30, encodeDer(0x06, fromHex(OID_RSA)), encodeDer(0x05));

function wrapPkcs8(algorithm: Uint8Array, key: Uint8Array): Uint8Array {
  return encodeDer(0x30, encodeDer(0x02, Uint8Array.of(0)), algorithm, encodeDer(0x04, key));
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
}

function encodeDer(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const head = [tag];
  if (length < 0x80) head.push(length);
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    head.push(0x80 | bytes.length, ...bytes);
  }
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let offset = head.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Helpers

const encoder = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short description of a value for error messages: never a string's content. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "a Uint8Array";
  switch (typeof value) {
    case "string":
      return value === "" ? "an empty string" : "a string";
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof value} ${String(value)}`;
    case "undefined":
      return "undefined";
    default:
      return `a value of type ${typeof value}`;
  }
}

function fail(fn: string, what: string, expected: string, value: unknown): never {
  throw new TypeError(`${fn}: ${what} must be ${expected}, got ${describe(value)}`);
}
