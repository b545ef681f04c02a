// Every call settles, typed, whatever the server answers or the caller
// passes: the cases a hostile probe found, each against a fake server (a real
// Centrifugo cannot be made to answer these). The transports whose code
// differs (node:http on Node, Bun's fetch) run the same cases in
// tests/runtimes/suite.mjs.

import assert from "node:assert/strict";
import { Batch, Client, type FetchLike, RequestError, ResponseError } from "@aiocent/aiocent";
import { json, withFake } from "./_fake.ts";

/** The outcome of a promise, settled or not within `ms`. */
async function within(
  promise: Promise<unknown>,
  ms = 2000,
): Promise<PromiseSettledResult<unknown>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), ms));
  try {
    const [outcome] = await Promise.race([Promise.allSettled([promise]), late.then((l) => [l])]);
    assert.notEqual(outcome, "late", `the call did not settle within ${ms} ms`);
    return outcome as PromiseSettledResult<unknown>;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("auto-batching: a malformed reply item fails its own call only, at once", async () => {
  const replies = [
    { publish: { offset: 1, epoch: "e" } },
    { error: {} },
    { error: { code: "x" } },
    { error: null },
    { publish: null },
    "not an object",
    { error: { code: 102, message: "unknown channel" } },
    { publish: { offset: 2, epoch: "e" } },
  ];
  await withFake(() => json({ replies }), async (api, seen) => {
    const client = new Client(api, { autoBatch: true, timeout: Infinity });
    const calls = replies.map((_, i) => client.publish(`ch${i}`, i));
    const outcomes = await Promise.all(calls.map((call) => within(call)));
    assert.equal(seen.length, 1, "the calls did not share one request");
    const summary = outcomes.map((o) =>
      o.status === "fulfilled"
        ? "ok"
        : o.reason instanceof ResponseError
        ? `code ${o.reason.code}`
        : o.reason instanceof RequestError
        ? "malformed"
        : `other: ${o.reason}`
    );
    assert.deepEqual(summary, [
      "ok",
      "malformed",
      "malformed",
      "malformed",
      "malformed",
      "malformed",
      "code 102",
      "ok",
    ]);
    for (const outcome of outcomes.slice(1, 6)) {
      assert.match(
        (outcome as PromiseRejectedResult).reason.message,
        /not Centrifugo's reply|unexpected result/,
      );
    }
  });
});

Deno.test("results that are not objects are malformed answers", async (t) => {
  for (const result of [null, "str", [], 42, true]) {
    await t.step(`{"result":${JSON.stringify(result)}}`, async () => {
      await withFake(() => json({ result }), async (api) => {
        const client = new Client(api);
        for (const call of [client.info(), client.publish("c", 1), client.history("c")]) {
          await assert.rejects(call, (err: unknown) => {
            assert.ok(err instanceof RequestError, String(err));
            assert.match(err.message, /unexpected result: .* result is .*, not an object/);
            return true;
          });
        }
      });
    });
  }
  await t.step("a batch item, and an auto-batched call", async () => {
    await withFake(
      (_n, seen) =>
        json({
          replies: (seen.body as { commands: unknown[] }).commands.map((_, i) =>
            i === 0 ? { info: null } : { presence_stats: { num_clients: 1, num_users: 1 } }
          ),
        }),
      async (api) => {
        await assert.rejects(
          new Client(api).send(new Batch().info().presenceStats("c")),
          /batch: .* answered an unexpected result: .*info result is null/,
        );
        const auto = new Client(api, { autoBatch: true });
        const [info, stats] = await Promise.allSettled([auto.info(), auto.presenceStats("c")]);
        assert.ok(info.status === "rejected" && info.reason instanceof RequestError);
        assert.deepEqual(stats, {
          status: "fulfilled",
          value: { num_clients: 1, num_users: 1 },
        });
      },
    );
  });
});

Deno.test("any rejection of a custom fetch becomes a RequestError's cause", async () => {
  const odd: unknown[] = [
    Object.create(null),
    {
      toString() {
        throw new Error("no text for you");
      },
    },
    Symbol("why"),
    undefined,
    null,
    new Proxy({}, {
      get() {
        throw new Error("trap");
      },
      getPrototypeOf() {
        throw new Error("trap");
      },
    }),
    "a plain string",
  ];
  for (const value of odd) {
    const fetch: FetchLike = () => Promise.reject(value);
    const outcome = await within(new Client("http://127.0.0.1:1/api", { fetch }).info());
    assert.equal(outcome.status, "rejected");
    const err = (outcome as PromiseRejectedResult).reason;
    assert.ok(err instanceof RequestError, `got ${typeof err}`);
    assert.equal(err.cause, value);
    assert.match(err.message, /^info: POST http:\/\/127\.0\.0\.1:1\/api\/info failed: /);
  }
});

Deno.test("maxResponseBytes bounds every answer by the bytes actually read", async (t) => {
  await t.step("a never-ending 200 is dropped at the limit, not buffered", async () => {
    let written = 0;
    let stopped = false;
    await withFake(() =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            written += 64 * 1024;
            controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
          },
          cancel() {
            stopped = true;
          },
        }),
      ), async (api) => {
      const client = new Client(api, { maxResponseBytes: 1024 * 1024, timeout: 10_000 });
      const outcome = await within(client.info(), 5000);
      assert.equal(outcome.status, "rejected");
      const err = (outcome as PromiseRejectedResult).reason;
      assert.ok(err instanceof RequestError);
      assert.match(
        err.message,
        /answered more than 1048576 bytes \(the client's maxResponseBytes\)/,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    assert.ok(stopped, "the server's stream was not cancelled");
    // The client read about the limit: what the server wrote stays near it.
    assert.ok(written < 8 * 1024 * 1024, `the server wrote ${written} bytes`);
  });

  await t.step("a Content-Length over the limit is refused before reading", async () => {
    await withFake(() => new Response("x".repeat(4096)), async (api) => {
      const client = new Client(api, { maxResponseBytes: 1000 });
      await assert.rejects(client.info(), /answered more than 1000 bytes/);
      // Within the limit, the same answer is read (and found not JSON).
      await assert.rejects(
        new Client(api, { maxResponseBytes: 4096 }).info(),
        /answered invalid JSON/,
      );
    });
  });

  await t.step("the option is checked", () => {
    for (const bad of [0, -1, 1.5, "1", Infinity]) {
      assert.throws(
        () => new Client("http://x/api", { maxResponseBytes: bad as number }),
        /^TypeError: Client: maxResponseBytes must be a positive integer/,
      );
    }
  });
});

Deno.test("the default encoder reads each value once and judges what it encodes", async () => {
  const sent: string[] = [];
  const fetch: FetchLike = (_input, init) => {
    sent.push(String(init?.body));
    return Promise.resolve(json({ result: {} }));
  };
  const client = new Client("http://x.invalid/api", { fetch });
  // A getter that answers differently each time it is read.
  let reads = 0;
  const shifty = {
    get n() {
      return reads++ === 0 ? 1 : NaN;
    },
  };
  await client.publish("ch", shifty);
  assert.equal(reads, 1, "the getter was read more than once");
  assert.deepEqual(JSON.parse(sent[0]!).data, { n: 1 });
  let reads2 = 0;
  const shifty2 = {
    get n() {
      return reads2++ === 0 ? NaN : 1;
    },
  };
  await assert.rejects(
    client.publish("ch", shifty2),
    /"n" is NaN, which JSON would turn into null/,
  );
  // toJSON returning a copy of itself, as a spread does: encoded as JSON.stringify would.
  const self = {
    a: 1,
    toJSON() {
      return { ...this, toJSON: undefined };
    },
  };
  await client.publish("ch", self);
  assert.deepEqual(JSON.parse(sent[1]!).data, { a: 1 });
  const again = {
    b: 2,
    toJSON(): unknown {
      return { ...this };
    },
  };
  await client.publish("ch", again);
  assert.deepEqual(JSON.parse(sent[2]!).data, { b: 2 });
});

Deno.test("secrets never show, whatever the server echoes", async (t) => {
  const apiKey = "api-key-7f3c9a-very-secret";
  const credential = "Basic dXNlcjpzZWNyZXQtcGFzcw==";
  const bearer = "bearer-token-93ab-secret";
  /** A server that answers with everything it was sent: headers and body. */
  const echo = (status: number) => (_n: number, seen: { headers: Headers; body: unknown }) =>
    new Response(
      `${JSON.stringify(Object.fromEntries(seen.headers))} ${JSON.stringify(seen.body)}`,
      { status },
    );
  const clean = (err: unknown) => {
    assert.ok(err instanceof RequestError, String(err));
    const shown = [err.message, err.body ?? "", String(err.cause), err.stack ?? ""].join("\n");
    for (const secret of [apiKey, credential, bearer]) {
      assert.ok(!shown.includes(secret), `${secret} shows in: ${shown}`);
    }
    return err;
  };

  for (const status of [500, 200]) {
    await t.step(`an echo with status ${status}`, async () => {
      await withFake(echo(status), async (api) => {
        const byKey = new Client(api, { apiKey, headers: { "Proxy-Authorization": credential } });
        const err = clean(await byKey.info().catch((e) => e));
        assert.match(err.body!, /\[redacted\]/);
        const byBearer = new Client(api, { bearerToken: bearer });
        clean(await byBearer.info().catch((e) => e));
        const byFunction = new Client(api, { bearerToken: () => Promise.resolve(bearer) });
        clean(await byFunction.info().catch((e) => e));
      });
    });
  }

  await t.step("an error of a custom fetch that quotes the request", async () => {
    const fetch: FetchLike = (_input, init) =>
      Promise.reject(new Error(`refused: ${JSON.stringify(init?.headers)}`));
    const client = new Client("http://x.invalid/api", {
      apiKey,
      headers: { "Proxy-Authorization": credential },
      fetch,
    });
    const err = clean(await client.info().catch((e) => e));
    assert.ok(err.cause instanceof Error);
    assert.match(String((err.cause as Error).message), /\[redacted\]/);
  });
});

Deno.test("names that are not whole UTF-16 are refused before sending", async () => {
  const client = new Client("http://x.invalid/api", { fetch: () => Promise.reject("unused") });
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => client.publish("a\ud800", 1), /^publish: channel must be a string of whole characters/],
    [() => client.subscribe("u\udbff", "ch"), /^subscribe: user must be a string of whole/],
    [
      () => client.disconnect("u", { client: "c\udc00" }),
      /^disconnect: option client must be a string of whole characters/,
    ],
    [
      () => client.unsubscribe("u", "ch", { session: "\ud800s" }),
      /^unsubscribe: option session must be a string of whole characters/,
    ],
    [() => client.broadcast(["ok", "b\ud800"], 1), /^broadcast: channels\[1\] must be a string/],
    [
      () => client.publish("ch", 1, { tags: { k: "v\ud800" } }),
      /^publish: option tags\.k must be a string of whole characters/,
    ],
  ];
  for (const [call, message] of cases) {
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(err instanceof TypeError, String(err));
      assert.match(err.message, message);
      return true;
    });
  }
  // Whole characters outside the BMP are fine.
  const sent: string[] = [];
  const ok = new Client("http://x.invalid/api", {
    fetch: (_i, init) => {
      sent.push(String(init?.body));
      return Promise.resolve(json({ result: {} }));
    },
  });
  await ok.publish("emoji:😀", 1);
  assert.equal(JSON.parse(sent[0]!).channel, "emoji:😀");
});
