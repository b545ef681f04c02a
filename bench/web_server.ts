// One side of the web-server benchmark (bench/web.ts): a Deno.serve app on
// 127.0.0.1:<port> that publishes once per incoming request into Centrifugo,
// the way an application publishes (a request comes in, one publish, answer
// when it is done), in one of three ways:
//
//   deno run -A bench/web_server.ts fetch|client|autobatch <port> <api url> <api key> [module]
//
// module: the mod.ts to load the client from (default: this checkout's; the
// benchmark passes its snapshot of the source). Prints "LISTENING <port>" once serving; runs until killed.

const [mode, port, api, key, modulePath] = Deno.args;
if (!mode || !port || !api || !key) {
  console.error("usage: web_server.ts fetch|client|autobatch <port> <api url> <api key>");
  Deno.exit(2);
}
const source = modulePath
  ? new URL(`file://${modulePath}`).href
  : new URL("../mod.ts", import.meta.url).href;
const { Client } = await import(source) as typeof import("../mod.ts");
let counter = 0;
const channel = () => `web_${counter++ % 64}`;
const data = { text: "hello world" };

type Publish = () => Promise<unknown>;
const publishers: Record<string, () => Publish> = {
  // The baseline: what an application writes by hand with fetch and a timeout.
  fetch() {
    const url = `${api}/publish`;
    const headers = { "content-type": "application/json", "x-api-key": key };
    return async () => {
      const response = await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify({ channel: channel(), data }),
        signal: AbortSignal.timeout(5000),
      });
      const reply = await response.json();
      if (!response.ok || reply.error) throw new Error(`publish failed: ${response.status}`);
      return reply.result;
    };
  },
  client() {
    const client = new Client(api, { apiKey: key, timeout: 5000 });
    return () => client.publish(channel(), data);
  },
  autobatch() {
    const client = new Client(api, { apiKey: key, timeout: 5000, autoBatch: true });
    return () => client.publish(channel(), data);
  },
};
const make = publishers[mode];
if (!make) {
  console.error(`unknown mode ${mode}`);
  Deno.exit(2);
}
const publish = make();
Deno.serve({ hostname: "127.0.0.1", port: Number(port), onListen() {} }, async () => {
  try {
    await publish();
    return new Response("ok");
  } catch {
    return new Response("failed", { status: 502 });
  }
});
console.log(`LISTENING ${port}`);
