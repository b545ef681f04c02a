// The endpoints client SDKs call: the connection-token and subscription-token
// endpoints of centrifuge-js's getToken callbacks, and the signature endpoint
// of a SharedPollSubscription's getSignature. The application's function
// decides from the request (its cookies, its headers) and returns claims, or
// null to refuse. A refusal is a 403, on which the SDKs' callbacks throw
// UnauthorizedError and stop asking; any failure is a 500 that says nothing
// of why (the error goes to onError), on which they retry.

import type { WebHandler } from "../_http/node.ts";
import { plain, readJsonBody } from "../_http/body.ts";
import { describe, isPlainObject } from "../_validate.ts";
import {
  checkOptions,
  type ConnectionTokenClaims,
  type SubscriptionTokenClaims,
} from "./claims.ts";
import { KeyRing } from "./key_ring.ts";
import { readKey, signer, type TokenAlgorithm, type TokenKey } from "./keys.ts";
import {
  importSharedPollSecret,
  type SharedPollSecret,
  sharedPollSignature,
} from "./shared_poll.ts";
import { connectionToken, subscriptionToken } from "./tokens.ts";

/** A value, or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Called with every request an endpoint could not answer as its function
 * meant: the function threw, or returned claims the token functions refuse.
 * The client got a 500 that says nothing of why. By default the error is
 * written with `console.error`.
 */
export type EndpointErrorHandler = (error: unknown, request: Request) => void;

/**
 * Options of {@linkcode connectionTokenEndpoint}.
 *
 * @example Tokens of five minutes for the user of the session cookie
 * ```ts
 * import type { ConnectionTokenEndpointOptions } from "@aiocent/aiocent/token";
 *
 * const options: ConnectionTokenEndpointOptions = {
 *   key: "hmac-secret",
 *   expiresIn: 300,
 *   authorize: (request) => {
 *     const user = request.headers.get("cookie")?.match(/(?:^|; )user=(\w+)/)?.[1];
 *     return user ? { sub: user } : null;
 *   },
 * };
 * ```
 */
export interface ConnectionTokenEndpointOptions {
  /**
   * Decides from the request: the claims of the token to give (`exp` defaults
   * to now plus `expiresIn`), or `null` to refuse (the client stops asking
   * and disconnects). A throw is a 500, which the client retries.
   */
  authorize: (request: Request) => Awaitable<ConnectionTokenClaims | null>;
  /** The key (or {@linkcode KeyRing}) the tokens are signed with. */
  key: TokenKey | KeyRing;
  /**
   * The tokens' lifetime in seconds, unless the claims carry `exp`. The client
   * asks again when a token expires, so keep it well above the round trip.
   */
  expiresIn: number;
  /** As in {@linkcode TokenOptions}. */
  algorithm?: TokenAlgorithm;
  /** As in {@linkcode TokenOptions}; not with a {@linkcode KeyRing}. */
  keyId?: string;
  /** As in {@linkcode TokenOptions}. */
  userIdClaim?: string;
  /** Told of the requests answered with a 500. */
  onError?: EndpointErrorHandler;
}

/**
 * The claims a subscription-token endpoint's function returns: those of
 * {@linkcode SubscriptionTokenClaims}, the channel being the one asked for.
 *
 * @example Claims for the channel asked for
 * ```ts
 * import type { SubscriptionGrant } from "@aiocent/aiocent/token";
 *
 * const grant: SubscriptionGrant = { sub: "alice", info: { role: "owner" } };
 * ```
 */
export type SubscriptionGrant = Omit<SubscriptionTokenClaims, "channel"> & {
  /** The channel; when given, it must be the one asked for. */
  channel?: string;
};

/**
 * Options of {@linkcode subscriptionTokenEndpoint}.
 *
 * @example Users subscribe to their own private channel only
 * ```ts
 * import type { SubscriptionTokenEndpointOptions } from "@aiocent/aiocent/token";
 *
 * const options: SubscriptionTokenEndpointOptions = {
 *   key: "hmac-secret",
 *   expiresIn: 300,
 *   authorize: (request, channel) => {
 *     const user = request.headers.get("x-user");
 *     return user && channel === `$user:${user}` ? { sub: user } : null;
 *   },
 * };
 * ```
 */
export interface SubscriptionTokenEndpointOptions {
  /**
   * Decides from the request and the channel asked for: the claims of the
   * token to give, or `null` to refuse (the client unsubscribes and stops
   * asking). A throw is a 500, which the client retries.
   */
  authorize: (request: Request, channel: string) => Awaitable<SubscriptionGrant | null>;
  /** The key (or {@linkcode KeyRing}) the tokens are signed with. */
  key: TokenKey | KeyRing;
  /** The tokens' lifetime in seconds, unless the claims carry `exp`. */
  expiresIn: number;
  /** As in {@linkcode TokenOptions}. */
  algorithm?: TokenAlgorithm;
  /** As in {@linkcode TokenOptions}; not with a {@linkcode KeyRing}. */
  keyId?: string;
  /** As in {@linkcode TokenOptions}. */
  userIdClaim?: string;
  /** The largest request body read, in bytes. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Told of the requests answered with a 500. */
  onError?: EndpointErrorHandler;
}

/**
 * What a shared-poll signature endpoint's function grants: the user, and the
 * keys they may track, in the order to sign.
 *
 * @example Two of the keys asked for
 * ```ts
 * import type { SharedPollAccess } from "@aiocent/aiocent/token";
 *
 * const access: SharedPollAccess = { user: "alice", keys: ["match-1", "match-2"] };
 * ```
 */
export interface SharedPollAccess {
  /** The connection's user ID (its token's `sub`). */
  user: string;
  /**
   * The keys the user may track: those asked for, or fewer (the client stops
   * tracking the others), in the order the signature covers.
   */
  keys: readonly string[];
}

/**
 * Options of {@linkcode sharedPollSignatureEndpoint}.
 *
 * @example Users track the keys of their own list
 * ```ts
 * import type { SharedPollSignatureEndpointOptions } from "@aiocent/aiocent/token";
 *
 * const lists: Record<string, string[]> = { alice: ["match-1", "match-2"] };
 * const options: SharedPollSignatureEndpointOptions = {
 *   secret: "shared-poll-secret",
 *   expiresIn: 600,
 *   authorize: (request, _channel, keys) => {
 *     const user = request.headers.get("x-user");
 *     if (!user) return null;
 *     return { user, keys: keys.filter((key) => lists[user]?.includes(key)) };
 *   },
 * };
 * ```
 */
export interface SharedPollSignatureEndpointOptions {
  /**
   * Decides from the request, the channel and the keys asked for: the user
   * and the keys they may track (a subset of those asked for, possibly
   * empty), or `null` to refuse the request (403). A throw is a 500, which
   * the client retries.
   */
  authorize: (
    request: Request,
    channel: string,
    keys: string[],
  ) => Awaitable<SharedPollAccess | null>;
  /** `shared_poll.hmac_secret_key`. */
  secret: SharedPollSecret;
  /** The signatures' lifetime in seconds; the client asks again when one expires. */
  expiresIn: number;
  /** The largest request body read, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Told of the requests answered with a 500. */
  onError?: EndpointErrorHandler;
}

const TOKEN_ENDPOINT_OPTIONS = [
  "authorize",
  "key",
  "expiresIn",
  "algorithm",
  "keyId",
  "userIdClaim",
  "onError",
];

/**
 * The endpoint a centrifuge-js client's `getToken` callback fetches for its
 * connection token. It takes `GET` or `POST` (the body is not read), asks
 * `authorize` for the claims, and answers `{"token": "..."}` (never
 * cached); `null` from `authorize` is a 403, anything failing a 500 with no
 * detail (the error goes to `onError`).
 *
 * In the browser, throw centrifuge-js's `UnauthorizedError` on a 403 — the
 * client then disconnects and stops asking — and any other error otherwise,
 * which it retries:
 *
 * ```js ignore
 * getToken: async () => {
 *   const res = await fetch("/centrifugo/connection-token", { method: "POST" });
 *   if (res.status === 403) throw new UnauthorizedError("refused");
 *   if (!res.ok) throw new Error(`connection token: HTTP ${res.status}`);
 *   return (await res.json()).token;
 * }
 * ```
 *
 * @param options `authorize`, `key`, `expiresIn`, and optionally the token options and `onError`.
 * @returns A Web-standard handler (`Deno.serve`, `Bun.serve`, Hono, Workers; Node through
 *   `toNodeHandler` of `@aiocent/aiocent/node`).
 * @throws {TypeError} An option or the key is invalid.
 *
 * @example A token for the user of the session cookie
 * ```ts
 * import { connectionTokenEndpoint } from "@aiocent/aiocent/token";
 *
 * const handler = connectionTokenEndpoint({
 *   key: "hmac-secret",
 *   expiresIn: 300,
 *   authorize: (request) => {
 *     const user = request.headers.get("cookie")?.match(/(?:^|; )user=(\w+)/)?.[1];
 *     return user ? { sub: user } : null;
 *   },
 * });
 * // Deno.serve(handler), or mount it at the URL getToken fetches.
 * const res = await handler(new Request("http://localhost/", { headers: { cookie: "user=alice" } }));
 * console.log(res.status, (await res.json()).token.split(".").length); // 200 3
 * const refused = await handler(new Request("http://localhost/"));
 * console.log(refused.status); // 403
 * ```
 */
export function connectionTokenEndpoint(options: ConnectionTokenEndpointOptions): WebHandler {
  const fn = "connectionTokenEndpoint";
  const opts = endpointOptions(fn, options, TOKEN_ENDPOINT_OPTIONS);
  const key = signingKey(fn, opts);
  const authorize = opts.authorize as ConnectionTokenEndpointOptions["authorize"];
  const onError = errorHandler(fn, opts.onError);
  return async (request) => {
    if (request.method !== "GET" && request.method !== "POST") {
      await request.body?.cancel().catch(() => {});
      return plain(405, "method not allowed", { allow: "GET, POST" });
    }
    await request.body?.cancel().catch(() => {});
    try {
      const claims = checkDecision(fn, await authorize(request));
      if (claims === null) return forbidden();
      const token = await connectionToken(claims, await key(), tokenOptions(opts, claims));
      return json({ token });
    } catch (error) {
      return failed(onError, error, request);
    }
  };
}

/**
 * The endpoint a centrifuge-js subscription's `getToken` callback fetches
 * for its subscription token: `POST` with the JSON body `{"channel": "..."}`
 * (or `GET` with `?channel=`). It asks `authorize` for the claims and
 * answers `{"token": "..."}` (never cached); `null` from `authorize` is a
 * 403, a request without a channel a 400, anything failing a 500 with no
 * detail.
 *
 * In the browser, throw `UnauthorizedError` on a 403 — the subscription then
 * ends and stops asking — and any other error otherwise:
 *
 * ```js ignore
 * getToken: async (ctx) => {
 *   const res = await fetch("/centrifugo/subscription-token", {
 *     method: "POST",
 *     headers: { "content-type": "application/json" },
 *     body: JSON.stringify({ channel: ctx.channel }),
 *   });
 *   if (res.status === 403) throw new UnauthorizedError("refused");
 *   if (!res.ok) throw new Error(`subscription token: HTTP ${res.status}`);
 *   return (await res.json()).token;
 * }
 * ```
 *
 * @param options `authorize`, `key`, `expiresIn`, and optionally the token options,
 *   `maxBodyBytes` and `onError`.
 * @returns A Web-standard handler.
 * @throws {TypeError} An option or the key is invalid.
 *
 * @example Users may subscribe to their own private channel
 * ```ts
 * import { subscriptionTokenEndpoint } from "@aiocent/aiocent/token";
 *
 * const handler = subscriptionTokenEndpoint({
 *   key: "hmac-secret",
 *   expiresIn: 300,
 *   authorize: (request, channel) => {
 *     const user = request.headers.get("x-user");
 *     return user && channel === `$user:${user}` ? { sub: user } : null;
 *   },
 * });
 * const ask = (channel: string) =>
 *   handler(new Request("http://localhost/", {
 *     method: "POST",
 *     headers: { "x-user": "alice" },
 *     body: JSON.stringify({ channel }),
 *   }));
 * console.log((await ask("$user:alice")).status, (await ask("$user:bob")).status); // 200 403
 * ```
 */
export function subscriptionTokenEndpoint(options: SubscriptionTokenEndpointOptions): WebHandler {
  const fn = "subscriptionTokenEndpoint";
  const opts = endpointOptions(fn, options, [...TOKEN_ENDPOINT_OPTIONS, "maxBodyBytes"]);
  const key = signingKey(fn, opts);
  const authorize = opts.authorize as SubscriptionTokenEndpointOptions["authorize"];
  const onError = errorHandler(fn, opts.onError);
  const maxBytes = bodyLimit(fn, opts.maxBodyBytes, 64 * 1024);
  return async (request) => {
    let channel: unknown;
    if (request.method === "GET") {
      channel = new URL(request.url).searchParams.get("channel");
    } else {
      const read = await readJsonBody(request, maxBytes);
      if (!read.ok) return read.response;
      channel = isPlainObject(read.value) ? read.value.channel : undefined;
    }
    if (typeof channel !== "string" || channel === "") return plain(400, "bad request");
    try {
      const grant = checkDecision(fn, await authorize(request, channel));
      if (grant === null) return forbidden();
      if (grant.channel !== undefined && grant.channel !== channel) {
        throw new TypeError(
          `${fn}: authorize returned claims for another channel than the one asked for`,
        );
      }
      const claims = { ...grant, channel };
      const token = await subscriptionToken(claims, await key(), tokenOptions(opts, claims));
      return json({ token });
    } catch (error) {
      return failed(onError, error, request);
    }
  };
}

/**
 * The endpoint a centrifuge-js `SharedPollSubscription`'s `getSignature`
 * callback fetches: `POST` with the JSON body
 * `{"channel": "...", "keys": ["..."]}`. `authorize` decides which of the
 * keys the user may track; the endpoint signs them for that user and
 * channel and answers `{"keys": [...], "signature": "..."}` (never cached),
 * exactly what `getSignature` returns. The keys left out are revoked: the
 * client stops tracking them. `null` from `authorize` is a 403, a malformed
 * request a 400, and anything failing — `authorize` returning a key it was
 * not asked for included — a 500 with no detail.
 *
 * In the browser (getSignature is given only the keys, so send the channel
 * too), revoke all the keys on a 403, and throw otherwise, which the client
 * retries:
 *
 * ```js ignore
 * getSignature: async ({ keys }) => {
 *   const res = await fetch("/centrifugo/shared-poll-signature", {
 *     method: "POST",
 *     headers: { "content-type": "application/json" },
 *     body: JSON.stringify({ channel: "scores:live", keys }),
 *   });
 *   if (res.status === 403) return { keys: [], signature: "" };
 *   if (!res.ok) throw new Error(`shared-poll signature: HTTP ${res.status}`);
 *   return await res.json();
 * }
 * ```
 *
 * @param options `authorize`, `secret`, `expiresIn`, and optionally `maxBodyBytes` and `onError`.
 * @returns A Web-standard handler.
 * @throws {TypeError} An option is invalid.
 *
 * @example Users track the keys of their own list
 * ```ts
 * import { sharedPollSignatureEndpoint } from "@aiocent/aiocent/token";
 *
 * const lists: Record<string, string[]> = { alice: ["match-1", "match-2"] };
 * const handler = sharedPollSignatureEndpoint({
 *   secret: "shared-poll-secret",
 *   expiresIn: 600,
 *   authorize: (request, _channel, keys) => {
 *     const user = request.headers.get("x-user");
 *     if (!user) return null;
 *     return { user, keys: keys.filter((key) => lists[user]?.includes(key)) };
 *   },
 * });
 * const res = await handler(new Request("http://localhost/", {
 *   method: "POST",
 *   headers: { "x-user": "alice" },
 *   body: JSON.stringify({ channel: "scores:live", keys: ["match-2", "match-9"] }),
 * }));
 * const { keys, signature } = await res.json();
 * console.log(keys, signature.split(":").length); // ["match-2"] 3
 * ```
 */
export function sharedPollSignatureEndpoint(
  options: SharedPollSignatureEndpointOptions,
): WebHandler {
  const fn = "sharedPollSignatureEndpoint";
  const opts = endpointOptions(fn, options, [
    "authorize",
    "secret",
    "expiresIn",
    "maxBodyBytes",
    "onError",
  ]);
  const authorize = opts.authorize as SharedPollSignatureEndpointOptions["authorize"];
  const onError = errorHandler(fn, opts.onError);
  const maxBytes = bodyLimit(fn, opts.maxBodyBytes, 1024 * 1024);
  const expiresIn = opts.expiresIn as number;
  checkSecret(fn, opts.secret);
  let secret: Promise<CryptoKey> | undefined;
  return async (request) => {
    const read = await readJsonBody(request, maxBytes);
    if (!read.ok) return read.response;
    const body = read.value;
    if (!isPlainObject(body)) return plain(400, "bad request");
    const { channel, keys } = body;
    if (
      typeof channel !== "string" || channel === "" || !Array.isArray(keys) ||
      !keys.every((key) => typeof key === "string")
    ) return plain(400, "bad request");
    try {
      const access = checkDecision(fn, await authorize(request, channel, [...keys]));
      if (access === null) return forbidden();
      if (!isPlainObject(access) || !Array.isArray(access.keys)) {
        throw new TypeError(`${fn}: authorize must return { user, keys } or null`);
      }
      const asked = new Set(keys);
      if (!access.keys.every((key) => asked.has(key))) {
        throw new TypeError(`${fn}: authorize returned a key the client did not ask for`);
      }
      secret ??= importSharedPollSecret(fn, opts.secret);
      const signature = await sharedPollSignature(
        { user: access.user, channel, keys: access.keys },
        await secret,
        { expiresIn },
      );
      return json({ keys: access.keys, signature });
    } catch (error) {
      return failed(onError, error, request);
    }
  };
}

/** Checks an endpoint's options object and its common members. */
function endpointOptions(
  fn: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (!isPlainObject(options)) {
    throw new TypeError(`${fn}: options must be a plain object, got ${describe(options)}`);
  }
  for (const name in options) {
    if (!known.includes(name)) {
      throw new TypeError(`${fn}: unknown option ${name}; known options: ${known.join(", ")}`);
    }
  }
  if (typeof options.authorize !== "function") {
    throw new TypeError(`${fn}: option authorize must be a function`);
  }
  if (!Number.isSafeInteger(options.expiresIn) || (options.expiresIn as number) <= 0) {
    throw new TypeError(`${fn}: option expiresIn must be a positive integer (seconds)`);
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw new TypeError(`${fn}: option onError must be a function`);
  }
  return options;
}

/**
 * The key to sign with, and the token options checked now: a ring as it is,
 * any other key read now and imported once, at the first request.
 */
function signingKey(fn: string, opts: Record<string, unknown>): () => Promise<CryptoKey | KeyRing> {
  const { key, algorithm, keyId } = opts;
  checkOptions(fn, tokenOptions(opts, { exp: 0 }));
  if (key instanceof KeyRing) {
    if (keyId !== undefined) {
      throw new TypeError(
        `${fn}: a KeyRing writes the kid of its active key; drop the keyId option`,
      );
    }
    if ((opts.expiresIn as number) > key.maxTokenLifetime) {
      throw new TypeError(
        `${fn}: option expiresIn is longer than the KeyRing's maxTokenLifetime ` +
          `(${key.maxTokenLifetime} s)`,
      );
    }
    return () => Promise.resolve(key);
  }
  readKey(fn, key, algorithm, false);
  let imported: Promise<CryptoKey> | undefined;
  return () => imported ??= signer(fn, key, algorithm).then((chosen) => chosen.key);
}

function checkSecret(fn: string, secret: unknown): void {
  const ok = (typeof secret === "string" && secret !== "") ||
    (secret instanceof Uint8Array && secret.length > 0) ||
    (typeof CryptoKey === "function" && secret instanceof CryptoKey);
  if (!ok) {
    throw new TypeError(
      `${fn}: option secret must be shared_poll.hmac_secret_key (a non-empty string, bytes ` +
        "or an HMAC CryptoKey)",
    );
  }
}

function bodyLimit(fn: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new TypeError(`${fn}: option maxBodyBytes must be a positive integer`);
  }
  return value as number;
}

function errorHandler(fn: string, onError: unknown): EndpointErrorHandler {
  return (onError as EndpointErrorHandler | undefined) ??
    ((error) => console.error(`${fn}: answered 500:`, error));
}

/** `null` refuses; `undefined` is a function that forgot to return. */
function checkDecision<T>(fn: string, decision: T | null | undefined): T | null {
  if (decision === undefined) {
    throw new TypeError(
      `${fn}: authorize returned undefined; return the claims, or null to refuse`,
    );
  }
  return decision;
}

/** The token options of an endpoint, `expiresIn` only when the claims carry no `exp`. */
function tokenOptions(opts: Record<string, unknown>, claims: { exp?: number }) {
  const picked: {
    algorithm?: TokenAlgorithm;
    expiresIn?: number;
    keyId?: string;
    userIdClaim?: string;
  } = {};
  if (opts.algorithm !== undefined) picked.algorithm = opts.algorithm as TokenAlgorithm;
  if (opts.keyId !== undefined) picked.keyId = opts.keyId as string;
  if (opts.userIdClaim !== undefined) picked.userIdClaim = opts.userIdClaim as string;
  if (claims.exp === undefined) picked.expiresIn = opts.expiresIn as number;
  return picked;
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    headers: {
      "content-type": "application/json",
      // A token or signature belongs to one user: no cache may keep it.
      "cache-control": "no-store",
    },
  });
}

function forbidden(): Response {
  return plain(403, "forbidden", { "cache-control": "no-store" });
}

function failed(onError: EndpointErrorHandler, error: unknown, request: Request): Response {
  try {
    onError(error, request);
  } catch {
    // A failing error handler must not turn a 500 into a crash.
  }
  return plain(500, "internal server error");
}
