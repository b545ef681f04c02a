// One handler per proxy type Centrifugo calls: each wraps the application's
// function into a Web-standard `(request) => Promise<Response>` (see
// _handler.ts for what every handler does).

import { makeHandler } from "./_handler.ts";
import type { ProxyFunction, ProxyHandler, ProxyHandlerOptions } from "./types.ts";

/**
 * The connect proxy's handler: Centrifugo calls it when a client connects
 * without a connection token. Authenticate the client from the HTTP request
 * (the cookies and headers Centrifugo forwards: list them in the proxy's
 * `http_headers`, e.g. `["cookie", "authorization"]`), and answer who it is:
 * `user`, `info`, `data` for the client, `channels` to subscribe it to. A
 * {@linkcode ProxyError} refuses the connection (centrifuge-js stops, with the
 * code, unless `temporary`); a {@linkcode ProxyDisconnect} closes it.
 *
 * `{}` accepts the client as anonymous. A 4000–4499 disconnect during connect
 * only makes centrifuge-js reconnect (it shows no code): refuse with an error
 * or a 4500+ disconnect.
 *
 * @example Authenticate from a session cookie
 * ```ts
 * import { connectHandler, ProxyError } from "@aiocent/aiocent/proxy";
 *
 * const sessions = new Map([["s3cr3t", { id: "42", name: "Alice" }]]);
 * const connect = connectHandler((_req, { headers }) => {
 *   const sid = /(?:^|;\s*)sid=([^;]+)/.exec(headers.get("cookie") ?? "")?.[1];
 *   const user = sid === undefined ? undefined : sessions.get(sid);
 *   if (!user) return new ProxyError(1401, "unauthorized");
 *   return { user: user.id, info: { name: user.name }, data: { hello: user.name } };
 * });
 *
 * // What Centrifugo sends, and what the handler answers:
 * const response = await connect(
 *   new Request("http://localhost/centrifugo/connect", {
 *     method: "POST",
 *     headers: { cookie: "sid=s3cr3t" },
 *     body: JSON.stringify({ client: "c1", transport: "websocket", protocol: "json", encoding: "json" }),
 *   }),
 * );
 * console.log(await response.json()); // { result: { user: "42", info: {…}, data: {…} } }
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, answer out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler, for `Deno.serve`, `Bun.serve`, Hono, a Worker, or
 *   `toNodeHandler` from `@aiocent/aiocent/node`.
 */
export function connectHandler(
  fn: ProxyFunction<"connect">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("connect", fn, options);
}

/**
 * The refresh proxy's handler: Centrifugo calls it when the `expire_at` a
 * connect answer gave has come. Answer a new `expire_at` to keep the
 * connection, or `{ expired: true }` to end it (Centrifugo closes it with
 * 3005 and the client connects again, through the connect proxy).
 *
 * Centrifugo reads only the result of a refresh, so the function cannot
 * answer a {@linkcode ProxyError} or {@linkcode ProxyDisconnect}: that, or a
 * result with neither `expired` nor `expire_at`, is answered HTTP 500 and
 * reported to `onError` (Centrifugo then keeps the connection and asks again
 * a minute later).
 *
 * @example Extend connections of active accounts by an hour
 * ```ts
 * import { refreshHandler } from "@aiocent/aiocent/proxy";
 *
 * const disabled = new Set(["mallory"]);
 * const refresh = refreshHandler((req) =>
 *   disabled.has(req.user)
 *     ? { expired: true }
 *     : { expire_at: Math.floor(Date.now() / 1000) + 3600 }
 * );
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, result out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function refreshHandler(
  fn: ProxyFunction<"refresh">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("refresh", fn, options);
}

/**
 * The subscribe proxy's handler: Centrifugo calls it when a client
 * subscribes to a channel of a namespace with `subscribe_proxy_enabled`
 * (unless the client has a subscription token). `{}` allows the subscription
 * with the namespace's options; a result can add `data` for the subscriber,
 * channel `info`, an `expire_at` (with a sub_refresh proxy), option
 * overrides. A {@linkcode ProxyError} refuses it (centrifuge-js
 * unsubscribes with the code), a {@linkcode ProxyDisconnect} closes the
 * connection.
 *
 * @example Only members may subscribe to a team's channel
 * ```ts
 * import { ProxyError, subscribeHandler } from "@aiocent/aiocent/proxy";
 *
 * const members = new Map([["team:red", new Set(["42"])]]);
 * const subscribe = subscribeHandler((req) =>
 *   members.get(req.channel)?.has(req.user)
 *     ? { data: { joined: req.channel } }
 *     : new ProxyError(1403, "not a member")
 * );
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, answer out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function subscribeHandler(
  fn: ProxyFunction<"subscribe">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("subscribe", fn, options);
}

/**
 * The publish proxy's handler: Centrifugo calls it when a client publishes
 * into a channel of a namespace with `publish_proxy_enabled`, and publishes
 * what it answers: `{}` publishes the client's data unchanged, a result with
 * `data` publishes that instead (plus options such as `tags` or
 * `skip_history`). A {@linkcode ProxyError} rejects the client's `publish()`
 * with the code; a {@linkcode ProxyDisconnect} closes the connection.
 *
 * @example Moderate chat messages
 * ```ts
 * import { ProxyError, publishHandler } from "@aiocent/aiocent/proxy";
 *
 * const publish = publishHandler((req) => {
 *   const { text } = req.data as { text?: unknown };
 *   if (typeof text !== "string" || text.length > 500) return new ProxyError(1400, "bad message");
 *   return { data: { text: text.replaceAll("darn", "d**n"), from: req.user } };
 * });
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, answer out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function publishHandler(
  fn: ProxyFunction<"publish">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("publish", fn, options);
}

/**
 * The RPC proxy's handler: Centrifugo calls it when a client calls
 * `rpc(method, data)` for a method whose namespace has `proxy_enabled`. The
 * result's `data` is what the client's call resolves with; a
 * {@linkcode ProxyError} rejects it with the code; a
 * {@linkcode ProxyDisconnect} closes the connection.
 *
 * @example Answer two methods
 * ```ts
 * import { ProxyError, rpcHandler } from "@aiocent/aiocent/proxy";
 *
 * const rpc = rpcHandler((req) => {
 *   switch (req.method) {
 *     case "whoami":
 *       return { data: { user: req.user } };
 *     case "time":
 *       return { data: { now: Date.now() } };
 *     default:
 *       return new ProxyError(1404, `no method ${req.method}`);
 *   }
 * });
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, answer out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function rpcHandler(fn: ProxyFunction<"rpc">, options?: ProxyHandlerOptions): ProxyHandler {
  return makeHandler("rpc", fn, options);
}

/**
 * The sub_refresh proxy's handler: Centrifugo calls it when the `expire_at`
 * a subscribe answer gave has come. Answer a new `expire_at` to keep the
 * subscription, or `{ expired: true }` to end it (the client is unsubscribed
 * with 2501 and subscribes again, through the subscribe proxy). `{}` keeps it
 * with no expiry at all.
 *
 * Centrifugo reads only the result of a sub_refresh, so the function cannot
 * answer a {@linkcode ProxyError} or {@linkcode ProxyDisconnect}: that is
 * answered HTTP 500 and reported to `onError`.
 *
 * @example Keep subscriptions while the plan is paid
 * ```ts
 * import { subRefreshHandler } from "@aiocent/aiocent/proxy";
 *
 * const paid = new Set(["42"]);
 * const subRefresh = subRefreshHandler((req) =>
 *   paid.has(req.user) ? { expire_at: Math.floor(Date.now() / 1000) + 600 } : { expired: true }
 * );
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, result out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function subRefreshHandler(
  fn: ProxyFunction<"sub_refresh">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("sub_refresh", fn, options);
}

/**
 * The map publish proxy's handler: Centrifugo calls it when a client
 * publishes a key into a map channel whose namespace has
 * `map.publish_proxy_enabled`, and applies what it answers: `{}` the client's
 * key and data, or the `key`, `data` and options of the result. A
 * {@linkcode ProxyError} refuses it; a {@linkcode ProxyDisconnect} closes the
 * connection.
 *
 * Centrifugo v6.9.1 applies an accepted map publication but then answers the
 * calling client error 107 (bad request) whenever a map publish proxy is
 * set; subscribers see the change.
 *
 * @example Stamp every entry with its author
 * ```ts
 * import { mapPublishHandler } from "@aiocent/aiocent/proxy";
 *
 * const mapPublish = mapPublishHandler((req) => ({ data: { value: req.data, by: req.user } }));
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, answer out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function mapPublishHandler(
  fn: ProxyFunction<"map_publish">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("map_publish", fn, options);
}

/**
 * The map remove proxy's handler: Centrifugo calls it when a client removes a
 * key from a map channel whose namespace has `map.remove_proxy_enabled`, and
 * removes the key (or the result's `key`). A {@linkcode ProxyError} refuses
 * it; a {@linkcode ProxyDisconnect} closes the connection.
 *
 * Centrifugo v6.9.1 applies an accepted removal but then answers the calling
 * client error 107 (bad request) whenever a map remove proxy is set.
 *
 * @example Only the owner removes an entry
 * ```ts
 * import { mapRemoveHandler, ProxyError } from "@aiocent/aiocent/proxy";
 *
 * const mapRemove = mapRemoveHandler((req) =>
 *   req.key.startsWith(`${req.user}:`) ? {} : new ProxyError(1403, "not yours")
 * );
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, answer out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function mapRemoveHandler(
  fn: ProxyFunction<"map_remove">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("map_remove", fn, options);
}

/**
 * The shared-poll refresh proxy's handler: Centrifugo calls it every
 * `refresh_interval` of a shared-poll namespace with the keys clients track
 * (and the versions it holds), and sends subscribers the items answered:
 * new data with a higher `version`, or `removed: true`. Keys left out are
 * unchanged. No client is involved, so no headers are forwarded; a
 * {@linkcode ProxyError} only skips the round (Centrifugo logs it).
 *
 * @example Answer the current scores of tracked matches
 * ```ts
 * import {
 *   sharedPollRefreshHandler,
 *   type SharedPollRefreshResultItem,
 * } from "@aiocent/aiocent/proxy";
 *
 * const scores = new Map([["match-1", { home: 2, away: 1, version: 7 }]]);
 * const refresh = sharedPollRefreshHandler((req) => {
 *   const items: SharedPollRefreshResultItem[] = [];
 *   for (const { key, version } of req.items) {
 *     const score = scores.get(key);
 *     if (!score) items.push({ key, removed: true });
 *     else if (score.version > version) {
 *       items.push({ key, data: { home: score.home, away: score.away }, version: score.version });
 *     }
 *   }
 *   return { items };
 * });
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, answer out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function sharedPollRefreshHandler(
  fn: ProxyFunction<"shared_poll_refresh">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("shared_poll_refresh", fn, options);
}

/**
 * Centrifugo PRO: the cache empty proxy's handler, called when a channel's
 * cache has nothing; answer `populated: true` once the backend has published
 * into it. Centrifugo OSS never calls it. It reads only the result.
 *
 * @example Fill an empty cache
 * ```ts
 * import { notifyCacheEmptyHandler } from "@aiocent/aiocent/proxy";
 *
 * const cacheEmpty = notifyCacheEmptyHandler(async (req) => {
 *   // Publish the channel's current state here, e.g. with Client.publish.
 *   return { populated: req.channel.startsWith("prices:") };
 * });
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, result out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function notifyCacheEmptyHandler(
  fn: ProxyFunction<"notify_cache_empty">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("notify_cache_empty", fn, options);
}

/**
 * Centrifugo PRO: the channel state proxy's handler, called with channels
 * that became occupied or vacated. Answer `{}`; a {@linkcode ProxyError}
 * reports a failure. Centrifugo OSS never calls it.
 *
 * @example Track which channels have subscribers
 * ```ts
 * import { notifyChannelStateHandler } from "@aiocent/aiocent/proxy";
 *
 * const occupied = new Set<string>();
 * const channelState = notifyChannelStateHandler((req) => {
 *   for (const event of req.events) {
 *     if (event.type === "occupied") occupied.add(event.channel);
 *     else occupied.delete(event.channel);
 *   }
 *   return {};
 * });
 * ```
 *
 * @param fn The application's function: decoded request and HTTP request in, answer out.
 * @param options `onError` and `maxBodyBytes`.
 * @returns The handler.
 */
export function notifyChannelStateHandler(
  fn: ProxyFunction<"notify_channel_state">,
  options?: ProxyHandlerOptions,
): ProxyHandler {
  return makeHandler("notify_channel_state", fn, options);
}
