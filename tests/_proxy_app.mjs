// The application behind the proxy tests: one handler per proxy type built
// with @aiocent/aiocent/proxy, answering by what the request says (the
// scenario in the client's connect data, the channel, the method), so that
// tests/_proxy_scenarios.ts can drive every answer through a real Centrifugo
// with real clients. Plain JavaScript with Web APIs only: it runs unchanged on
// Deno, Node, Bun and inside workerd, given the proxy module of that runtime.
// Every answer names `runtime`, so a test sees which server answered.
//
// GET /calls answers what was called ({ calls: { connect: n, … }, errors: [
// { proxy, status, name, message } ] } from onError).

/**
 * @param {any} proxy The `@aiocent/aiocent/proxy` module.
 * @param {string} runtime The name of the runtime serving it.
 * @returns {{ handle: (request: Request) => Promise<Response> }}
 */
export function proxyApp(proxy, runtime) {
  const {
    connectHandler,
    refreshHandler,
    subscribeHandler,
    publishHandler,
    rpcHandler,
    subRefreshHandler,
    mapPublishHandler,
    mapRemoveHandler,
    sharedPollRefreshHandler,
    ProxyError,
    ProxyDisconnect,
  } = proxy;
  /** @type {Record<string, number>} */
  const calls = {};
  /** @type {{ proxy: string, status: number, name: string, message: string }[]} */
  const errors = [];
  const options = {
    /** @param {any} error @param {{ proxy: string, status: number }} context */
    onError(error, context) {
      errors.push({
        proxy: context.proxy,
        status: context.status,
        name: error?.name ?? typeof error,
        message: String(error?.message ?? error),
      });
    },
  };
  /** @param {string} type */
  const count = (type) => calls[type] = (calls[type] ?? 0) + 1;
  const now = () => Math.floor(Date.now() / 1000);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  /** The session token: a `session` cookie (WebSocket handshake) or a Bearer header (emulated). */
  const tokenOf = (/** @type {Request} */ request) => {
    const cookie = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
    if (cookie) return { token: cookie, via: "cookie" };
    const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    return bearer ? { token: bearer, via: "authorization" } : undefined;
  };

  /** @type {Record<string, (request: Request) => Promise<Response>>} */
  const routes = {
    "/connect": connectHandler((req, request) => {
      count("connect");
      const scenario = req.data?.scenario;
      if (scenario === "ban") throw new ProxyDisconnect(4501, "banned");
      const session = tokenOf(request);
      if (!session?.token.startsWith("good-")) return new ProxyError(1401, "unauthorized");
      const user = session.token.slice("good-".length);
      return {
        user,
        info: { name: user, runtime },
        data: { welcome: user, runtime, via: session.via },
        channels: [`px:server-${user}`],
        meta: { tenant: "t1" },
        ...(req.data?.expireIn ? { expire_at: now() + req.data.expireIn } : {}),
      };
    }, options),

    "/refresh": refreshHandler((req) => {
      count("refresh");
      if (req.user.startsWith("expire-")) return { expired: true };
      return { expire_at: now() + 60, info: { name: req.user, runtime, refreshed: true } };
    }, options),

    "/subscribe": subscribeHandler((req) => {
      count("subscribe");
      const room = req.channel.slice("px:".length);
      if (room.startsWith("denied")) return new ProxyError(1403, "denied");
      if (room.startsWith("kick")) return new ProxyDisconnect(4001, "kicked");
      if (room.startsWith("expiring")) return { expire_at: now() + 1 };
      return {
        data: { joined: req.channel, user: req.user, runtime },
        info: { room, tenant: req.meta?.tenant },
      };
    }, options),

    "/publish": publishHandler((req) => {
      count("publish");
      const text = req.data?.text;
      if (text === "forbidden") return new ProxyError(1403, "read only");
      return { data: { text: String(text).toUpperCase(), by: req.user, runtime } };
    }, options),

    "/rpc": rpcHandler((req) => {
      count("rpc");
      if (req.encoding === "binary") {
        // binary_encoding: data came as base64, decoded into bytes.
        if (!(req.data instanceof Uint8Array)) throw new Error("binary data was not decoded");
        if (req.protocol === "protobuf") return { data: req.data.slice().reverse() };
        const text = decoder.decode(req.data);
        return { data: encoder.encode(JSON.stringify({ got: JSON.parse(text), runtime })) };
      }
      switch (req.method) {
        case "echo":
          return { data: { echo: req.data, user: req.user, runtime } };
        case "fail":
          throw new ProxyError(1404, "no such thing");
        case "busy":
          return new ProxyError(1503, "try later", { temporary: true });
        case "boom":
          throw new Error("database password is hunter2");
        case "badfield":
          return { data: 1, user: "not a field of RpcResult" };
        default:
          return new ProxyError(1400, `unknown method ${req.method}`);
      }
    }, options),

    "/sub_refresh": subRefreshHandler((req) => {
      count("sub_refresh");
      if (req.channel.includes("end")) return { expired: true };
      return { expire_at: now() + 60 };
    }, options),

    "/map_publish": mapPublishHandler((req) => {
      count("map_publish");
      if (req.key.startsWith("locked")) return new ProxyError(1403, "locked");
      return { key: `${req.key}-by-${req.user}`, data: { value: req.data, by: req.user, runtime } };
    }, options),

    "/map_remove": mapRemoveHandler((req) => {
      count("map_remove");
      if (req.key.startsWith("locked")) return new ProxyError(1403, "locked");
      return { key: `${req.key}-by-${req.user}` };
    }, options),

    "/shared_poll_refresh": sharedPollRefreshHandler((req) => {
      count("shared_poll_refresh");
      return {
        items: req.items.map(({ key, version }) => ({
          key,
          data: { key, channel: req.channel, runtime },
          version: version + 1,
        })),
      };
    }, options),

    "/calls": () => Promise.resolve(Response.json({ calls, errors })),
  };

  return {
    handle(request) {
      const route = routes[new URL(request.url).pathname];
      return route ? route(request) : Promise.resolve(new Response("not found", { status: 404 }));
    },
  };
}
