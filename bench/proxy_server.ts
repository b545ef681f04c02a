// One side of the proxy handler benchmark (bench/proxy.ts): serves, with
// Deno.serve on 127.0.0.1:<port>, a bare JSON handler or the connect proxy
// handler doing the same work (read the JSON body, answer the user), plainly
// or, as a connect proxy that authenticates does, also reading a header:
//
//   deno run -A bench/proxy_server.ts bare|handler|bareAuth|handlerAuth <port>
//
// Prints "LISTENING <port>" once serving; runs until killed.

import { connectHandler } from "../proxy.ts";

const [mode, port] = Deno.args;
const handlers: Record<string, (request: Request) => Promise<Response>> = {
  // The baseline: what a hand-written proxy endpoint does, and no more.
  async bare(request) {
    const body = await request.json();
    return Response.json({ result: { user: body.client } });
  },
  // The same answer through the library: method, size and shape checked, the
  // answer checked against ConnectResult.
  handler: connectHandler((req) => ({ user: req.client })),
  async bareAuth(request) {
    const body = await request.json();
    return Response.json({ result: { user: request.headers.get("authorization") ?? body.client } });
  },
  handlerAuth: connectHandler((req, request) => ({
    user: request.headers.get("authorization") ?? req.client,
  })),
};
const handler = handlers[mode ?? ""];
if (!handler || !port) {
  console.error("usage: proxy_server.ts bare|handler|bareAuth|handlerAuth <port>");
  Deno.exit(2);
}
Deno.serve({ hostname: "127.0.0.1", port: Number(port), onListen() {} }, handler);
console.log(`LISTENING ${port}`);
