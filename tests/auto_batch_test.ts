// Auto-batching: concurrent calls coalesced into parallel /batch requests,
// each caller settled by its own reply, deadline and signal; a failed request
// rejects exactly the calls it carried. Mapping proven against a real
// Centrifugo, timing and failures with a fake server.

import assert from "node:assert/strict";
import {
  Client,
  type FetchLike,
  RequestError,
  RequestTimeoutError,
  ResponseError,
} from "@aiocent/aiocent";
import { API_KEY, NAMESPACES, startCentrifugo } from "./_centrifugo.ts";

/** A fetch that records the path and body of each request, then sends it. */
function recording(log: { path: string; body: string }[]): FetchLike {
  return (input, init) => {
    log.push({ path: new URL(String(input)).pathname, body: String(init?.body) });
    return fetch(input, init);
  };
}

Deno.test("auto-batching against a real Centrifugo", async (t) => {
  const server = await startCentrifugo();
  const log: { path: string; body: string }[] = [];
  const client = new Client(server.apiUrl, {
    apiKey: API_KEY,
    timeout: 5000,
    fetch: recording(log),
    autoBatch: true,
  });
  try {
    await t.step(
      "300 concurrent publishes: 2 batch requests, each caller its own offset",
      async () => {
        log.length = 0;
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) => client.publish("ab-many", { i })),
        );
        assert.deepEqual(log.map((r) => r.path), ["/api/batch", "/api/batch"]);
        assert.deepEqual(
          log.map((r) => JSON.parse(r.body).commands.length),
          [256, 44],
        );
        // One channel: its publications go in order, so the batches run in order.
        assert.ok(log.every((r) => JSON.parse(r.body).parallel === undefined));
        assert.deepEqual(
          results.map((r) => r.offset),
          Array.from({ length: 300 }, (_, i) => i + 1),
        );
        const history = await client.history("ab-many", { limit: -1 });
        const sent = history.publications.map((p) => (p.data as { i: number }).i).sort((a, b) =>
          a - b
        );
        assert.deepEqual(sent, Array.from({ length: 300 }, (_, i) => i));
        // Each caller got the offset of its own publication.
        const byI = new Map(
          history.publications.map((p) => [(p.data as { i: number }).i, p.offset]),
        );
        results.forEach((r, i) => assert.equal(r.offset, byI.get(i)));
      },
    );

    await t.step(
      "maxDelayMs 0: calls made together share a request; a lone call goes as its plain request",
      async () => {
        log.length = 0;
        await client.publish("ab-tick", 1);
        await Promise.all([
          client.info(),
          client.presenceStats("ab-tick-2"),
          client.history("ab-tick-3"),
        ]);
        // Two timer callbacks are two tasks: each one's call leaves with that task.
        await Promise.all(
          [0, 1].map((n) =>
            new Promise((resolve) => setTimeout(() => resolve(client.publish("ab-tick", n)), 0))
          ),
        );
        assert.deepEqual(log.map((r) => r.path), [
          "/api/publish",
          "/api/batch",
          "/api/publish",
          "/api/publish",
        ]);
        assert.equal(JSON.parse(log[1]!.body).commands.length, 3);
        assert.deepEqual(JSON.parse(log[0]!.body), { channel: "ab-tick", data: 1 });
        // A lone call's error is its own ResponseError, as in a batch.
        log.length = 0;
        await assert.rejects(client.publish("nosuchns:x", 1), (err: unknown) => {
          assert.ok(err instanceof ResponseError);
          assert.equal(err.code, 102);
          assert.equal(err.method, "publish");
          return true;
        });
        assert.deepEqual(log.map((r) => r.path), ["/api/publish"]);
      },
    );

    await t.step("mixed successes and per-command errors settle their own callers", async () => {
      log.length = 0;
      const outcomes = await Promise.allSettled([
        client.publish("ab-mixed", { ok: 1 }),
        client.publish("nosuchns:x", { bad: 1 }),
        client.history(`${NAMESPACES.bare}:x`),
        client.presenceStats("ab-mixed-stats"),
        // Its own channel: the commands of a parallel batch run in any order.
        client.broadcast(["ab-mixed-bc", "nosuchns:y"], { b: 1 }),
        client.rpc("nosuch"),
        client.info(),
      ]);
      assert.equal(log.length, 1);
      const [pub, bad, nohist, stats, bc, rpc, info] = outcomes;
      assert.ok(pub.status === "fulfilled" && pub.value.offset === 1);
      for (
        const [outcome, method, code] of [
          [bad, "publish", 102],
          [nohist, "history", 108],
          [rpc, "rpc", 104],
        ] as const
      ) {
        assert.ok(outcome.status === "rejected");
        assert.ok(outcome.reason instanceof ResponseError);
        assert.equal(outcome.reason.code, code);
        assert.equal(outcome.reason.method, method);
      }
      assert.ok(stats.status === "fulfilled");
      assert.deepEqual(stats.value, { num_clients: 0, num_users: 0 });
      assert.ok(bc.status === "fulfilled");
      assert.deepEqual(bc.value.responses.map((r) => r.ok), [true, false]);
      assert.ok(info.status === "fulfilled" && info.value.nodes.length === 1);
    });

    await t.step("call() of a PRO method is sent on its own: a 404, not a 104", async () => {
      log.length = 0;
      await assert.rejects(
        client.call("get_user_status", { users: ["u"] }),
        (err: unknown) => err instanceof RequestError && err.status === 404,
      );
      assert.deepEqual(log.map((r) => r.path), ["/api/get_user_status"]);
    });

    await t.step("an argument error rejects only its caller", async () => {
      log.length = 0;
      const [good, bad] = await Promise.allSettled([
        client.publish("ab-arg", { n: 1 }),
        client.publish("ab-arg", { n: 2n }),
      ]);
      assert.ok(good.status === "fulfilled");
      assert.ok(bad.status === "rejected" && bad.reason instanceof TypeError);
      assert.deepEqual(log.map((r) => r.path), ["/api/publish"]);
      assert.deepEqual(JSON.parse(log[0]!.body), { channel: "ab-arg", data: { n: 1 } });
    });
  } finally {
    await server.stop();
  }
});

Deno.test("auto-batching: deadlines, aborts and failed requests", async (t) => {
  // A fake Centrifugo: answers each request after `delay` ms with {} per
  // command (a plain request counts as one), or with `status` when set.
  let delay = 0;
  let status = 200;
  const batches: number[] = [];
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const fake = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const answer = status; // as it was when the request arrived
    const plain = !new URL(req.url).pathname.endsWith("/batch");
    const { commands } = await req.json() as { commands: Record<string, unknown>[] };
    batches.push(plain ? 1 : commands.length);
    await Promise.race([new Promise((r) => setTimeout(r, delay)), released]);
    if (answer !== 200) return new Response("unavailable", { status: answer });
    if (plain) return new Response('{"result":{}}');
    const replies = commands.map((c) => ({ [Object.keys(c)[0]!]: {} }));
    return new Response(JSON.stringify({ replies }));
  });
  const api = `http://127.0.0.1:${fake.addr.port}/api`;
  const client = new Client(api, { autoBatch: { maxSize: 50, maxDelayMs: 5 }, timeout: 5000 });
  try {
    await t.step("each caller's timeout holds inside a shared request", async () => {
      delay = 400;
      batches.length = 0;
      const started = Date.now();
      const [impatient, patient] = await Promise.allSettled([
        client.info({ timeout: 100 }),
        client.info({ timeout: 3000 }),
      ]);
      assert.deepEqual(batches, [2]);
      assert.ok(impatient.status === "rejected");
      assert.ok(impatient.reason instanceof RequestTimeoutError);
      assert.equal(impatient.reason.timeout, 100);
      assert.match(impatient.reason.message, /^info: POST .*\/api\/batch timed out after 100 ms$/);
      assert.ok(patient.status === "fulfilled");
      assert.ok(Date.now() - started >= 350);
    });

    await t.step("a caller aborted while queued is not sent", async () => {
      delay = 0;
      batches.length = 0;
      const controller = new AbortController();
      const reason = new Error("no longer needed");
      const gone = client.info({ signal: controller.signal });
      const kept = client.info();
      controller.abort(reason);
      await assert.rejects(
        gone,
        (err: unknown) => err instanceof RequestError && err.cause === reason,
      );
      assert.deepEqual(await kept, {});
      assert.deepEqual(batches, [1]);
    });

    await t.step("a failed request rejects exactly the calls it carried", async () => {
      delay = 100;
      status = 503;
      batches.length = 0;
      const first = [client.info(), client.presence("a"), client.publish("b", 1)];
      await new Promise((r) => setTimeout(r, 30)); // the first batch is on its way
      status = 200;
      const second = [client.info(), client.history("c")];
      const [a, b] = await Promise.all([Promise.allSettled(first), Promise.allSettled(second)]);
      assert.deepEqual(batches, [3, 2]);
      for (const outcome of a) {
        assert.ok(outcome.status === "rejected");
        assert.ok(outcome.reason instanceof RequestError && outcome.reason.status === 503);
      }
      assert.deepEqual(b.map((o) => o.status), ["fulfilled", "fulfilled"]);
    });

    await t.step("bad autoBatch options are TypeErrors", () => {
      for (
        const autoBatch of [
          { maxSize: 0 },
          { maxSize: 1.5 },
          { maxDelayMs: -1 },
          { maxDelayMs: 2 ** 31 },
          { size: 3 },
          5,
          null,
        ]
      ) {
        assert.throws(() => new Client(api, { autoBatch: autoBatch as never }), TypeError);
      }
      assert.throws(
        () => new Client(api, { autoBatch: true, format: "legacy" }),
        /needs the v6 format/,
      );
    });
  } finally {
    release();
    await fake.shutdown();
  }
});

Deno.test("auto-batching keeps each channel's order, against a real Centrifugo", async (t) => {
  const server = await startCentrifugo();
  const log: { path: string; body: string }[] = [];
  const client = new Client(server.apiUrl, {
    apiKey: API_KEY,
    timeout: 10_000,
    fetch: recording(log),
    autoBatch: true,
  });
  const stored = async (channel: string) =>
    (await client.history(channel, { limit: -1 })).publications.map((p) => p.data);
  try {
    await t.step(
      "five publishes made in order are stored in order, 200 of 200 rounds",
      async () => {
        let outOfOrder = 0;
        for (let round = 0; round < 200; round++) {
          const channel = `order-${round}`;
          await Promise.all([0, 1, 2, 3, 4].map((i) => client.publish(channel, { i })));
          const data = await stored(channel);
          if (JSON.stringify(data) !== JSON.stringify([0, 1, 2, 3, 4].map((i) => ({ i })))) {
            outOfOrder++;
          }
        }
        assert.equal(outOfOrder, 0);
      },
    );

    await t.step("many channels interleaved: each in order, the others in parallel", async () => {
      log.length = 0;
      const channels = Array.from({ length: 20 }, (_, c) => `mix-${c}`);
      const calls = [];
      for (let i = 0; i < 5; i++) {
        for (const channel of channels) calls.push(client.publish(channel, { i }));
        // A channel with a single publication goes in the parallel batch.
        calls.push(client.publish(`solo-${i}`, { i }));
      }
      await Promise.all(calls);
      for (const channel of channels) {
        assert.deepEqual(await stored(channel), [0, 1, 2, 3, 4].map((i) => ({ i })), channel);
      }
      const bodies = log.filter((r) => r.path === "/api/batch").map((r) => JSON.parse(r.body));
      const parallel = bodies.filter((b) => b.parallel === true);
      const ordered = bodies.filter((b) => b.parallel === undefined);
      assert.equal(parallel.length, 1);
      assert.deepEqual(
        parallel[0].commands.map((c: { publish: { channel: string } }) => c.publish.channel),
        [0, 1, 2, 3, 4].map((i) => `solo-${i}`),
      );
      assert.equal(ordered.length, 1);
      assert.equal(ordered[0].commands.length, 100);
    });

    await t.step("a call waits while an earlier call into its channel is in flight", async () => {
      log.length = 0;
      const first = client.publish("wait-a", { n: 1 });
      // Another task: the first call is already on its way.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const second = client.publish("wait-a", { n: 2 });
      const other = client.publish("wait-b", { n: 1 });
      await Promise.all([first, second, other]);
      assert.deepEqual(await stored("wait-a"), [{ n: 1 }, { n: 2 }]);
      // wait:b did not wait for wait:a's first call; wait:a's second did.
      const paths = log.map((r) => JSON.parse(r.body).channel ?? "batch");
      assert.equal(paths[0], "wait-a");
      assert.equal(paths.at(-1), "wait-a");
    });
  } finally {
    await server.stop();
  }
});

Deno.test("auto-batching is paced by requests in flight", async (t) => {
  // A fake Centrifugo that holds each request until released, recording its size.
  const sizes: number[] = [];
  const holds: (() => void)[] = [];
  const fake = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const batch = new URL(req.url).pathname.endsWith("/batch");
    const body = await req.json() as { commands?: Record<string, unknown>[] };
    sizes.push(batch ? body.commands!.length : 1);
    await new Promise<void>((resolve) => holds.push(resolve));
    if (!batch) return new Response('{"result":{}}');
    return Response.json({ replies: body.commands!.map((c) => ({ [Object.keys(c)[0]!]: {} })) });
  });
  const api = `http://127.0.0.1:${fake.addr.port}/api`;
  const waitFor = async (n: number) => {
    while (sizes.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  try {
    await t.step("below maxInFlight a call leaves at once; at it, calls queue", async () => {
      const client = new Client(api, { autoBatch: { maxInFlight: 2 }, timeout: 5000 });
      const calls = [client.info()];
      await waitFor(1); // left alone, at once
      calls.push(client.info());
      await waitFor(2); // a second slot: also at once
      calls.push(client.info(), client.info(), client.info());
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(sizes, [1, 1], "calls left while both slots were taken");
      holds.shift()!(); // one request completes: the queue leaves as one batch
      await waitFor(3);
      assert.deepEqual(sizes, [1, 1, 3]);
      while (holds.length) holds.shift()!();
      await Promise.all(calls);
    });
  } finally {
    while (holds.length) holds.shift()!();
    await fake.shutdown();
  }
});
