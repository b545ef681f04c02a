// Centrifugo's API errors: the code constants match Centrifugo's own, the
// transport error mode (API errors as HTTP statuses) gives the same
// ResponseError as the default mode against a real Centrifugo, and what
// isRetryable — which the retry loop itself uses — says of each failure.

import assert from "node:assert/strict";
import {
  Client,
  ERROR_CODE,
  isRetryable,
  RequestError,
  RequestTimeoutError,
  ResponseError,
} from "@aiocent/aiocent";
import { API_KEY, NAMESPACES, startCentrifugo } from "./_centrifugo.ts";
import { json, withFake } from "./_fake.ts";
import { centrifugoSource } from "../scripts/_source.ts";

Deno.test("ERROR_CODE holds Centrifugo's API error codes", async () => {
  const errorsGo = await Deno.readTextFile(
    `${await centrifugoSource()}/internal/apiproto/errors.go`,
  );
  const declared = new Map(
    [...errorsGo.matchAll(/Error(\w+) = &Error\{\s+Code:\s+(\d+)/g)].map((
      [, name, code],
    ) => [name!, Number(code)]),
  );
  assert.ok(declared.size >= 7, "no error codes found in errors.go");
  for (const [name, code] of declared) {
    assert.equal(ERROR_CODE[name as keyof typeof ERROR_CODE], code, `ERROR_CODE.${name}`);
  }
  // 6.10 adds 111; 6.9.1's errors.go does not have it yet.
  assert.equal(ERROR_CODE.TooManyRequests, 111);
});

Deno.test("the transport error mode gives the same ResponseError", async (t) => {
  const [transport, plain] = await Promise.all([
    startCentrifugo({ http_api: { key: API_KEY, error_mode: "transport" } }),
    startCentrifugo(),
  ]);
  const cases: [string, (c: Client) => Promise<unknown>, string, number][] = [
    ["unknown channel (HTTP 404)", (c) => c.publish("nosuchns:x", 1), "publish", 102],
    ["history off (HTTP 400)", (c) => c.history(`${NAMESPACES.bare}:x`), "history", 108],
    [
      "unrecoverable position (HTTP 416)",
      (c) => c.history("chat:x", { limit: 1, since: { offset: 5, epoch: "wrong" } }),
      "history",
      112,
    ],
    ["a map method on a stream namespace", (c) => c.mapStats("chat:x"), "map_stats", 107],
  ];
  try {
    const viaConfig = new Client(transport.apiUrl, { apiKey: API_KEY });
    const viaHeader = new Client(plain.apiUrl, {
      apiKey: API_KEY,
      headers: { "X-Centrifugo-Error-Mode": "transport" },
    });
    const normal = new Client(plain.apiUrl, { apiKey: API_KEY });
    for (const [name, call, method, code] of cases) {
      await t.step(name, async () => {
        for (const client of [viaConfig, viaHeader, normal]) {
          await assert.rejects(call(client), (err: unknown) => {
            assert.ok(err instanceof ResponseError, `expected ResponseError, got ${err}`);
            assert.equal(err.code, code);
            assert.equal(err.method, method);
            assert.equal(err.temporary, false);
            return true;
          });
        }
      });
    }
    await t.step("success is unchanged, and a raw fetch shows the mode is on", async () => {
      assert.ok((await viaConfig.publish("chat:ok", 1)).offset! >= 1);
      const raw = await fetch(`${transport.apiUrl}/publish`, {
        method: "POST",
        headers: { "X-API-Key": API_KEY },
        body: JSON.stringify({ channel: "nosuchns:x", data: 1 }),
      });
      assert.equal(raw.status, 404);
      assert.deepEqual(await raw.json(), { code: 102, message: "unknown channel" });
    });
  } finally {
    await Promise.all([transport.stop(), plain.stop()]);
  }
});

Deno.test("temporary errors and code 111 (Centrifugo 6.10) are retryable", async (t) => {
  await t.step("ResponseError.temporary: Centrifugo's flag, absent means false", async () => {
    const answers = [
      { error: { code: 100, message: "internal server error", temporary: true } },
      { error: { code: 102, message: "unknown channel" } },
    ];
    await withFake((n) => json(answers[n]), async (api) => {
      const client = new Client(api);
      for (const temporary of [true, false]) {
        await assert.rejects(client.info(), (err: unknown) => {
          assert.ok(err instanceof ResponseError);
          assert.equal(err.temporary, temporary);
          assert.equal(isRetryable(err), temporary);
          return true;
        });
      }
    });
  });

  await t.step("the retry loop retries 111 and temporary errors, nothing else", async () => {
    const busy = { error: { code: 111, message: "too many requests" } };
    const flaky = { error: { code: 100, message: "internal server error", temporary: true } };
    const script = [busy, flaky, { result: { offset: 3, epoch: "e" } }];
    await withFake((n) => json(script[n]), async (api, seen) => {
      const client = new Client(api, { retry: { attempts: 5, minDelay: 1, maxDelay: 5 } });
      assert.deepEqual(await client.publish("ch", 1), { offset: 3, epoch: "e" });
      assert.equal(seen.length, 3);
      // The same idempotency key on every attempt.
      const keys = seen.map((s) => (s.body as { idempotency_key: string }).idempotency_key);
      assert.equal(new Set(keys).size, 1);
    });
    await withFake(() => json({ error: { code: 102, message: "unknown channel" } }), async (
      api,
      seen,
    ) => {
      const client = new Client(api, { retry: { attempts: 5, minDelay: 1, maxDelay: 5 } });
      await assert.rejects(client.publish("ch", 1), ResponseError);
      assert.equal(seen.length, 1);
    });
    await withFake(() => json({ error: { code: 111, message: "too many requests" } }), async (
      api,
      seen,
    ) => {
      const client = new Client(api, { retry: { attempts: 3, minDelay: 1, maxDelay: 5 } });
      await assert.rejects(client.info(), (err: unknown) => {
        assert.ok(err instanceof ResponseError && err.code === 111);
        assert.equal(err.attempts, 3);
        return true;
      });
      assert.equal(seen.length, 3);
    });
  });

  await t.step("isRetryable of each kind of failure", async () => {
    const verdicts: Record<number, boolean> = {};
    for (const status of [400, 401, 404, 429, 500, 502, 503, 504]) {
      let verdict = false;
      await withFake(() => new Response("x", { status }), async (api) => {
        verdict = isRetryable(await new Client(api).info().catch((e) => e));
      });
      verdicts[status] = verdict;
    }
    assert.deepEqual(verdicts, {
      400: false,
      401: false,
      404: false,
      429: true,
      500: false,
      502: true,
      503: true,
      504: true,
    });
    // A refused connection and a timeout may pass; an abort, a closed client,
    // a malformed answer and bad arguments will not.
    const refused = await new Client("http://127.0.0.1:1/api").info().catch((e) => e);
    assert.ok(refused instanceof RequestError && isRetryable(refused));
    await withFake(() => new Promise<Response>((r) => setTimeout(() => r(json({})), 300)), async (
      api,
    ) => {
      const timeout = await new Client(api, { timeout: 50 }).info().catch((e) => e);
      assert.ok(timeout instanceof RequestTimeoutError && isRetryable(timeout));
      const controller = new AbortController();
      const pending = new Client(api).info({ signal: controller.signal }).catch((e) => e);
      controller.abort();
      const aborted = await pending;
      assert.ok(aborted instanceof RequestError && !isRetryable(aborted));
    });
    await withFake(() => new Response("<html>"), async (api) => {
      const malformed = await new Client(api).info().catch((e) => e);
      assert.ok(malformed instanceof RequestError && !isRetryable(malformed));
    });
    const closed = new Client("http://127.0.0.1:1/api");
    await closed.close();
    assert.ok(!isRetryable(await closed.info().catch((e) => e)));
    assert.ok(!isRetryable(await closed.publish("", 1).catch((e) => e)));
    assert.ok(!isRetryable(new Error("x")) && !isRetryable("x") && !isRetryable(undefined));
  });
});
