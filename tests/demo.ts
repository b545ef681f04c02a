// `deno task demo`: starts a throwaway local Centrifugo (the way the tests do),
// runs the README's quick start against it with a real WebSocket subscriber
// listening, prints each result, and stops the server.

import { Batch, Client, RequestError, ResponseError } from "@aiocent/aiocent";
import { API_KEY, startCentrifugo } from "./_centrifugo.ts";
import { connectSubscriber } from "./_subscriber.ts";

const show = (label: string, value: unknown) =>
  console.log(`${label.padEnd(34)} ${JSON.stringify(value)}`);

const server = await startCentrifugo();
console.log(`Centrifugo is running at ${server.origin} (API: ${server.apiUrl})\n`);
const subscriber = await connectSubscriber(server.wsUrl, "user42");
try {
  const client = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 1000 });
  await subscriber.subscribe("public:chat");

  // Publish data into a channel; a WebSocket subscriber receives it.
  show("publish", await client.publish("public:chat", { input: "test" }));
  const delivered = await subscriber.waitFor("publication");
  show("  received by the WebSocket client", delivered.data);

  // Server-side subscription management and connection control.
  show("subscribe(user42, news)", await client.subscribe("user42", "news"));
  show("  user42's client now in", (await subscriber.waitFor("subscribed")).channel);
  show("presence", await client.presence("public:chat"));
  show("presenceStats", await client.presenceStats("public:chat"));
  show("history", await client.history("public:chat", { limit: 10 }));
  show("channels", await client.channels());
  const { nodes } = await client.info();
  show("info", nodes.map(({ name, version, uptime }) => ({ name, version, uptime })));
  show("unsubscribe(user42, news)", await client.unsubscribe("user42", "news"));
  show("historyRemove", await client.historyRemove("public:chat"));
  show("history after remove", await client.history("public:chat", { limit: 10 }));

  // Map channels: keyed state, conditional writes, paged reads.
  show("mapPublish(board:1, a1)", await client.mapPublish("board:1", "a1", { mark: "x" }));
  show(
    "  again, key_mode if_new",
    await client.mapPublish("board:1", "a1", { mark: "o" }, { key_mode: "if_new" }),
  );
  show("mapReadState", await client.mapReadState("board:1", { limit: 10 }));

  // Many commands in one request: one reply per command.
  const replies = await client.send(
    new Batch().publish("public:chat", { n: 1 }).publish("nosuchns:x", { n: 2 }).presenceStats(
      "public:chat",
    ),
  );
  show(
    "send(batch)",
    replies.map((r) =>
      r.ok ? { method: r.method, result: r.result } : {
        method: r.method,
        error: `${r.error.code} ${r.error.reason}`,
      }
    ),
  );

  // Errors are typed.
  try {
    await client.publish("nosuchns:chat", { input: "test" });
  } catch (err) {
    if (!(err instanceof ResponseError)) throw err;
    show("publish to an unknown namespace", `${err.name} ${err.code}: ${err.message}`);
  }
  try {
    await new Client(server.apiUrl, { apiKey: "wrong" }).info();
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    show("info with a wrong key", `${err.name} ${err.status}: ${err.message}`);
  }

  show("disconnect(user42)", await client.disconnect("user42"));
  show("  the WebSocket client saw", await subscriber.waitFor("disconnected"));
} finally {
  await subscriber.close();
  await server.stop();
}
console.log("\nDone: Centrifugo stopped.");
