// What a token says, checked before anything is signed: the claims Centrifugo
// v6 reads (by their snake_case names), the signing options, and the expiry.
// Unknown names are rejected, as a typo would otherwise sign a valid token
// that silently lacks the claim; a token without exp must be asked for.

import type { SubscribeOptionOverride } from "../types.ts";
import { describe, isPlainObject } from "../_validate.ts";
import { BASE64 } from "./base64.ts";
import { checkAlgorithm, type TokenAlgorithm } from "./keys.ts";

/**
 * How a token is signed, besides its claims.
 *
 * @example A token valid for 10 minutes, with a key ID
 * ```ts
 * import type { TokenOptions } from "@aiocent/aiocent/token";
 *
 * const options: TokenOptions = { expiresIn: 600, keyId: "2024-05" };
 * ```
 */
export interface TokenOptions {
  /**
   * The algorithm. By default it follows from the key: a secret string or
   * bytes sign HS256, an RSA key RS256, a P-256 EC key ES256, an Ed25519 key
   * EdDSA. When given, a key of another kind is rejected.
   */
  algorithm?: TokenAlgorithm;
  /**
   * Sets `exp` to now plus this many seconds (a positive integer). Cannot be
   * combined with an `exp` claim. Every token needs one of the two, or
   * `"never"`: a token that never expires must be asked for by name, since
   * anyone holding it can connect (or subscribe) with it for good.
   */
  expiresIn?: number | "never";
  /**
   * The `kid` header, which Centrifugo uses to pick the key from a JWKS
   * endpoint. A {@linkcode KeyRing} writes it itself.
   */
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
 * import type { TokenSubscription } from "@aiocent/aiocent/token";
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
 * import type { ConnectionTokenClaims } from "@aiocent/aiocent/token";
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
 * import type { SubscriptionTokenClaims } from "@aiocent/aiocent/token";
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

type ClaimKind =
  | "user"
  | "scope"
  | "channel"
  | "string"
  | "time"
  | "audience"
  | "json"
  | "base64"
  | "channels"
  | "subs"
  | "override";

/** Claim names, each with how its value is checked. */
export type ClaimSpec = Readonly<Record<string, ClaimKind>>;

const REGISTERED: ClaimSpec = {
  sub: "user",
  exp: "time",
  iat: "time",
  nbf: "time",
  jti: "string",
  aud: "audience",
  iss: "string",
};

/** The claims of a connection token. */
export const CONNECTION_CLAIMS: ClaimSpec = {
  ...REGISTERED,
  info: "json",
  b64info: "base64",
  channels: "channels",
  subs: "subs",
  meta: "json",
  expire_at: "time",
};

/** The claims of a subscription token. */
export const SUBSCRIPTION_CLAIMS: ClaimSpec = {
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

/** The claims of a Centrifugo PRO server API token. */
export const API_CLAIMS: ClaimSpec = {
  sub: "string",
  exp: "time",
  iat: "time",
  nbf: "time",
  jti: "string",
  aud: "audience",
  iss: "string",
  scope: "scope",
};

/** The options every token function takes. */
export const TOKEN_OPTIONS: readonly string[] = ["algorithm", "expiresIn", "keyId", "userIdClaim"];
/** Times from here on are taken for milliseconds by mistake (year 5138). */
export const MAX_SECONDS = 1e11;

/** The `TokenOptions` given, checked. */
export interface CheckedOptions {
  algorithm?: TokenAlgorithm;
  expiresIn?: number | "never";
  keyId?: string;
  userIdClaim?: string;
}

/**
 * Checks the options of a token function; `undefined` stands for none. `known`
 * are the option names the function takes.
 */
export function checkOptions(
  fn: string,
  options: unknown,
  known: readonly string[] = TOKEN_OPTIONS,
): CheckedOptions {
  if (options === undefined) return {};
  if (!isPlainObject(options)) fail(fn, "options", "a plain object", options);
  for (const name in options) {
    if (!known.includes(name)) {
      throw new TypeError(`${fn}: unknown option ${name}; known options: ${known.join(", ")}`);
    }
  }
  const { algorithm, expiresIn, keyId, userIdClaim } = options;
  const checked: CheckedOptions = {};
  if (algorithm !== undefined) checked.algorithm = checkAlgorithm(fn, algorithm);
  if (expiresIn !== undefined) {
    if (
      expiresIn !== "never" && (!Number.isSafeInteger(expiresIn) || (expiresIn as number) <= 0)
    ) {
      fail(fn, "option expiresIn", 'a positive integer (seconds) or "never"', expiresIn);
    }
    checked.expiresIn = expiresIn as number | "never";
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

/**
 * Checks the claims against `spec` and returns the payload to sign: the
 * defined claims, with `iat`, `exp` (from `expiresIn`) and the user ID claim
 * name applied. A token gets an `exp` unless `expiresIn` is `"never"`.
 */
export function checkClaims(
  fn: string,
  spec: ClaimSpec,
  claims: unknown,
  options: CheckedOptions,
): Record<string, unknown> {
  if (!isPlainObject(claims)) fail(fn, "claims", "a plain object", claims);
  const payload: Record<string, unknown> = {};
  checkFields(fn, "claim", spec, claims, payload);
  if (spec !== API_CLAIMS && !("sub" in payload)) {
    fail(fn, "claim sub", 'a string ("" for anonymous)', undefined);
  }
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
  if (options.expiresIn !== undefined && "exp" in payload) {
    throw new TypeError(`${fn}: give either the exp claim or the expiresIn option, not both`);
  }
  if (typeof options.expiresIn === "number") payload.exp = now + options.expiresIn;
  else if (options.expiresIn === undefined && !("exp" in payload)) {
    throw new TypeError(
      `${fn}: the token would never expire; give the exp claim or the expiresIn option ` +
        '(seconds), or expiresIn: "never" if it really must not expire',
    );
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
    case "scope":
      if (
        !(typeof value === "string" ? [value] : Array.isArray(value) ? value : [undefined]).every(
          (scope) => typeof scope === "string" && /^[\x21-\x7e]+$/.test(scope),
        ) || (Array.isArray(value) && value.length === 0)
      ) {
        fail(
          fn,
          what,
          "a scope or a non-empty array of scopes, each printable ASCII without spaces",
          value,
        );
      }
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

function checkJson(fn: string, what: string, value: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // A cycle or a BigInt.
  }
  if (text === undefined) fail(fn, what, "a JSON-serializable value", value);
}

// The shared describe, except that bytes are named as such (a secret or key
// given as bytes where something else is expected), not "a value of type object".
function describeValue(value: unknown): string {
  return value instanceof Uint8Array ? "a Uint8Array" : describe(value);
}

function fail(fn: string, what: string, expected: string, value: unknown): never {
  throw new TypeError(`${fn}: ${what} must be ${expected}, got ${describeValue(value)}`);
}
