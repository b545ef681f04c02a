// Draining shutdown: close({ timeout }) refuses new calls, sends what is
// queued, waits for calls in flight up to the timeout, then abandons the rest
// and releases everything; `await using` closes a client at the end of its
// scope. Against a fake server that holds requests until told to answer.

import assert from "node:assert/strict";
import { Client, RequestError } from "@aiocent/aiocent";
import { API_KEY, startCentrifugo } from "./_centrifugo.ts";

/** A fake server holding every request until `release()`; counts what arrived. */
function holdingServer() {
  const holds: (() => void)[] = [];
  let arrived = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const batch = new URL(req.url).pathname.endsWith("/batch");
    const body = await req.json() as { commands?: Record<string, unknown>[] };
    arrived += batch ? body.commands!.length : 1;
    await new Promise<void>((resolve) => holds.push(resolve));
    if (!batch) return Response.json({ result: {} });
    return Response.json({ replies: body.commands!.map((c) => ({ [Object.keys(c)[0]!]: {} })) });
  });
  return {
    api: `http://127.0.0.1:${server.addr.port}/api`,
    arrived: () => arrived,
    waiting: () => holds.length,
    release() {
      while (holds.length) holds.shift()!();
    },
    async close() {
      this.release();
      await server.shutdown();
    },
  };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
};

Deno.test("close() drains the client", async (t) => {
  const fake = holdingServer();
  try {
    await t.step("calls in flight finish; new ones are refused", async () => {
      const client = new Client(fake.api, { timeout: 10_000 });
      const inFlight = client.info();
      await until(() => fake.waiting() === 1);
      const closing = client.close();
      await assert.rejects(client.info(), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.message, "info: the client is closed");
        return true;
      });
      let closed = false;
      closing.then(() => closed = true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(closed, false, "close() did not wait for the call in flight");
      fake.release();
      assert.deepEqual(await inFlight, {});
      await closing;
      assert.equal(client.close(), closing, "a second close() is the same promise");
    });

    await t.step("calls queued for auto-batching are sent, not dropped", async () => {
      const client = new Client(fake.api, {
        timeout: 10_000,
        autoBatch: { maxInFlight: 1, maxDelayMs: 10_000 },
      });
      const before = fake.arrived();
      // With a long maxDelayMs the calls would sit in the queue; close sends them.
      const queued = [client.info(), client.presence("a"), client.history("b")];
      const closing = client.close();
      await until(() => fake.waiting() === 1);
      assert.equal(fake.arrived() - before, 3);
      fake.release();
      assert.deepEqual(await Promise.all(queued), [{}, {}, {}]);
      await closing;
    });

    await t.step("past the timeout, calls still running are abandoned", async () => {
      for (const autoBatch of [false, true]) {
        const client = new Client(fake.api, { timeout: 60_000, autoBatch });
        const stuck = client.publish("ch", 1);
        const stuck2 = client.info();
        await until(() => fake.waiting() >= (autoBatch ? 1 : 2));
        const started = Date.now();
        await client.close({ timeout: 100 });
        assert.ok(Date.now() - started < 2000);
        for (const call of [stuck, stuck2]) {
          await assert.rejects(call, (err: unknown) => {
            assert.ok(err instanceof RequestError, String(err));
            assert.match(err.message, /abandoned: the client was closed$/);
            return true;
          });
        }
        fake.release();
      }
    });

    await t.step("bad close options are refused", async () => {
      const client = new Client(fake.api);
      await assert.rejects(client.close({ timeout: -1 }), /^TypeError: close: timeout must be/);
      await assert.rejects(
        client.close({ wait: 1 } as never),
        /^TypeError: close: options must be \{ timeout\? \}/,
      );
      await client.close();
    });
  } finally {
    await fake.close();
  }
});

Deno.test("await using closes the client at the end of its scope", async () => {
  const server = await startCentrifugo();
  let escaped: Client | undefined;
  try {
    {
      await using client = new Client(server.apiUrl, { apiKey: API_KEY });
      escaped = client;
      assert.ok((await client.publish("chat:dispose", 1)).offset! >= 1);
    }
    await assert.rejects(escaped!.info(), /info: the client is closed/);
  } finally {
    await server.stop();
  }
});
