/**
 * The backend side of Centrifugo's HTTP proxies: one handler per proxy type
 * (connect, refresh, subscribe, publish, rpc, sub_refresh, map_publish,
 * map_remove, shared_poll_refresh, and Centrifugo PRO's cache empty and
 * channel state), each a Web-standard `(request: Request) => Promise<Response>`
 * built from the application's function. It mounts as it is in `Deno.serve`,
 * `Bun.serve`, Hono or a Cloudflare Worker, and under `node:http` (Express,
 * Fastify) through `toNodeHandler` from `@aiocent/aiocent/node`.
 *
 * The function gets the request Centrifugo sent, decoded and typed (from
 * Centrifugo's own proxy.proto), and the HTTP `Request` it came in (the
 * headers and cookies Centrifugo forwards, for authentication). It answers
 * with a result, or rejects with a {@linkcode ProxyError} (code 400–1999) or a
 * {@linkcode ProxyDisconnect} (code 4000–4999, reason of at most 123 bytes),
 * returned or thrown; only what the proxy type can carry is sent. Anything
 * else (a field the result cannot hold, a bad code, a thrown error) is
 * answered HTTP 500 with a body that says nothing, and reported to `onError`.
 * Requests are read as hostile: POST only, bounded size, JSON of the type's
 * shape.
 *
 * Proxy endpoints must be reachable by Centrifugo only: whoever can call them
 * can claim to be any client. Keep them on a private address or port, or
 * check a shared secret Centrifugo sends (`http.static_headers` in the proxy's
 * config).
 *
 * This entrypoint loads none of the API client's transport.
 *
 * @example Serve the connect and RPC proxies with Deno.serve
 * ```ts no-run
 * import { connectHandler, ProxyError, rpcHandler } from "@aiocent/aiocent/proxy";
 *
 * const routes: Record<string, (request: Request) => Promise<Response>> = {
 *   "/centrifugo/connect": connectHandler((_req, { headers }) =>
 *     headers.get("authorization") === "Bearer demo"
 *       ? { user: "42", data: { welcome: true } }
 *       : new ProxyError(1401, "unauthorized")
 *   ),
 *   "/centrifugo/rpc": rpcHandler((req) => ({ data: { echo: req.data } })),
 * };
 * Deno.serve({ hostname: "127.0.0.1", port: 3000 }, (request) =>
 *   routes[new URL(request.url).pathname]?.(request) ??
 *     new Response("not found", { status: 404 }));
 * ```
 *
 * @module
 */

export {
  connectHandler,
  mapPublishHandler,
  mapRemoveHandler,
  notifyCacheEmptyHandler,
  notifyChannelStateHandler,
  publishHandler,
  refreshHandler,
  rpcHandler,
  sharedPollRefreshHandler,
  subRefreshHandler,
  subscribeHandler,
} from "./src/proxy/handlers.ts";
export type {
  ProxyAnswer,
  ProxyErrorContext,
  ProxyFunction,
  ProxyHandler,
  ProxyHandlerOptions,
} from "./src/proxy/types.ts";
export {
  ProxyAnswerError,
  ProxyDisconnect,
  ProxyError,
  type ProxyErrorOptions,
  ProxyRequestError,
} from "./src/proxy/errors.ts";
export type * from "./src/_generated/proxy.ts";
