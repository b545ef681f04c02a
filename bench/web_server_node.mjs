// The Node side of the web-server benchmark (bench/web.ts): a node:http app
// on 127.0.0.1:<port> publishing once per incoming request, with node:http
// and a timer by hand (the baseline), the client of the npm build, or the
// client with auto-batching:
//
//   node bench/web_server_node.mjs http|client|autobatch <port> <api url> <api key> <mod.js>
//
// mod.js: the npm build's entry point. Prints "LISTENING <port>" once serving; runs until killed.

import http from "node:http";

const [mode, port, api, key, npm] = process.argv.slice(2);
let counter = 0;
const channel = () => `web_${counter++ % 64}`;
const data = { text: "hello world" };

const publishers = {
  // The baseline: what an application writes by hand with node:http.
  http() {
    const target = new URL(`${api}/publish`);
    const agent = new http.Agent({ keepAlive: true });
    return () =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify({ channel: channel(), data });
        const request = http.request({
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            "x-api-key": key,
            "content-length": Buffer.byteLength(body),
          },
        }, (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk) => text += chunk);
          response.on("end", () => {
            clearTimeout(timer);
            const reply = JSON.parse(text);
            if (response.statusCode !== 200 || reply.error) reject(new Error("publish failed"));
            else resolve(reply.result);
          });
        });
        const timer = setTimeout(() => request.destroy(new Error("timeout")), 5000);
        request.on("error", (err) => {
          clearTimeout(timer);
          reject(err);
        });
        request.end(body);
      });
  },
  async client() {
    const { Client } = await import(npm);
    const client = new Client(api, { apiKey: key, timeout: 5000 });
    return () => client.publish(channel(), data);
  },
  async autobatch() {
    const { Client } = await import(npm);
    const client = new Client(api, { apiKey: key, timeout: 5000, autoBatch: true });
    return () => client.publish(channel(), data);
  },
};
const make = publishers[mode];
if (!make || !port || !api || !key || (mode !== "http" && !npm)) {
  console.error(
    "usage: web_server_node.mjs http|client|autobatch <port> <api url> <api key> <mod.js>",
  );
  process.exit(2);
}
const publish = await make();
http.createServer((_request, response) => {
  publish().then(
    () => response.end("ok"),
    () => {
      response.statusCode = 502;
      response.end("failed");
    },
  );
}).listen(Number(port), "127.0.0.1", () => console.log(`LISTENING ${port}`));
