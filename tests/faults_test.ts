// Faults a real Centrifugo cannot produce, made by local fake servers: hangs,
// trickling bodies, HTML error pages, malformed JSON, redirects, refused and
// dropped connections, aborts; plus the custom fetch, jsonEncoder and headers
// options, and a check that the API key never leaks into errors or inspection.

import assert from "node:assert/strict";
import {
  Batch,
  CentError,
  Client,
  type FetchLike,
  RequestError,
  RequestTimeoutError,
  ResponseError,
} from "@aiocent/aiocent";

/** One request as a fake server received it. */
interface Received {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

/** A running fake HTTP server. */
interface Fake {
  /** `http://127.0.0.1:<port>/api`, to pass to the Client. */
  api: string;
  /** Every request it has received so far, in order. */
  received: Received[];
}

/** Answers one request, given as it was recorded (its body is already read). */
type Handler = (req: Received, released: Promise<void>) => Response | Promise<Response>;

/**
 * Runs `fn` against a fake server answering with `handler`. Every request is
 * recorded (body read first) before the handler runs. Handlers that hang must
 * end on `released`, which resolves before shutdown: `shutdown()` waits
 * for pending handlers, so a handler that never returned would hang the test.
 */
async function withFake(handler: Handler, fn: (fake: Fake) => Promise<void>): Promise<void> {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const one = {
      method: req.method,
      path: new URL(req.url).pathname,
      headers: req.headers,
      body: await req.text(),
    };
    received.push(one);
    return await handler(one, released);
  });
  try {
    await fn({ api: `http://127.0.0.1:${server.addr.port}/api`, received });
  } finally {
    release();
    await server.shutdown();
  }
}

/** A handler that answers with a fixed body and status. */
function answer(body: string, status = 200, headers?: HeadersInit): Handler {
  return () => new Response(body, { status, headers });
}

/**
 * A handler that answers like a healthy Centrifugo: `{}` as the result of a
 * single call, and an empty result per command of a batch.
 */
const ok: Handler = (req) => {
  if (!req.path.endsWith("/batch")) return new Response('{"result":{}}');
  const { commands } = JSON.parse(req.body) as { commands: Record<string, unknown>[] };
  const replies = commands.map((command) => ({ [Object.keys(command)[0]!]: {} }));
  return new Response(JSON.stringify({ replies }));
};

/** A handler that accepts the request and never answers (until the fake closes). */
const neverAnswer: Handler = async (_req, released) => {
  await released;
  return new Response("too late");
};

/**
 * A handler that sends 200 and its headers at once, then one chunk of the
 * body, and never finishes it (until the fake closes).
 */
const trickle: Handler = (_req, released) => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"result":'));
      released.then(() => {
        try {
          controller.close();
        } catch {
          // Already cancelled by the client's abort: nothing to close.
        }
      });
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/json" } });
};

/**
 * Runs `fn` against a raw TCP server whose connections are handled by
 * `onConn`, for faults below HTTP (a connection dropped mid-response).
 */
async function withTcp(
  onConn: (conn: Deno.Conn) => Promise<void>,
  fn: (api: string) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const handling: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      handling.push(onConn(conn).catch(() => {}).finally(() => conn.close()));
    }
  })();
  try {
    await fn(`http://127.0.0.1:${listener.addr.port}/api`);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    await Promise.all(handling);
  }
}

/** Reads the request head (enough to know one came in) from a raw connection. */
async function readRequestHead(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) return;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
}

/** A port on 127.0.0.1 that nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Awaits `promise`, expecting a rejection; returns the error for further checks. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail("expected the call to reject");
}

/** Asserts `err` is a RequestError for `method`, and returns it typed. */
function requestError(err: unknown, method: string): RequestError {
  assert.ok(err instanceof RequestError, `expected RequestError, got ${err}`);
  assert.ok(err instanceof CentError);
  assert.equal(err.method, method);
  assert.ok(err.message.startsWith(`${method}: `), err.message);
  return err;
}

/** Asserts `err` is a plain RequestError: not the timeout subclass. */
function plainRequestError(err: unknown, method: string): RequestError {
  const e = requestError(err, method);
  assert.ok(!(e instanceof RequestTimeoutError), `unexpected timeout: ${e.message}`);
  assert.equal(e.name, "RequestError");
  return e;
}

/** Asserts `promise` rejects with a RequestTimeoutError of `timeout` ms, within ~3 s. */
async function rejectsWithTimeout(
  promise: Promise<unknown>,
  method: string,
  path: string,
  timeout: number,
): Promise<RequestTimeoutError> {
  const started = performance.now();
  const err = await failure(promise);
  // Loose: only that it did not wait for anything but the timeout.
  assert.ok(performance.now() - started < 3000, "the timeout did not fire in time");
  const e = requestError(err, method);
  assert.ok(e instanceof RequestTimeoutError, `expected RequestTimeoutError, got ${e.name}`);
  assert.equal(e.name, "RequestTimeoutError");
  assert.equal(e.timeout, timeout);
  assert.equal(e.status, undefined);
  assert.match(e.message, new RegExp(`timed out after ${timeout} ms`));
  assert.ok(e.message.includes(path), `message lacks ${path}: ${e.message}`);
  return e;
}

/** A promise that resolves after `ms`, for a deliberately slow fake. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("timeouts", async (t) => {
  await t.step("a server that never answers: RequestTimeoutError", async () => {
    await withFake(neverAnswer, async (fake) => {
      const client = new Client(fake.api, { timeout: 200 });
      await rejectsWithTimeout(client.publish("ch", { a: 1 }), "publish", "/api/publish", 200);
      assert.equal(fake.received.length, 1, "the request did reach the server");
    });
  });

  await t.step("a per-call timeout overrides the client's, both ways", async () => {
    await withFake(neverAnswer, async (fake) => {
      const client = new Client(fake.api, { timeout: 60_000 });
      await rejectsWithTimeout(client.info({ timeout: 200 }), "info", "/api/info", 200);
      await rejectsWithTimeout(
        client.history("ch", { limit: 1, timeout: 250 }),
        "history",
        "/api/history",
        250,
      );
    });
    // A reply slower than the client's timeout but within the call's.
    const slow: Handler = async () => {
      await delay(400);
      return new Response('{"result":{}}');
    };
    await withFake(slow, async (fake) => {
      const client = new Client(fake.api, { timeout: 100 });
      assert.deepEqual(await client.historyRemove("ch", { timeout: 10_000 }), {});
      await rejectsWithTimeout(client.historyRemove("ch"), "history_remove", "/api/", 100);
    });
  });

  await t.step("headers at once, body never ends: the timeout covers the body", async () => {
    await withFake(trickle, async (fake) => {
      const client = new Client(fake.api, { timeout: 200 });
      await rejectsWithTimeout(client.presence("ch"), "presence", "/api/presence", 200);
    });
  });

  await t.step("the same through a custom fetch that wraps the global one", async () => {
    await withFake(trickle, async (fake) => {
      const wrapped: FetchLike = (input, init) => fetch(input, init);
      const client = new Client(fake.api, { timeout: 200, fetch: wrapped });
      await rejectsWithTimeout(client.presence("ch"), "presence", "/api/presence", 200);
    });
  });

  await t.step("a custom fetch that ignores the signal and never resolves", async () => {
    const stuck: FetchLike = () => new Promise<Response>(() => {});
    const client = new Client("http://127.0.0.1:9/api", { timeout: 200, fetch: stuck });
    await rejectsWithTimeout(client.info(), "info", "/api/info", 200);
  });
});

Deno.test("malformed answers", async (t) => {
  await t.step("an HTML 500 page: RequestError with status and an excerpt", async () => {
    const html = "<html>\n  <body><h1>Internal   Server Error</h1> nginx broke</body>\n</html>";
    await withFake(answer(html, 500, { "Content-Type": "text/html" }), async (fake) => {
      const client = new Client(fake.api);
      const err = plainRequestError(await failure(client.publish("ch", 1)), "publish");
      assert.equal(err.status, 500);
      assert.match(err.message, /HTTP 500/);
      assert.ok(err.message.includes(`POST ${fake.api}/publish`), err.message);
      // Whitespace is collapsed so the excerpt fits on one line.
      assert.match(err.message, /<h1>Internal Server Error<\/h1> nginx broke/);
      assert.equal(
        err.body,
        "<html> <body><h1>Internal Server Error</h1> nginx broke</body> </html>",
      );
    });
  });

  await t.step("a 1 MB error page is cut to a short excerpt", async () => {
    const huge = "<p>" + "x".repeat(1024 * 1024) + "</p>";
    await withFake(answer(huge, 500), async (fake) => {
      const client = new Client(fake.api);
      const err = plainRequestError(await failure(client.info()), "info");
      assert.equal(err.status, 500);
      assert.ok(err.body !== undefined && err.body.startsWith("<p>xxx"));
      assert.ok(err.body.length <= 201, `body excerpt is ${err.body.length} chars`);
      assert.ok(err.message.length < 600, `message is ${err.message.length} chars`);
    });
  });

  await t.step("200 with invalid JSON: RequestError caused by a SyntaxError", async () => {
    await withFake(answer("<html>not json</html>"), async (fake) => {
      const client = new Client(fake.api);
      const err = plainRequestError(await failure(client.publish("ch", 1)), "publish");
      assert.match(err.message, /invalid JSON/);
      assert.ok(err.cause instanceof SyntaxError, `cause: ${err.cause}`);
      assert.equal(err.status, undefined);
      assert.equal(err.body, "<html>not json</html>");
    });
  });

  // Each of these is valid JSON but not a reply Centrifugo would send.
  const notReplies: [body: string, message: RegExp][] = [
    ['{"foo":1}', /unexpected result: no result and no error/],
    ["[1,2]", /a JSON value that is not an object/],
    ['"result"', /a JSON value that is not an object/],
    ["null", /a JSON value that is not an object/],
    ['{"error":{"message":"no code"}}', /an error without a code/],
  ];
  for (const [body, message] of notReplies) {
    await t.step(`200 with ${body}: RequestError`, async () => {
      await withFake(answer(body), async (fake) => {
        const client = new Client(fake.api);
        const err = plainRequestError(await failure(client.publish("ch", 1)), "publish");
        assert.match(err.message, message);
        assert.equal(err.status, undefined);
      });
    });
  }

  await t.step("a broadcast result with too few responses: RequestError", async () => {
    await withFake(answer('{"result":{"responses":[{"result":{}}]}}'), async (fake) => {
      const client = new Client(fake.api);
      const err = plainRequestError(await failure(client.broadcast(["a", "b"], 1)), "broadcast");
      assert.match(err.message, /1 responses for 2 channels/);
    });
  });

  await t.step("200 with an API error: ResponseError with code and reason", async () => {
    await withFake(answer('{"error":{"code":102,"message":"unknown channel"}}'), async (fake) => {
      const client = new Client(fake.api);
      const err = await failure(client.publish("ch", 1));
      assert.ok(err instanceof ResponseError, `expected ResponseError, got ${err}`);
      assert.ok(err instanceof CentError);
      assert.ok(!(err instanceof RequestError));
      assert.equal(err.code, 102);
      assert.equal(err.reason, "unknown channel");
      assert.equal(err.method, "publish");
      assert.equal(err.message, "publish: unknown channel (code 102)");
    });
  });
});

Deno.test("connections", async (t) => {
  await t.step("a redirect is not followed (it would resend the key)", async () => {
    await withFake(ok, async (target) => {
      const redirect = answer("", 307, { Location: `${target.api}/info` });
      await withFake(redirect, async (fake) => {
        const client = new Client(fake.api, { apiKey: "k" });
        const err = plainRequestError(await failure(client.info()), "info");
        assert.equal(err.status, 307);
        assert.match(err.message, /HTTP 307/);
        assert.equal(fake.received.length, 1);
        assert.equal(target.received.length, 0, "the redirect was followed");
      });
    });
  });

  await t.step("connection refused: RequestError naming the URL", async () => {
    const api = `http://127.0.0.1:${closedPort()}/api`;
    const client = new Client(api, { timeout: 5000 });
    const err = plainRequestError(await failure(client.info()), "info");
    assert.ok(err.message.includes(`POST ${api}/info failed: `), err.message);
    assert.equal(err.status, undefined);
    assert.ok(err.cause instanceof Error, `cause: ${err.cause}`);
  });

  await t.step("the connection closes without an answer: RequestError", async () => {
    await withTcp(readRequestHead, async (api) => {
      const client = new Client(api, { timeout: 5000 });
      const err = plainRequestError(await failure(client.info()), "info");
      assert.ok(err.message.includes(`POST ${api}/info failed: `), err.message);
    });
  });

  await t.step("the connection drops mid-body: RequestError, not a timeout", async () => {
    const cut = async (conn: Deno.Conn) => {
      await readRequestHead(conn);
      const head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
      await conn.write(new TextEncoder().encode(`${head}{"result":`));
    };
    await withTcp(cut, async (api) => {
      const client = new Client(api, { timeout: 5000 });
      const err = plainRequestError(await failure(client.info()), "info");
      assert.ok(err.message.includes(`POST ${api}/info failed: `), err.message);
    });
  });
});

Deno.test("aborts", async (t) => {
  /** A never-answering handler, and a promise of its first request's arrival. */
  function arrivals(): { handler: Handler; arrived: Promise<void> } {
    const { promise: arrived, resolve } = Promise.withResolvers<void>();
    const handler: Handler = (req, released) => {
      resolve();
      return neverAnswer(req, released);
    };
    return { handler, arrived };
  }

  await t.step("aborting a pending call: RequestError whose cause is the reason", async () => {
    const server = arrivals();
    await withFake(server.handler, async (fake) => {
      const client = new Client(fake.api, { timeout: 60_000 });
      const controller = new AbortController();
      const reason = new Error("user went away");
      const pending = failure(client.publish("ch", 1, { signal: controller.signal }));
      await server.arrived;
      controller.abort(reason);
      const err = plainRequestError(await pending, "publish");
      assert.equal(err.cause, reason);
      assert.match(err.message, /aborted/);
      assert.ok(err.message.includes(`POST ${fake.api}/publish`), err.message);
    });
  });

  await t.step("a non-Error reason is passed through as the cause too", async () => {
    const server = arrivals();
    await withFake(server.handler, async (fake) => {
      const client = new Client(fake.api, { timeout: 60_000 });
      const controller = new AbortController();
      const reason = { why: "shutdown" };
      const pending = failure(client.send(new Batch().info(), { signal: controller.signal }));
      await server.arrived;
      controller.abort(reason);
      const err = plainRequestError(await pending, "batch");
      assert.equal(err.cause, reason);
    });
  });

  await t.step("aborting a custom fetch that ignores the signal", async () => {
    const stuck: FetchLike = () => new Promise<Response>(() => {});
    const client = new Client("http://127.0.0.1:9/api", { timeout: 60_000, fetch: stuck });
    const controller = new AbortController();
    const reason = new Error("cancelled");
    const pending = failure(client.info({ signal: controller.signal }));
    controller.abort(reason);
    const err = plainRequestError(await pending, "info");
    assert.equal(err.cause, reason);
  });

  await t.step("an already-aborted signal: rejects and sends nothing", async () => {
    await withFake(ok, async (fake) => {
      const client = new Client(fake.api);
      const reason = new Error("too late");
      const signal = AbortSignal.abort(reason);
      const err = plainRequestError(await failure(client.info({ signal })), "info");
      assert.equal(err.cause, reason);
      assert.match(err.message, /aborted before it was sent/);
      const batchErr = await failure(client.send(new Batch().info(), { signal }));
      assert.equal(plainRequestError(batchErr, "batch").cause, reason);
      assert.equal(fake.received.length, 0);
    });
  });
});

Deno.test("client options on the wire", async (t) => {
  await t.step("a custom fetch is used for every request, with the full request", async () => {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const recording: FetchLike = (input, init) => {
      calls.push({ url: String(input), init });
      const url = String(input);
      const body = url.endsWith("/batch") ? '{"replies":[{"info":{"nodes":[]}}]}' : '{"result":{}}';
      return Promise.resolve(new Response(body));
    };
    const client = new Client("http://centrifugo.invalid:8000/api/", {
      apiKey: "the-key",
      fetch: recording,
    });
    await client.publish("ch", { a: [1, "two"] }, { skip_history: true });
    await client.info();
    await client.send(new Batch().info());
    assert.equal(calls.length, 3);
    assert.deepEqual(calls.map((c) => c.url), [
      "http://centrifugo.invalid:8000/api/publish",
      "http://centrifugo.invalid:8000/api/info",
      "http://centrifugo.invalid:8000/api/batch",
    ]);
    for (const { init } of calls) {
      assert.equal(init?.method, "POST");
      const headers = new Headers(init?.headers);
      assert.equal(headers.get("X-API-Key"), "the-key");
      assert.equal(headers.get("Content-Type"), "application/json");
      assert.ok(init?.signal instanceof AbortSignal, "the timeout signal is passed on");
      assert.equal(init?.redirect, "manual");
    }
    assert.equal(
      calls[0]?.init?.body,
      '{"channel":"ch","data":{"a":[1,"two"]},"skip_history":true}',
    );
    assert.equal(calls[1]?.init?.body, "{}");
    assert.equal(calls[2]?.init?.body, '{"commands":[{"info":{}}]}');
  });

  await t.step("jsonEncoder encodes what JSON.stringify cannot", async () => {
    const bigints = (value: unknown) =>
      JSON.stringify(value, (_key, v) => typeof v === "bigint" ? v.toString() : v);
    await withFake(ok, async (fake) => {
      const client = new Client(fake.api, { jsonEncoder: bigints });
      await client.publish("ch", { n: 10n });
      await client.send(new Batch().publish("b", 7n));
      assert.deepEqual(fake.received.map((r) => r.body), [
        '{"channel":"ch","data":{"n":"10"}}',
        '{"commands":[{"publish":{"channel":"b","data":"7"}}]}',
      ]);
    });
  });

  await t.step(
    "without a jsonEncoder, BigInt data is a TypeError and nothing is sent",
    async () => {
      await withFake(ok, async (fake) => {
        const client = new Client(fake.api);
        await assert.rejects(client.publish("ch", { n: 10n }), (err: unknown) => {
          assert.ok(err instanceof TypeError, `expected TypeError, got ${err}`);
          assert.match(err.message, /^publish: the request cannot be encoded as JSON/);
          assert.match(err.message, /BigInt/);
          return true;
        });
        assert.equal(fake.received.length, 0);
      });
    },
  );

  await t.step("extra headers and the API key reach the server", async () => {
    await withFake(ok, async (fake) => {
      const client = new Client(fake.api, {
        apiKey: "key-123",
        headers: { "X-Request-Source": "billing", "X-Trace": "abc" },
      });
      await client.info();
      const [req] = fake.received;
      assert.equal(req?.method, "POST");
      assert.equal(req?.path, "/api/info");
      assert.equal(req?.headers.get("x-api-key"), "key-123");
      assert.equal(req?.headers.get("x-request-source"), "billing");
      assert.equal(req?.headers.get("x-trace"), "abc");
      assert.equal(req?.headers.get("content-type"), "application/json");
    });
  });

  await t.step("without apiKey no X-API-Key header is sent", async () => {
    await withFake(ok, async (fake) => {
      await new Client(fake.api).info();
      assert.equal(fake.received[0]?.headers.get("x-api-key"), null);
    });
  });
});

Deno.test("the API key never leaks", async (t) => {
  const SECRET = "super-secret-key-XYZ";

  /** Every text an error could show: message, stack, String(), inspection, causes. */
  function texts(err: unknown, depth = 0): string[] {
    if (depth > 10) return [];
    const out = [String(err), Deno.inspect(err, { depth: 10, showHidden: true })];
    if (err instanceof Error) {
      out.push(err.message, err.stack ?? "", JSON.stringify(err));
      if (err.cause !== undefined) out.push(...texts(err.cause, depth + 1));
    }
    return out;
  }

  function assertNoSecret(err: unknown) {
    assert.ok(err instanceof CentError, `expected CentError, got ${err}`);
    for (const text of texts(err)) assert.ok(!text.includes(SECRET), `leaked in: ${text}`);
  }

  const errors: [label: string, handler: Handler, status?: number][] = [
    ["401", answer("Unauthorized\n", 401), 401],
    ["500", answer("<h1>boom</h1>", 500), 500],
    ["timeout", neverAnswer],
  ];
  for (const [label, handler, status] of errors) {
    await t.step(`in the error of a ${label}`, async () => {
      await withFake(handler, async (fake) => {
        const client = new Client(fake.api, { apiKey: SECRET, timeout: 200 });
        const err = await failure(client.publish("ch", 1));
        assert.equal((err as RequestError).status, status);
        assertNoSecret(err);
        assert.equal(fake.received[0]?.headers.get("x-api-key"), SECRET, "the key was sent");
      });
    });
  }

  await t.step("in the error of a refused connection", async () => {
    const client = new Client(`http://127.0.0.1:${closedPort()}/api`, { apiKey: SECRET });
    assertNoSecret(await failure(client.info()));
  });

  await t.step("in the client's inspection and JSON", () => {
    const client = new Client("http://localhost:8000/api", {
      apiKey: SECRET,
      headers: { "X-Other": "x" },
    });
    const shown = [
      Deno.inspect(client),
      Deno.inspect(client, { showHidden: true, depth: 10 }),
      JSON.stringify(client),
      String(client),
    ];
    for (const text of shown) assert.ok(!text.includes(SECRET), `leaked in: ${text}`);
    assert.equal(Deno.inspect(client), 'Client { address: "http://localhost:8000/api" }');
  });
});

Deno.test("batches over a fake server", async (t) => {
  await t.step("a reply count that differs from the command count: RequestError", async () => {
    for (const replies of ['[{"publish":{}}]', '[{"publish":{}},{"info":{}},{"info":{}}]']) {
      await withFake(answer(`{"replies":${replies}}`), async (fake) => {
        const client = new Client(fake.api);
        const batch = new Batch().publish("ch", 1).info();
        const err = plainRequestError(await failure(client.send(batch)), "batch");
        assert.match(err.message, /\d replies for 2 commands/);
        assert.ok(err.message.includes(`POST ${fake.api}/batch`), err.message);
      });
    }
  });

  await t.step("a reply without replies at all: RequestError", async () => {
    await withFake(answer('{"result":{}}'), async (fake) => {
      const client = new Client(fake.api);
      const err = plainRequestError(await failure(client.send(new Batch().info())), "batch");
      assert.match(err.message, /no replies for 1 commands/);
    });
  });

  await t.step("per-command errors are replies, in order", async () => {
    const body = '{"replies":[{"error":{"code":102,"message":"unknown channel"}},{"info":{}}]}';
    await withFake(answer(body), async (fake) => {
      const client = new Client(fake.api);
      const [first, second] = await client.send(new Batch().publish("x:y", 1).info(), {
        parallel: true,
      });
      assert.ok(first && !first.ok);
      assert.ok(first.error instanceof ResponseError);
      assert.equal(first.error.code, 102);
      assert.equal(first.method, "publish");
      assert.deepEqual(second, { ok: true, method: "info", result: {} });
      assert.equal(
        fake.received[0]?.body,
        '{"commands":[{"publish":{"channel":"x:y","data":1}},{"info":{}}],"parallel":true}',
      );
    });
  });

  await t.step("an empty batch resolves [] without a request", async () => {
    await withFake(answer('{"replies":[]}'), async (fake) => {
      const client = new Client(fake.api);
      assert.deepEqual(await client.send(new Batch()), []);
      assert.equal(fake.received.length, 0);
    });
  });
});
