// Serves the proxy test app (tests/_proxy_app.mjs) on the runtime running
// this file, the way its users would: node:http through toNodeHandler on
// Node, Bun.serve on Bun, Deno.serve on Deno. tests/runtimes_test.ts points a
// real Centrifugo's proxies at it and drives real clients
// (tests/_proxy_scenarios.ts). Prints "LISTENING <port>" once serving and
// exits when its stdin closes.
//
//   AIOCENT_PROXY_MODULE  the @aiocent/aiocent/proxy module (npm build or source)
//   AIOCENT_NODE_MODULE   the @aiocent/aiocent/node module (Node only)
//   RUNTIME               the name the app puts in its answers

import { proxyApp } from "../_proxy_app.mjs";

const env = typeof Deno !== "undefined" ? Deno.env.toObject() : process.env;
const proxy = await import(env.AIOCENT_PROXY_MODULE);
const app = proxyApp(proxy, env.RUNTIME);

let stop;
let port;
if (typeof Bun !== "undefined") {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.handle });
  port = server.port;
  stop = () => server.stop(true);
} else if (typeof Deno !== "undefined") {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.handle);
  port = server.addr.port;
  stop = () => server.shutdown();
} else {
  const http = await import("node:http");
  const { toNodeHandler } = await import(env.AIOCENT_NODE_MODULE);
  const server = http.createServer(toNodeHandler(app.handle));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = server.address().port;
  stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    });
}
console.log(`LISTENING ${port}`);

// Until the test closes our stdin.
if (typeof Deno !== "undefined") {
  for await (const _ of Deno.stdin.readable) {
    // Nothing is sent; the loop ends when stdin closes.
  }
} else {
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on("end", resolve).on("close", resolve));
}
await stop();
if (typeof Deno !== "undefined") Deno.exit(0);
else process.exit(0);
