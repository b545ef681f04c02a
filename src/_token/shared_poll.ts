// Shared-poll track signatures: what lets a user track keys of a shared-poll
// channel. Centrifugo v6.9.1 checks "<iat>:<exp>:<mac>", the mac being the
// hex HMAC-SHA256, keyed with shared_poll.hmac_secret_key, of
// iat NUL exp NUL user NUL channel NUL hex(SHA-256(keys joined by NUL)),
// with the keys in the order the client sends them (the order signed).

import { describe, isPlainObject } from "../_validate.ts";
import { hex, utf8 } from "./base64.ts";
import { MAX_SECONDS } from "./claims.ts";
import { isCryptoKey } from "./keys.ts";

/**
 * What a shared-poll signature grants: `user` may track `keys` on `channel`.
 *
 * @example Alice may track two keys
 * ```ts
 * import type { SharedPollGrant } from "@aiocent/aiocent/token";
 *
 * const grant: SharedPollGrant = { user: "alice", channel: "scores:live", keys: ["match-1", "match-2"] };
 * ```
 */
export interface SharedPollGrant {
  /** The connection's user ID (the connection token's `sub`; `""` for anonymous). */
  user: string;
  /** The shared-poll channel. */
  channel: string;
  /**
   * The keys, in the order the client will send them: the order of the
   * `keys` a `getSignature` callback returns.
   */
  keys: readonly string[];
  /** When the signature expires (Unix seconds); or use the `expiresIn` option. */
  exp?: number;
  /** When it was issued (Unix seconds); defaults to now. */
  iat?: number;
}

/**
 * Options of {@linkcode sharedPollSignature}.
 *
 * @example Five minutes
 * ```ts
 * import type { SharedPollSignatureOptions } from "@aiocent/aiocent/token";
 *
 * const options: SharedPollSignatureOptions = { expiresIn: 300 };
 * ```
 */
export interface SharedPollSignatureOptions {
  /**
   * Sets the expiry to now plus this many seconds. A signature needs it or the
   * grant's `exp`; `"never"` (written as exp 0) must be asked for by name.
   * The client asks for a new signature when one expires.
   */
  expiresIn?: number | "never";
}

/** A secret for shared-poll signatures: as Centrifugo reads its config, or imported once. */
export type SharedPollSecret = string | Uint8Array | CryptoKey;

const GRANT_FIELDS = ["user", "channel", "keys", "exp", "iat"];

/**
 * Signs a shared-poll grant: the signature with which a user's
 * `SharedPollSubscription` (centrifuge-js 5.8, Centrifugo v6.8 or newer)
 * tracks exactly `keys`, in that order, on `channel`. Centrifugo checks it
 * with `shared_poll.hmac_secret_key`: a key the signature does not cover is
 * refused (103), and so is every other key of the same track request.
 *
 * @param grant The user, the channel, the keys, and `exp` unless `expiresIn` is given.
 * @param secret `shared_poll.hmac_secret_key`, as a string (its UTF-8 bytes), bytes, or an
 *   HMAC SHA-256 `CryptoKey` that can sign.
 * @param options `expiresIn`.
 * @returns The signature, `"<iat>:<exp>:<hex mac>"`.
 * @throws {TypeError} The grant, the secret or an option is invalid (the promise rejects).
 *
 * @example Sign two keys for five minutes
 * ```ts
 * import { sharedPollSignature } from "@aiocent/aiocent/token";
 *
 * const signature = await sharedPollSignature(
 *   { user: "alice", channel: "scores:live", keys: ["match-1", "match-2"] },
 *   "shared-poll-secret",
 *   { expiresIn: 300 },
 * );
 * // getSignature: async () => ({ keys: ["match-1", "match-2"], signature })
 * console.log(signature); // e.g. "1751364000:1751364300:3f1c…"
 * ```
 */
export async function sharedPollSignature(
  grant: SharedPollGrant,
  secret: SharedPollSecret,
  options?: SharedPollSignatureOptions,
): Promise<string> {
  const fn = "sharedPollSignature";
  const { user, channel, keys, iat, exp } = checkGrant(fn, grant, options);
  const key = await importSharedPollSecret(fn, secret);
  const keysHash = hex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(keys.join("\0")))),
  );
  const payload = [String(iat), String(exp), user, channel, keysHash].join("\0");
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8(payload)));
  return `${iat}:${exp}:${hex(mac)}`;
}

/** The secret as an HMAC SHA-256 signing key. */
export async function importSharedPollSecret(
  fn: string,
  secret: unknown,
): Promise<CryptoKey> {
  if (isCryptoKey(secret)) {
    const algorithm = secret.algorithm as { name: string; hash?: { name: string } };
    if (
      algorithm.name !== "HMAC" || algorithm.hash?.name !== "SHA-256" ||
      !secret.usages.includes("sign")
    ) {
      throw new TypeError(`${fn}: the CryptoKey must be an HMAC SHA-256 key that can sign`);
    }
    return secret;
  }
  const bytes = typeof secret === "string"
    ? utf8(secret)
    : secret instanceof Uint8Array
    ? new Uint8Array(secret)
    : undefined;
  if (bytes === undefined) {
    throw new TypeError(
      `${fn}: the secret must be shared_poll.hmac_secret_key as a string, bytes or an HMAC ` +
        `CryptoKey, got ${secret instanceof Uint8Array ? "a Uint8Array" : describe(secret)}`,
    );
  }
  if (bytes.length === 0) throw new TypeError(`${fn}: the secret is empty`);
  return await crypto.subtle.importKey(
    "raw",
    bytes,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
}

/** A grant checked, with its times decided. */
interface Checked {
  user: string;
  channel: string;
  keys: readonly string[];
  iat: number;
  exp: number;
}

// NUL separates the signed fields: a value holding one could pass for others
// (["a\0b"] would sign ["a", "b"]), so none may.
const noNul = (value: string) => !value.includes("\0");

function checkGrant(fn: string, grant: unknown, options: unknown): Checked {
  if (!isPlainObject(grant)) {
    throw new TypeError(`${fn}: the grant must be a plain object { user, channel, keys }`);
  }
  for (const name in grant) {
    if (!GRANT_FIELDS.includes(name)) {
      throw new TypeError(`${fn}: unknown grant field ${name}; known: ${GRANT_FIELDS.join(", ")}`);
    }
  }
  const { user, channel, keys } = grant;
  if (typeof user !== "string" || !noNul(user)) {
    throw new TypeError(`${fn}: user must be a string ("" for anonymous) without NUL`);
  }
  if (typeof channel !== "string" || channel === "" || !noNul(channel)) {
    throw new TypeError(`${fn}: channel must be a non-empty string without NUL`);
  }
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === "string" && noNul(key))) {
    throw new TypeError(`${fn}: keys must be an array of strings without NUL`);
  }
  let expiresIn: unknown;
  if (options !== undefined) {
    if (!isPlainObject(options)) throw new TypeError(`${fn}: options must be a plain object`);
    for (const name in options) {
      if (name !== "expiresIn") {
        throw new TypeError(`${fn}: unknown option ${name}; known options: expiresIn`);
      }
    }
    expiresIn = options.expiresIn;
  }
  const now = Math.floor(Date.now() / 1000);
  const iat = grant.iat === undefined ? now : time(fn, "iat", grant.iat);
  let exp: number;
  if (expiresIn !== undefined && grant.exp !== undefined) {
    throw new TypeError(`${fn}: give either the grant's exp or the expiresIn option, not both`);
  }
  if (expiresIn === "never") exp = 0;
  else if (expiresIn !== undefined) {
    if (!Number.isSafeInteger(expiresIn) || (expiresIn as number) <= 0) {
      throw new TypeError(
        `${fn}: option expiresIn must be a positive integer (seconds) or "never"`,
      );
    }
    exp = now + (expiresIn as number);
  } else if (grant.exp !== undefined) {
    exp = time(fn, "exp", grant.exp);
    if (exp === 0) {
      throw new TypeError(`${fn}: exp 0 means "never expires"; say so with expiresIn: "never"`);
    }
  } else {
    throw new TypeError(
      `${fn}: the signature would never expire; give the grant's exp or the expiresIn option ` +
        '(seconds), or expiresIn: "never" if it really must not expire',
    );
  }
  return { user, channel, keys: [...keys], iat, exp };
}

function time(fn: string, name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new TypeError(`${fn}: ${name} must be a non-negative integer (Unix time in seconds)`);
  }
  if ((value as number) >= MAX_SECONDS) {
    throw new TypeError(`${fn}: ${name} must be Unix time in seconds, not milliseconds`);
  }
  return value as number;
}
