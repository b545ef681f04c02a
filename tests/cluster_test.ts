// Two Centrifugo nodes on one Redis (the Redis engine): a publish through
// node A's API reaches a WebSocket subscriber connected to node B and is in
// B's history; with A killed, calls to A reject at once with a RequestError
// (connection refused, not a timeout) while a client of B keeps working.
//
// Needs redis-server (apt-get install redis-server): without it this test
// fails, it is not skipped.

import assert from "node:assert/strict";
import { Client, RequestError, RequestTimeoutError } from "@aiocent/aiocent";
import { API_KEY, type Centrifugo, startMany } from "./_centrifugo.ts";
import { startRedis } from "./_redis.ts";
import { connectSubscriber, type Subscriber } from "./_subscriber.ts";

const CHANNEL = "chat:cluster";

Deno.test("cluster: two nodes on one Redis", async (t) => {
  const redis = await startRedis();
  let nodes: Centrifugo[] = [];
  let subscriber: Subscriber | undefined;
  try {
    const engine = { engine: { type: "redis", redis: { address: [redis.url] } } };
    nodes = await startMany([engine], [engine]);
    const [a, b] = nodes as [Centrifugo, Centrifugo];
    const clientA = new Client(a.apiUrl, { apiKey: API_KEY });
    const clientB = new Client(b.apiUrl, { apiKey: API_KEY });

    await t.step("the nodes form one cluster", async () => {
      // Nodes announce themselves over Redis every 3 s; bounded wait.
      const deadline = Date.now() + 15_000;
      let names: string[] = [];
      while (Date.now() < deadline) {
        names = (await clientA.info()).nodes.map((node) => node.name);
        if (names.length === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(names.length, 2, `node A sees ${JSON.stringify(names)}`);
      assert.deepEqual(
        (await clientB.info()).nodes.map((node) => node.name).sort(),
        [...names].sort(),
      );
    });

    subscriber = await connectSubscriber(b.wsUrl, "bob");
    await subscriber.subscribe(CHANNEL);

    await t.step("a publish through A reaches a subscriber on B and B's history", async () => {
      const id = crypto.randomUUID();
      const { offset, epoch } = await clientA.publish(CHANNEL, { id, via: "A" });
      const event = await subscriber!.waitFor(
        "publication",
        (e) => e.channel === CHANNEL && (e.data as { id?: string }).id === id,
      );
      assert.deepEqual(event.data, { id, via: "A" });
      const history = await clientB.history(CHANNEL, { limit: -1 });
      assert.equal(history.epoch, epoch);
      assert.deepEqual(
        history.publications.filter((p) => (p.data as { id?: string }).id === id),
        [{ data: { id, via: "A" }, offset }],
      );
    });

    await t.step("with A killed, calls to A reject fast with a RequestError", async () => {
      await a.kill("SIGKILL");
      const dead = new Client(a.apiUrl, { apiKey: API_KEY, timeout: 1500 });
      const calls: [string, () => Promise<unknown>][] = [
        ["publish", () => dead.publish(CHANNEL, { via: "dead A" })],
        ["history", () => dead.history(CHANNEL, { limit: -1 })],
        ["info", () => dead.info()],
        ["publish again", () => clientA.publish(CHANNEL, { via: "dead A" })],
      ];
      for (const [what, call] of calls) {
        const started = performance.now();
        await assert.rejects(call(), (err: unknown) => {
          assert.ok(err instanceof RequestError, `${what}: ${err}`);
          assert.ok(!(err instanceof RequestTimeoutError), `${what} timed out: ${err.message}`);
          assert.equal(err.status, undefined);
          assert.match(err.message, /connection refused/i, what);
          return true;
        });
        const elapsed = performance.now() - started;
        assert.ok(elapsed < 2000, `${what} took ${elapsed.toFixed(0)} ms to reject`);
      }
    });

    await t.step("a client of B keeps working: publish, delivery, history", async () => {
      const id = crypto.randomUUID();
      const { offset } = await clientB.publish(CHANNEL, { id, via: "B" });
      await subscriber!.waitFor(
        "publication",
        (e) => e.channel === CHANNEL && (e.data as { id?: string }).id === id,
      );
      const history = await clientB.history(CHANNEL, { limit: -1 });
      assert.deepEqual(
        history.publications.map((p) => (p.data as { via: string }).via),
        ["A", "B"],
        "the publication through A is still there, then B's; nothing from the dead node",
      );
      assert.equal(history.publications.at(-1)!.offset, offset);
    });
  } finally {
    await subscriber?.close();
    await Promise.all(nodes.map((node) => node.stop()));
    await redis.stop();
  }
});
