// A Node user's proxy handlers in TypeScript: type-checked against the
// emitted npm/ declarations of ./proxy and ./node like consumer.ts (no Deno or
// Node types): the answers each type may give, its request's fields.

import {
  connectHandler,
  type ConnectResult,
  ProxyDisconnect,
  ProxyError,
  type ProxyHandler,
  refreshHandler,
  rpcHandler,
  sharedPollRefreshHandler,
} from "@aiocent/aiocent/proxy";
import { toNodeHandler } from "@aiocent/aiocent/node";

export function handlers(): ProxyHandler[] {
  const connect = connectHandler(async (req, request): Promise<ConnectResult | ProxyError> => {
    const user: string | null = await Promise.resolve(request.headers.get("x-user"));
    if (user === null) return new ProxyError(1401, "unauthorized");
    return { user, data: { transport: req.transport }, expire_at: 2_000_000_000 };
  }, { maxBodyBytes: 65_536, onError: (error, { proxy, status }) => [error, proxy, status] });
  const rpc = rpcHandler((req) =>
    req.method === "ban" ? new ProxyDisconnect(4501, "banned") : { data: new Uint8Array([1]) }
  );
  const refresh = refreshHandler((req) => ({ expired: req.user === "" }));
  const poll = sharedPollRefreshHandler((req) => ({
    items: req.items.map(({ key, version }) => ({ key, data: {}, version: version + 1 })),
  }));
  toNodeHandler(connect);
  // What a type cannot carry does not compile.
  // @ts-expect-error: a refresh cannot answer an error.
  refreshHandler(() => new ProxyError(1400, "no"));
  // @ts-expect-error: a shared-poll refresh cannot answer a disconnect.
  sharedPollRefreshHandler(() => new ProxyDisconnect(4500, "no"));
  return [connect, rpc, refresh, poll];
}
