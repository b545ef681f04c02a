// The request hook: onRequest is called once per HTTP request — every
// attempt, every node — with what it carried and how it went, and cannot
// break a call. And the README's OpenTelemetry recipe: the active trace goes
// to Centrifugo as a traceparent header (with @opentelemetry/api, a
// test-only dependency).

import assert from "node:assert/strict";
import { context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { Batch, Client, type FetchLike, type RequestInfo, ResponseError } from "@aiocent/aiocent";
import { API_KEY, startCentrifugo } from "./_centrifugo.ts";
import { json, withFake } from "./_fake.ts";

Deno.test("onRequest against a real Centrifugo", async (t) => {
  const server = await startCentrifugo();
  const seen: RequestInfo[] = [];
  const client = new Client(server.apiUrl, { apiKey: API_KEY, onRequest: (i) => seen.push(i) });
  try {
    await t.step("a call: its method, one command, the status and duration", async () => {
      seen.length = 0;
      await client.publish("chat:hook", { n: 1 });
      assert.equal(seen.length, 1);
      const [info] = seen;
      assert.equal(info!.method, "publish");
      assert.deepEqual(info!.methods, ["publish"]);
      assert.equal(info!.commands, 1);
      assert.equal(info!.failed, 0);
      assert.equal(info!.status, 200);
      assert.equal(info!.url, `${server.apiUrl}/publish`);
      assert.equal(info!.attempt, 1);
      assert.equal(info!.error, undefined);
      assert.ok(info!.duration > 0 && info!.duration < 5000);
    });

    await t.step("an API error: failed 1, the error", async () => {
      seen.length = 0;
      await assert.rejects(client.publish("nosuchns:x", 1), ResponseError);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.failed, 1);
      assert.ok(seen[0]!.error instanceof ResponseError);
    });

    await t.step("a batch: every method, and how many failed", async () => {
      seen.length = 0;
      await client.send(new Batch().publish("chat:hook", 1).publish("nosuchns:x", 1).info());
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.method, "batch");
      assert.deepEqual(seen[0]!.methods, ["publish", "publish", "info"]);
      assert.equal(seen[0]!.commands, 3);
      assert.equal(seen[0]!.failed, 1);
      assert.equal(seen[0]!.error, undefined);
    });
  } finally {
    await server.stop();
  }
});

Deno.test("onRequest: once per attempt, and a throwing hook breaks nothing", async (t) => {
  await t.step("each retry is its own request, counted up", async () => {
    const script = [new Response("", { status: 503 }), json({ result: {} })];
    await withFake((n) => script[n]!, async (api) => {
      const seen: RequestInfo[] = [];
      const client = new Client(api, {
        retry: { attempts: 3, minDelay: 1, maxDelay: 2 },
        onRequest: (i) => seen.push(i),
      });
      await client.info();
      assert.deepEqual(seen.map((i) => [i.attempt, i.status, i.error?.name]), [
        [1, 503, "RequestError"],
        [2, 200, undefined],
      ]);
    });
  });

  await t.step("a failover to another node is a request of its own", async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const dead = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/api`;
    listener.close();
    await withFake(() => json({ result: {} }), async (api) => {
      const seen: RequestInfo[] = [];
      await new Client([dead, api], { onRequest: (i) => seen.push(i) }).info();
      assert.deepEqual(seen.map((i) => [i.url, i.attempt, i.error !== undefined]), [
        [`${dead}/info`, 1, true],
        [`${api}/info`, 2, false],
      ]);
    });
  });

  await t.step("a hook that throws is reported, and the call resolves", async () => {
    await withFake(() => json({ result: { offset: 1 } }), async (api) => {
      const errors: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => errors.push(args);
      try {
        const client = new Client(api, {
          onRequest: () => {
            throw new Error("metrics backend down");
          },
        });
        assert.deepEqual(await client.publish("ch", 1), { offset: 1 });
      } finally {
        console.error = original;
      }
      assert.equal(errors.length, 1);
      assert.match(String((errors[0] as unknown[])[0]), /onRequest hook threw/);
    });
    assert.throws(
      () => new Client("http://x/api", { onRequest: "log" as never }),
      /^TypeError: Client: onRequest must be a function, got a string$/,
    );
  });
});

Deno.test("the OpenTelemetry recipe: the active trace reaches Centrifugo as traceparent", async () => {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  try {
    await withFake(() => json({ result: {} }), async (api, seen) => {
      // The README's recipe: a fetch that injects the active context.
      const tracingFetch: FetchLike = (input, init) => {
        const headers = new Headers(init?.headers);
        propagation.inject(context.active(), headers, {
          set: (carrier, key, value) => carrier.set(key, value),
        });
        return fetch(input, { ...init, headers });
      };
      const client = new Client(api, { fetch: tracingFetch });
      const span = trace.wrapSpanContext({
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        spanId: "00f067aa0ba902b7",
        traceFlags: 1,
      });
      await context.with(trace.setSpan(context.active(), span), () => client.info());
      await client.info(); // outside any span: no header
      assert.equal(
        seen[0]!.headers.get("traceparent"),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      );
      assert.equal(seen[1]!.headers.get("traceparent"), null);
    });
  } finally {
    context.disable();
    propagation.disable();
    manager.disable();
  }
});
