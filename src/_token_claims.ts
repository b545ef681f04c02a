// What a token says, checked before anything is signed: the claims Centrifugo
// v6 reads (by their snake_case names), the signing options and the algorithm
// names. Unknown names are rejected, as a typo would otherwise sign a valid
// token that silently lacks the claim.

import type { TokenAlgorithm } from "./token.ts";
import { describe, isPlainObject } from "./_validate.ts";

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

const OPTIONS = ["algorithm", "expiresIn", "keyId", "userIdClaim"];
const ALGORITHMS: readonly TokenAlgorithm[] = ["HS256", "RS256", "ES256"];
/** Times from here on are taken for milliseconds by mistake (year 5138). */
const MAX_SECONDS = 1e11;

/** The `TokenOptions` given, checked. */
export interface CheckedOptions {
  algorithm?: TokenAlgorithm;
  expiresIn?: number;
  keyId?: string;
  userIdClaim?: string;
}

/** Checks the options of a token function; `undefined` stands for none. */
export function checkOptions(fn: string, options: unknown): CheckedOptions {
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

/** Checks an algorithm name. */
export function checkAlgorithm(fn: string, value: unknown): TokenAlgorithm {
  if (!ALGORITHMS.includes(value as TokenAlgorithm)) {
    fail(fn, "algorithm", `one of ${ALGORITHMS.join(", ")}`, value);
  }
  return value as TokenAlgorithm;
}

/**
 * Checks the claims against `spec` and returns the payload to sign: the
 * defined claims, with `iat`, `exp` (from `expiresIn`) and the user ID claim
 * name applied.
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

/** Standard base64 with its padding: what Centrifugo decodes, and what PEM bodies hold. */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

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
