// Opt-in retries: which failures are retried, which methods, how often, within
// which deadline, and the proof that matters against a real Centrifugo: a
// publish whose first answer was lost is retried and stored exactly once.

import assert from "node:assert/strict";
import { Batch, Client, RequestError, RequestTimeoutError, ResponseError } from "@aiocent/aiocent";
import { backoff } from "../src/_retry.ts";
import { API_KEY, startCentrifugo } from "./_centrifugo.ts";

/** What a fake server saw. */
interface Seen {
  path: string;
  body: Record<string, unknown>;
}

/** Answers request number `n` (from 0) of a fake server. */
type Script = (n: number, seen: Seen) => Response | Promise<Response>;

async function withServer(script: Script, fn: (api: string, seen: Seen[]) => Promise<void>) {
  const seen: Seen[] = [];
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const one = { path: new URL(req.url).pathname, body: await req.json() };
    seen.push(one);
    const answer = script(seen.length - 1, one);
    return await Promise.race([answer, released.then(() => new Response(null, { status: 599 }))]);
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/api`, seen);
  } finally {
    release();
    await server.shutdown();
  }
}

const ok = () => new Response('{"result":{"offset":7,"epoch":"e"}}');
const status = (code: number) => () => new Response("busy", { status: code });
const failFirst = (count: number, fail: () => Response | Promise<Response>): Script => (n) =>
  n < count ? fail() : ok();
const hang = () => new Promise<Response>(() => {});
const fast = { minDelay: 1, maxDelay: 5 };

Deno.test("retries", async (t) => {
  await t.step("502, 503, 504 and 429 are retried; the same generated key each time", async () => {
    for (const code of [502, 503, 504, 429]) {
      await withServer(failFirst(2, status(code)), async (api, seen) => {
        const client = new Client(api, { retry: { attempts: 3, ...fast } });
        assert.deepEqual(await client.publish("ch", { n: 1 }), { offset: 7, epoch: "e" });
        assert.equal(seen.length, 3);
        const keys = seen.map((s) => s.body.idempotency_key);
        assert.match(
          String(keys[0]),
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        assert.deepEqual(keys, [keys[0], keys[0], keys[0]]);
      });
    }
  });

  await t.step("the caller's idempotency_key is kept", async () => {
    await withServer(failFirst(1, status(503)), async (api, seen) => {
      const client = new Client(api, { retry: { attempts: 2, ...fast } });
      await client.publish("ch", 1, { idempotency_key: "mine" });
      assert.deepEqual(seen.map((s) => s.body.idempotency_key), ["mine", "mine"]);
    });
  });

  await t.step("without retries nothing is repeated and no key is added", async () => {
    await withServer(failFirst(1, status(503)), async (api, seen) => {
      await assert.rejects(new Client(api).publish("ch", 1), (err: unknown) => {
        assert.ok(err instanceof RequestError && err.status === 503);
        assert.equal(err.attempts, 1);
        return true;
      });
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.body.idempotency_key, undefined);
    });
  });

  await t.step("exhausted attempts: the last error, with the attempt count", async () => {
    await withServer(status(503), async (api, seen) => {
      const client = new Client(api, { retry: { attempts: 4, ...fast } });
      await assert.rejects(client.history("ch"), (err: unknown) => {
        assert.ok(err instanceof RequestError && err.status === 503);
        assert.equal(err.attempts, 4);
        return true;
      });
      assert.equal(seen.length, 4);
    });
  });

  await t.step("client errors and Centrifugo's answers are not retried", async () => {
    for (const script of [status(400), status(401), status(404), status(500)]) {
      await withServer(script, async (api, seen) => {
        const client = new Client(api, { retry: { attempts: 5, ...fast } });
        await assert.rejects(
          client.info(),
          (err: unknown) => err instanceof RequestError && err.attempts === 1,
        );
        assert.equal(seen.length, 1);
      });
    }
    await withServer(
      () => new Response('{"error":{"code":100,"message":"internal"}}'),
      async (api, seen) => {
        const client = new Client(api, { retry: { attempts: 5, ...fast } });
        await assert.rejects(
          client.info(),
          (err: unknown) => err instanceof ResponseError && err.code === 100,
        );
        assert.equal(seen.length, 1);
      },
    );
  });

  await t.step("rpc and methods unknown to the library are never retried", async () => {
    await withServer(status(503), async (api, seen) => {
      const client = new Client(api, { retry: { attempts: 5, ...fast } });
      await assert.rejects(client.rpc("m", {}), RequestError);
      await assert.rejects(client.call("some_future_method", { users: ["u"] }), RequestError);
      await assert.rejects(client.send(new Batch().publish("a", 1).rpc("m")), RequestError);
      assert.equal(seen.length, 3);
      // A method the library knows is retried through call() too.
      await assert.rejects(
        client.call("info"),
        (err: unknown) => (err as RequestError).attempts === 5,
      );
      assert.equal(seen.length, 8);
    });
  });

  await t.step("retry: false per call turns them off; a per-call policy overrides", async () => {
    await withServer(status(503), async (api, seen) => {
      const client = new Client(api, { retry: { attempts: 5, ...fast } });
      await assert.rejects(
        client.info({ retry: false }),
        (err: unknown) => (err as RequestError).attempts === 1,
      );
      await assert.rejects(
        client.info({ retry: { attempts: 2, ...fast } }),
        (err: unknown) => (err as RequestError).attempts === 2,
      );
      assert.equal(seen.length, 3);
    });
  });

  await t.step("the call's timeout bounds all attempts", async () => {
    await withServer(status(503), async (api, seen) => {
      const client = new Client(api, {
        timeout: 300,
        retry: { attempts: 100, minDelay: 40, maxDelay: 40 },
      });
      const started = Date.now();
      await assert.rejects(client.info(), RequestError);
      assert.ok(Date.now() - started < 2000, "stopped near the deadline");
      assert.ok(seen.length >= 2 && seen.length < 100, `${seen.length} attempts within 300 ms`);
    });
  });

  await t.step("attemptTimeout abandons a hung attempt and retries", async () => {
    await withServer(failFirst(1, hang), async (api, seen) => {
      const client = new Client(api, {
        timeout: 5000,
        retry: { attempts: 2, ...fast, attemptTimeout: 100 },
      });
      assert.deepEqual(await client.presenceStats("ch"), { offset: 7, epoch: "e" });
      assert.equal(seen.length, 2);
    });
    await withServer(hang, async (api) => {
      const client = new Client(api, {
        timeout: 5000,
        retry: { attempts: 2, ...fast, attemptTimeout: 100 },
      });
      await assert.rejects(client.info(), (err: unknown) => {
        assert.ok(err instanceof RequestTimeoutError);
        assert.equal(err.timeout, 100);
        assert.equal(err.attempts, 2);
        assert.match(err.message, /attempt timed out after 100 ms/);
        return true;
      });
    });
  });

  await t.step("an abort during the backoff stops at once, cause kept", async () => {
    await withServer(status(503), async (api, seen) => {
      const client = new Client(api, {
        timeout: 10_000,
        retry: { attempts: 5, minDelay: 5000, maxDelay: 5000 },
      });
      const controller = new AbortController();
      const reason = new Error("shutting down");
      const pending = client.info({ signal: controller.signal });
      setTimeout(() => controller.abort(reason), 100);
      const started = Date.now();
      await assert.rejects(pending, (err: unknown) => {
        assert.ok(err instanceof RequestError && !(err instanceof RequestTimeoutError));
        assert.equal(err.cause, reason);
        return true;
      });
      assert.ok(Date.now() - started < 2000);
      assert.equal(seen.length, 1);
    });
  });

  await t.step("every wait is at least minDelay", async () => {
    const at: number[] = [];
    await withServer((n) => {
      at.push(performance.now());
      return n < 3 ? status(503)() : ok();
    }, async (api, seen) => {
      const client = new Client(api, { retry: { attempts: 4, minDelay: 60, maxDelay: 60 } });
      await client.info();
      assert.equal(seen.length, 4);
    });
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // A lower bound only: timers never fire early, but a busy machine may fire them late.
    for (const gap of gaps) assert.ok(gap >= 59, `a retry after ${gap.toFixed(1)} ms`);
  });

  await t.step("waits spread between minDelay and a cap doubling up to maxDelay", () => {
    const policy = { attempts: 10, minDelay: 100, maxDelay: 1000, attemptTimeout: undefined };
    const caps = [200, 400, 800, 1000, 1000];
    caps.forEach((cap, i) => {
      const draws = Array.from({ length: 2000 }, () => backoff(policy, i + 1));
      assert.ok(draws.every((d) => d >= 100 && d <= cap), `retry ${i + 1} within [100, ${cap}]`);
      // Spread, not a constant: the draws reach both ends of the range.
      assert.ok(Math.min(...draws) < 100 + (cap - 100) * 0.1);
      assert.ok(Math.max(...draws) > cap - (cap - 100) * 0.1);
    });
    const fixed = { ...policy, minDelay: 250, maxDelay: 250 };
    assert.deepEqual([1, 2, 7].map((n) => backoff(fixed, n)), [250, 250, 250]);
  });

  await t.step("a refused connection is retried", async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const client = new Client(`http://127.0.0.1:${port}/api`, { retry: { attempts: 3, ...fast } });
    await assert.rejects(client.info(), (err: unknown) => {
      assert.ok(err instanceof RequestError && err.status === undefined);
      assert.equal(err.attempts, 3);
      return true;
    });
  });

  await t.step("a batch of safe commands is retried, each publish with its own key", async () => {
    await withServer((n, seen) => {
      if (n === 0) return new Response(null, { status: 502 });
      const commands = (seen.body.commands as unknown[]).map(() => ({ publish: {} }));
      return new Response(JSON.stringify({ replies: commands }));
    }, async (api, seen) => {
      const client = new Client(api, { retry: { attempts: 2, ...fast } });
      const replies = await client.send(new Batch().publish("a", 1).publish("b", 2));
      assert.equal(replies.length, 2);
      const keys = seen.map((s) =>
        (s.body.commands as { publish: { idempotency_key: string } }[]).map((c) =>
          c.publish.idempotency_key
        )
      );
      assert.equal(keys.length, 2);
      assert.deepEqual(keys[0], keys[1]);
      assert.notEqual(keys[0]![0], keys[0]![1]);
    });
  });

  await t.step("bad retry options are TypeErrors", () => {
    for (
      const retry of [
        { attempts: 0 },
        { attempts: 1.5 },
        { attempts: 2, minDelay: -1 },
        {
          attempts: 2,
          minDelay: 10,
          maxDelay: 5,
        },
        { attempts: 2, attemptTimeout: 0 },
        { attempts: 2, attemptTimeout: 2 ** 31 },
        { attempts: 2, maxDelay: Infinity },
        { attempts: 2, tries: 3 },
        "yes",
      ]
    ) {
      assert.throws(
        () => new Client("http://127.0.0.1:1/api", { retry: retry as never }),
        TypeError,
      );
    }
  });
});

Deno.test("a publish whose answer was lost is retried and stored once by a real Centrifugo", async () => {
  const server = await startCentrifugo();
  // A proxy that delivers the first request to Centrifugo but loses the
  // answer (502), as a gateway that timed out would.
  let forwarded = 0;
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const answer = await fetch(`${server.origin}${url.pathname}`, {
      method: "POST",
      headers: req.headers,
      body: await req.text(),
    });
    const text = await answer.text();
    return ++forwarded === 1 ? new Response("lost", { status: 502 }) : new Response(text, answer);
  });
  try {
    const client = new Client(`http://127.0.0.1:${proxy.addr.port}/api`, {
      apiKey: API_KEY,
      retry: { attempts: 3, ...fast },
    });
    const result = await client.publish("retry-once", { unique: "payload" });
    assert.equal(forwarded, 2);
    const direct = new Client(server.apiUrl, { apiKey: API_KEY });
    const history = await direct.history("retry-once", { limit: -1 });
    assert.deepEqual(history.publications.map((p) => p.data), [{ unique: "payload" }]);
    assert.equal(result.offset, 1);
    // Without retries the same loss is an error, and a second try without a
    // key would have stored the publication twice: the key is what prevents it.
    await direct.publish("retry-twice", { n: 1 });
    await direct.publish("retry-twice", { n: 1 });
    assert.equal((await direct.history("retry-twice", { limit: -1 })).publications.length, 2);
  } finally {
    await proxy.shutdown();
    await server.stop();
  }
});

Deno.test("Retry-After and broadcasts", async (t) => {
  await t.step("a 429 or 503 Retry-After is honoured within the deadline", async () => {
    for (const status of [429, 503]) {
      const at: number[] = [];
      await withServer((n) => {
        at.push(performance.now());
        return n === 0
          ? new Response("slow down", { status, headers: { "retry-after": "1" } })
          : ok();
      }, async (api) => {
        const client = new Client(api, { retry: { attempts: 3, minDelay: 1, maxDelay: 5 } });
        await client.publish("ch", 1, { timeout: 5000 });
        assert.equal(at.length, 2);
        assert.ok(at[1]! - at[0]! >= 950, `retried after ${at[1]! - at[0]!} ms`);
      });
    }
  });

  await t.step("a Retry-After past the deadline ends the call at once", async () => {
    await withServer(
      () => new Response("", { status: 503, headers: { "retry-after": "60" } }),
      async (
        api,
        seen,
      ) => {
        const client = new Client(api, { retry: { attempts: 3, minDelay: 1, maxDelay: 5 } });
        const started = performance.now();
        await assert.rejects(client.info({ timeout: 2000 }), (err: unknown) => {
          assert.ok(err instanceof RequestError);
          assert.equal(err.retryAfter, 60_000);
          return true;
        });
        assert.ok(performance.now() - started < 1000);
        assert.equal(seen.length, 1);
      },
    );
  });

  await t.step("a broadcast resends only the channels that may still succeed", async () => {
    const answers = [
      {
        result: {
          responses: [
            { result: { offset: 1 } },
            { error: { code: 111, message: "too many requests" } },
            { error: { code: 102, message: "unknown channel" } },
            { error: { code: 100, message: "internal server error", temporary: true } },
          ],
        },
      },
      {
        result: {
          responses: [
            { result: { offset: 2 } },
            { error: { code: 100, message: "internal server error", temporary: true } },
          ],
        },
      },
      { result: { responses: [{ result: { offset: 3 } }] } },
    ];
    await withServer((n) => new Response(JSON.stringify(answers[n])), async (api, seen) => {
      const client = new Client(api, { retry: { attempts: 4, minDelay: 1, maxDelay: 5 } });
      const { responses } = await client.broadcast(["a", "b", "c", "d"], { n: 1 });
      // Each attempt sent only what could still succeed, with the first key.
      assert.deepEqual(seen.map((s) => s.body.channels), [["a", "b", "c", "d"], ["b", "d"], ["d"]]);
      assert.equal(new Set(seen.map((s) => s.body.idempotency_key)).size, 1);
      assert.deepEqual(
        responses.map((r) => [r.channel, r.ok ? r.result.offset : r.error.code]),
        [["a", 1], ["b", 2], ["c", 102], ["d", 3]],
      );
    });
  });

  await t.step("without retries, a broadcast is sent once", async () => {
    await withServer(() =>
      new Response(JSON.stringify({
        result: { responses: [{ error: { code: 111, message: "too many requests" } }] },
      })), async (api, seen) => {
      const { responses } = await new Client(api).broadcast(["a"], 1);
      assert.equal(seen.length, 1);
      assert.ok(!responses[0]!.ok && responses[0]!.error.code === 111);
    });
  });
});
