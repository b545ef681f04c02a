// The proxy handlers (@aiocent/aiocent/proxy): against a real Centrifugo
// v6.9.1 with every HTTP proxy type pointing at them and real centrifuge-js
// clients (tests/_proxy_scenarios.ts), served by Deno.serve and by node:http
// through toNodeHandler; then every rule on its own: hostile requests, what
// each type may answer, codes, reasons, binary data, options, and that the
// entrypoint loads no client transport.

import assert from "node:assert/strict";
import http from "node:http";
import * as proxy from "@aiocent/aiocent/proxy";
import { toNodeHandler } from "@aiocent/aiocent/node";
import { startCentrifugo } from "./_centrifugo.ts";
import { proxyApp } from "./_proxy_app.mjs";
import { proxyConfig, runProxyScenarios } from "./_proxy_scenarios.ts";

Deno.test("proxy handlers on Deno.serve, through a real Centrifugo and real clients", async (t) => {
  const app = proxyApp(proxy, "deno");
  const served = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.handle);
  const origin = `http://127.0.0.1:${served.addr.port}`;
  const server = await startCentrifugo(proxyConfig(origin));
  try {
    await runProxyScenarios(t, server, origin, "deno");
  } finally {
    await server.stop();
    await served.shutdown();
  }
});

// ---------------------------------------------------------------------------
// The rules, one by one, on requests made here.

type Handler = (request: Request) => Promise<Response>;
// deno-lint-ignore no-explicit-any
type AnyFunction = (req: any, request: Request) => unknown;
type Factory = (fn: AnyFunction, options?: proxy.ProxyHandlerOptions) => Handler;

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const factoryOf = (type: string) =>
  (proxy as unknown as Record<string, Factory>)[`${camel(type)}Handler`]!;

const CLIENT = { client: "c1", transport: "websocket", protocol: "json", encoding: "json" };
/** The smallest request Centrifugo sends for each type. */
const REQUESTS: Record<string, Record<string, unknown>> = {
  connect: CLIENT,
  refresh: { ...CLIENT, user: "u" },
  subscribe: { ...CLIENT, user: "u", channel: "ch" },
  publish: { ...CLIENT, user: "u", channel: "ch", data: { text: "hi" } },
  rpc: { ...CLIENT, user: "u", method: "m" },
  sub_refresh: { ...CLIENT, user: "u", channel: "ch" },
  map_publish: { ...CLIENT, user: "u", channel: "mp:b", key: "k", data: 1 },
  map_remove: { ...CLIENT, user: "u", channel: "mp:b", key: "k" },
  shared_poll_refresh: { channel: "sp:x", items: [{ key: "k" }] },
  notify_cache_empty: { channel: "ch" },
  notify_channel_state: { events: [{ time_ms: 1, channel: "ch", type: "occupied" }] },
};
/** A valid result for each type. */
const RESULTS: Record<string, Record<string, unknown>> = {
  connect: { user: "u" },
  refresh: { expire_at: 2_000_000_000 },
};
/** What each type can answer besides a result (what Centrifugo's handlers act on). */
const CARRIES: Record<string, string[]> = {
  connect: ["error", "disconnect"],
  refresh: [],
  subscribe: ["error", "disconnect"],
  publish: ["error", "disconnect"],
  rpc: ["error", "disconnect"],
  sub_refresh: [],
  map_publish: ["error", "disconnect"],
  map_remove: ["error", "disconnect"],
  shared_poll_refresh: ["error"],
  notify_cache_empty: [],
  notify_channel_state: ["error"],
};

const post = (body: unknown, init: RequestInit = {}) =>
  new Request("http://127.0.0.1/proxy", {
    method: "POST",
    body: typeof body === "string" || body instanceof Uint8Array || body instanceof ReadableStream
      ? body as BodyInit
      : JSON.stringify(body),
    ...init,
  });

/** A handler of `type` around `fn` that records what onError is told. */
function handler(type: string, fn: AnyFunction, options: proxy.ProxyHandlerOptions = {}) {
  const reported: { error: unknown; context: proxy.ProxyErrorContext }[] = [];
  const h = factoryOf(type)(fn, {
    onError: (error, context) => reported.push({ error, context }),
    ...options,
  });
  return { handle: h, reported };
}

Deno.test("a handler for every proxy type with an HTTP form, and the PRO ones", () => {
  assert.deepEqual(Object.keys(REQUESTS).sort(), Object.keys(CARRIES).sort());
  for (const type of Object.keys(REQUESTS)) {
    assert.equal(typeof factoryOf(type), "function", `${camel(type)}Handler`);
  }
});

Deno.test("hostile requests: a short 4xx, reported, and the function never runs", async (t) => {
  let called = 0;
  const { handle, reported } = handler("connect", () => {
    called++;
    return {};
  }, { maxBodyBytes: 1024 });
  const cases: [string, Request, number, RegExp][] = [
    ["GET", new Request("http://x/"), 405, /^method not allowed/],
    ["PUT", new Request("http://x/", { method: "PUT", body: "{}" }), 405, /^method not allowed/],
    ["invalid JSON", post("{"), 400, /^bad request/],
    ["an empty body", post(""), 400, /^bad request/],
    ["invalid UTF-8", post(new Uint8Array([0x7b, 0xff, 0x7d])), 400, /^bad request/],
    ["a JSON array", post([CLIENT]), 400, /the body must be a JSON object/],
    ["JSON null", post("null"), 400, /the body must be a JSON object/],
    ["a number for a string", post({ ...CLIENT, client: 5 }), 400, /client must be a string/],
    ["a string for a list", post({ ...CLIENT, channels: "x" }), 400, /channels must be an array/],
    [
      "a list of numbers",
      post({ ...CLIENT, channels: ["a", 2] }),
      400,
      /channels\[1\] must be a string/,
    ],
    ["bad base64", post({ ...CLIENT, b64data: "%%%%" }), 400, /b64data must be standard base64/],
    [
      "data and b64data",
      post({ ...CLIENT, data: 1, b64data: "AQ==" }),
      400,
      /both data and its base64/,
    ],
    [
      "a declared length over the limit",
      post("{}", { headers: { "content-length": "5000" } }),
      413,
      /too large/,
    ],
    [
      "a body over the limit",
      post(JSON.stringify({ ...CLIENT, x: "y".repeat(2000) })),
      413,
      /too large/,
    ],
  ];
  for (const [name, request, status, body] of cases) {
    await t.step(`${name}: ${status}`, async () => {
      const before = reported.length;
      const response = await handle(request);
      assert.equal(response.status, status);
      const text = await response.text();
      assert.match(text, body);
      assert.ok(text.length < 80, text);
      if (status === 405) assert.equal(response.headers.get("allow"), "POST");
      assert.equal(reported.length, before + 1);
      const { error, context } = reported.at(-1)!;
      assert.ok(error instanceof proxy.ProxyRequestError, String(error));
      assert.equal(error.status, status);
      assert.equal(context.status, status);
      assert.equal(context.proxy, "connect");
      assert.equal(context.request, request);
    });
  }
  await t.step("nested shapes are checked too", async () => {
    const poll = handler("shared_poll_refresh", () => ({}));
    for (
      const [items, problem] of [
        [[{ key: 1 }], /items\[0\]\.key must be a string/],
        [[{ key: "a", version: -1 }], /items\[0\]\.version must be a non-negative integer/],
        [[{ key: "a", version: 1.5 }], /items\[0\]\.version must be a non-negative integer/],
        [["a"], /items\[0\] must be a JSON object/],
        [{ key: "a" }, /items must be an array/],
      ] as const
    ) {
      const response = await poll.handle(post({ channel: "sp:x", items }));
      assert.equal(response.status, 400);
      assert.match(await response.text(), problem);
    }
    const refresh = handler("refresh", () => RESULTS.refresh);
    const response = await refresh.handle(post({ ...REQUESTS.refresh, labels: { a: 1 } }));
    assert.equal(response.status, 400);
    assert.match(await response.text(), /labels\.a must be a string/);
  });
  await t.step("a never-ending body stops at the limit, read no further", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024).fill(0x20));
      },
    });
    const response = await handle(post(endless, { duplex: "half" } as RequestInit));
    assert.equal(response.status, 413);
    await response.body?.cancel();
    assert.ok(pulled <= 3, `read ${pulled} chunks of 1 KiB for a 1 KiB limit`);
  });
  assert.equal(called, 0);
});

Deno.test("requests: unknown fields pass, omitted fields get their zero values", async () => {
  const seen: unknown[] = [];
  const keep = (req: unknown) => {
    seen.push(req);
    return {};
  };
  const refresh = handler("refresh", (req) => {
    seen.push(req);
    return RESULTS.refresh;
  });
  // An anonymous connection: Centrifugo omits the empty user.
  const { user: _, ...anonymous } = REQUESTS.refresh!;
  let response = await refresh.handle(post({ ...anonymous, added_in_v7: { x: 1 } }));
  assert.equal(response.status, 200);
  assert.deepEqual(seen.pop(), { ...CLIENT, user: "", added_in_v7: { x: 1 } });
  // Go reads null as absent.
  response = await refresh.handle(post({ ...CLIENT, user: null }));
  assert.equal(response.status, 200);
  assert.equal((seen.pop() as { user: string }).user, "");

  const poll = handler("shared_poll_refresh", keep);
  response = await poll.handle(
    post({ channel: "sp:x", items: [{ key: "a" }, { key: "b", version: 3 }] }),
  );
  assert.equal(response.status, 200);
  assert.deepEqual(seen.pop(), {
    channel: "sp:x",
    items: [{ key: "a", version: 0 }, { key: "b", version: 3 }],
  });
  const rpc = handler("rpc", keep);
  response = await rpc.handle(post(CLIENT));
  assert.equal(response.status, 200);
  assert.deepEqual(seen.pop(), { ...CLIENT, user: "", method: "" });
  // Bytes that are not UTF-8 (Centrifugo forwards a client's raw JSON as it got it) become
  // U+FFFD, as Centrifugo's own JSON encoder makes them, with a declared length or without.
  const invalid = new Uint8Array([
    ...new TextEncoder().encode('{"client":"c'),
    0xff,
    ...new TextEncoder().encode('","transport":"websocket","protocol":"json","encoding":"json"}'),
  ]);
  for (const headers of [{ "content-length": String(invalid.byteLength) }, {}] as HeadersInit[]) {
    response = await rpc.handle(
      new Request("http://x/", { method: "POST", body: invalid, headers }),
    );
    assert.equal(response.status, 200);
    assert.equal((seen.pop() as { client: string }).client, "c\uFFFD");
  }
  // Raw JSON fields keep null: it is a value there.
  response = await rpc.handle(post({ ...REQUESTS.rpc, data: null }));
  assert.equal((seen.pop() as { data: unknown }).data, null);
  assert.equal(rpc.reported.length + refresh.reported.length + poll.reported.length, 0);
});

Deno.test("binary_encoding: b64data decoded for the function, Uint8Array answers encoded", async () => {
  let got: unknown;
  const rpc = handler("rpc", (req) => {
    got = req.data;
    return { data: new Uint8Array([222, 173, 190, 239]) };
  });
  const response = await rpc.handle(
    post({ ...REQUESTS.rpc, encoding: "binary", b64data: "AP8K" }),
  );
  assert.deepEqual(got, new Uint8Array([0, 255, 10]));
  assert.deepEqual(await response.json(), { result: { b64data: "3q2+7w==" } });

  const connect = handler("connect", () => ({
    user: "u",
    info: new TextEncoder().encode('{"a":1}'),
    data: { json: true },
    subs: { news: { data: new Uint8Array([1]) } },
  }));
  assert.deepEqual(await (await connect.handle(post(CLIENT))).json(), {
    result: {
      user: "u",
      b64info: "eyJhIjoxfQ==",
      data: { json: true },
      subs: { news: { b64data: "AQ==" } },
    },
  });
  const mapPublish = handler("map_publish", () => ({ stream_data: new Uint8Array([9, 9]) }));
  assert.deepEqual(await (await mapPublish.handle(post(REQUESTS.map_publish))).json(), {
    result: { b64stream_data: "CQk=" },
  });
  // A base64 string is sent as given, once checked.
  const given = handler("rpc", () => ({ b64data: "AQID" }));
  assert.deepEqual(await (await given.handle(post(REQUESTS.rpc))).json(), {
    result: { b64data: "AQID" },
  });
  // Binary data where the proto has no base64 twin, or both forms: the application's bug.
  for (
    const [type, result, problem] of [
      ["connect", { meta: new Uint8Array([1]) }, /result\.meta must be a JSON value \(binary/],
      [
        "shared_poll_refresh",
        { items: [{ key: "k", data: new Uint8Array([1]) }] },
        /result\.items\[0\]\.data must be a JSON value/,
      ],
      ["rpc", { data: new Uint8Array([1]), b64data: "AQ==" }, /give data or b64data, not both/],
      ["rpc", { b64data: "not base64!" }, /result\.b64data must be standard base64/],
      ["rpc", { data: new ArrayBuffer(1) }, /result\.data must be a JSON value or a Uint8Array/],
    ] as const
  ) {
    const h = handler(type, () => result);
    const response = await h.handle(post(REQUESTS[type]));
    assert.equal(response.status, 500);
    await response.body?.cancel();
    const error = h.reported[0]?.error;
    assert.ok(error instanceof proxy.ProxyAnswerError);
    assert.match(error.message, problem);
  }
});

Deno.test("each type answers only what it can carry", async (t) => {
  for (const [type, carries] of Object.entries(CARRIES)) {
    await t.step(type, async () => {
      const answers = {
        error: new proxy.ProxyError(1403, "nope", { temporary: true }),
        disconnect: new proxy.ProxyDisconnect(4501, "gone"),
      };
      const expected = {
        error: { error: { code: 1403, message: "nope", temporary: true } },
        disconnect: { disconnect: { code: 4501, reason: "gone" } },
      };
      for (const kind of ["error", "disconnect"] as const) {
        for (const how of ["returned", "thrown"]) {
          const h = handler(type, () => {
            if (how === "thrown") throw answers[kind];
            return answers[kind];
          });
          const response = await h.handle(post(REQUESTS[type]));
          if (carries.includes(kind)) {
            assert.equal(response.status, 200, `${type} ${kind} ${how}`);
            assert.equal(response.headers.get("content-type"), "application/json");
            assert.deepEqual(await response.json(), expected[kind]);
            assert.equal(h.reported.length, 0);
          } else {
            assert.equal(response.status, 500, `${type} ${kind} ${how}`);
            assert.equal(await response.text(), "internal server error\n");
            const error = h.reported[0]?.error;
            assert.ok(error instanceof proxy.ProxyAnswerError);
            assert.match(error.message, new RegExp(`^${type} cannot answer an? ${kind}`));
            assert.equal(error.cause, answers[kind]);
          }
        }
      }
      const ok = handler(type, () => RESULTS[type] ?? {});
      const response = await ok.handle(post(REQUESTS[type]));
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { result: RESULTS[type] ?? {} });
    });
  }
  await t.step("a non-temporary error leaves temporary out", async () => {
    const h = handler("rpc", () => new proxy.ProxyError(1400, "bad"));
    assert.deepEqual(await (await h.handle(post(REQUESTS.rpc))).json(), {
      error: { code: 1400, message: "bad" },
    });
  });
});

Deno.test("results are checked whole: a wrong one is HTTP 500, named, never sent", async (t) => {
  const now = Math.floor(Date.now() / 1000);
  const cases: [string, string, unknown, RegExp][] = [
    ["an unknown field", "connect", { user: "u", expireAt: now }, /did you mean expire_at\?/],
    [
      "a field of another type",
      "rpc",
      { data: 1, user: "u" },
      /RpcResult has no field user; its fields: data, b64data/,
    ],
    ["a number for a string", "connect", { user: 42 }, /result\.user must be a string, got number/],
    ["null for a string", "connect", { user: null }, /result\.user must be a string, got null/],
    ["a string for a list", "connect", { channels: "news" }, /result\.channels must be an array/],
    [
      "a nested message of the wrong shape",
      "connect",
      { subs: { news: { override: { presence: true } } } },
      /result\.subs\.news\.override\.presence must be a plain object, got boolean/,
    ],
    ["milliseconds", "connect", { expire_at: Date.now() }, /looks like milliseconds/],
    [
      "a fraction of a second",
      "subscribe",
      { expire_at: now + 0.5 },
      /whole Unix seconds \(Math\.floor/,
    ],
    [
      "a bad key_mode",
      "map_publish",
      { key_mode: "always" },
      /key_mode must be "", "if_new" or "if_exists"/,
    ],
    ["a negative version", "publish", { version: -1 }, /version must be a non-negative integer/],
    ["refresh with no expiry", "refresh", {}, /answer \{ expired: true \}/],
    ["refresh not expired, no expiry", "refresh", { expired: false }, /or a new expire_at/],
    ["undefined", "subscribe", undefined, /must return a SubscribeResult object .*got undefined/],
    ["null", "subscribe", null, /got null/],
    ["an array", "subscribe", [], /got an array/],
    ["a string", "rpc", "ok", /got string/],
    ["a class instance", "rpc", new (class Answer {})(), /got an object/],
    ["a BigInt in data", "rpc", { data: { n: 1n } }, /the result is not JSON/],
    [
      "a function in data",
      "rpc",
      { data: () => 1 },
      /result\.data must be a JSON value, got function/,
    ],
  ];
  for (const [name, type, result, problem] of cases) {
    await t.step(name, async () => {
      const h = handler(type, () => result);
      const response = await h.handle(post(REQUESTS[type]));
      assert.equal(response.status, 500);
      assert.equal(await response.text(), "internal server error\n");
      assert.equal(h.reported.length, 1);
      const { error, context } = h.reported[0]!;
      assert.ok(error instanceof proxy.ProxyAnswerError, String(error));
      assert.equal(error.name, "ProxyAnswerError");
      assert.match(error.message, problem);
      assert.deepEqual([context.proxy, context.status], [type, 500]);
    });
  }
  await t.step("the message names the rule, never the value", async () => {
    const h = handler("connect", () => ({ user: ["secret-session-token"] }));
    await (await h.handle(post(CLIENT))).body?.cancel();
    const error = h.reported[0]!.error as Error;
    assert.match(error.message, /result\.user must be a string, got an array/);
    assert.doesNotMatch(error.message, /secret-session-token/);
  });
  await t.step(
    "valid results pass, undefined fields are left out, the input is not changed",
    async () => {
      const result = {
        user: "u",
        expire_at: now + 60,
        info: { name: "A" },
        data: new Uint8Array([1]),
        channels: ["news"],
        subs: { news: { override: { presence: { value: false } }, data: "x" } },
        meta: undefined,
        caps: [{ channels: ["news"], allow: ["sub"] }],
      };
      const h = handler("connect", () => result);
      const response = await h.handle(post(CLIENT));
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        result: {
          user: "u",
          expire_at: now + 60,
          info: { name: "A" },
          b64data: "AQ==",
          channels: ["news"],
          subs: { news: { override: { presence: { value: false } }, data: "x" } },
          caps: [{ channels: ["news"], allow: ["sub"] }],
        },
      });
      assert.deepEqual(result.data, new Uint8Array([1]));
      const sub = handler("sub_refresh", () => ({}));
      assert.deepEqual(await (await sub.handle(post(REQUESTS.sub_refresh))).json(), { result: {} });
    },
  );
});

Deno.test("ProxyError and ProxyDisconnect check codes and reasons when built and when sent", async (t) => {
  await t.step("error codes 400-1999", () => {
    for (const code of [399, 2000, 1.5, NaN, "400"]) {
      assert.throws(() => new proxy.ProxyError(code as number, "x"), {
        name: "TypeError",
        message: /ProxyError: an error code must be an integer from 400 to 1999/,
      });
    }
    assert.throws(() => new proxy.ProxyError(400, 5 as unknown as string), TypeError);
    assert.throws(
      () => new proxy.ProxyError(400, "x", { temporary: "yes" as unknown as boolean }),
      TypeError,
    );
    const cause = new Error("db down");
    const error = new proxy.ProxyError(1999, "later", { temporary: true, cause });
    assert.deepEqual([error.name, error.code, error.message, error.temporary, error.cause], [
      "ProxyError",
      1999,
      "later",
      true,
      cause,
    ]);
    assert.ok(error instanceof Error);
    assert.equal(new proxy.ProxyError(400, "").temporary, false);
  });
  await t.step("disconnect codes 4000-4999, reasons of 1 to 123 bytes of UTF-8", () => {
    for (const code of [3999, 5000, 4500.5, 3000]) {
      assert.throws(() => new proxy.ProxyDisconnect(code, "x"), /from 4000 to 4999/);
    }
    assert.throws(() => new proxy.ProxyDisconnect(4500, ""), /must not be empty/);
    assert.throws(
      () => new proxy.ProxyDisconnect(4500, "a".repeat(124)),
      /at most 123 bytes .* got 124/,
    );
    assert.throws(() => new proxy.ProxyDisconnect(4500, "é".repeat(62)), /got 124/);
    assert.throws(() => new proxy.ProxyDisconnect(4500, "🎉".repeat(30) + "abcd"), /got 124/);
    assert.equal(new proxy.ProxyDisconnect(4500, "a".repeat(123)).reason.length, 123);
    assert.equal(new proxy.ProxyDisconnect(4999, "é".repeat(61) + "a").code, 4999);
    const d = new proxy.ProxyDisconnect(4000, "come back");
    assert.deepEqual([d.name, d.message, d.code, d.reason], [
      "ProxyDisconnect",
      "disconnect 4000: come back",
      4000,
      "come back",
    ]);
  });
  await t.step("an instance changed after it was built is checked again", async () => {
    const error = new proxy.ProxyError(1400, "x");
    Object.defineProperty(error, "code", { value: 99 });
    const disconnect = new proxy.ProxyDisconnect(4500, "x");
    Object.defineProperty(disconnect, "reason", { value: "r".repeat(200) });
    for (const answer of [error, disconnect]) {
      const h = handler("rpc", () => answer);
      const response = await h.handle(post(REQUESTS.rpc));
      assert.equal(response.status, 500);
      await response.body?.cancel();
      assert.match(String(h.reported[0]!.error), /ProxyAnswerError: rpc: an? (error|disconnect)/);
    }
  });
});

Deno.test("a thrown error: HTTP 500 with a generic body, reported, its text never sent", async (t) => {
  const secret = new Error("connection string postgres://admin:hunter2@db");
  for (
    const [name, fn] of [
      ["thrown", () => {
        throw secret;
      }],
      ["rejected", () => Promise.reject(secret)],
      ["a TypeError from a bad ProxyError", () => new proxy.ProxyError(99, "x")],
    ] as const
  ) {
    await t.step(name, async () => {
      const h = handler("subscribe", fn);
      const response = await h.handle(post(REQUESTS.subscribe));
      assert.equal(response.status, 500);
      const text = await response.text();
      assert.equal(text, "internal server error\n");
      assert.equal(h.reported.length, 1);
      if (name === "a TypeError from a bad ProxyError") {
        assert.ok(h.reported[0]!.error instanceof TypeError);
      } else assert.equal(h.reported[0]!.error, secret);
    });
  }
  await t.step("an onError that throws changes nothing", async () => {
    const h = factoryOf("rpc")(() => {
      throw secret;
    }, {
      onError() {
        throw new Error("logger down");
      },
    });
    const response = await h(post(REQUESTS.rpc));
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "internal server error\n");
  });
  await t.step(
    "the default onError: console.error, console.warn for a refused request",
    async () => {
      const logged: unknown[][] = [];
      const { error, warn } = console;
      console.error = (...args: unknown[]) => logged.push(["error", ...args]);
      console.warn = (...args: unknown[]) => logged.push(["warn", ...args]);
      try {
        const h = factoryOf("rpc")(() => {
          throw secret;
        });
        await (await h(post(REQUESTS.rpc))).body?.cancel();
        await (await h(new Request("http://x/"))).body?.cancel();
      } finally {
        Object.assign(console, { error, warn });
      }
      assert.deepEqual(logged, [
        ["error", "aiocent: rpc proxy answered HTTP 500:", secret],
        ["warn", "aiocent: rpc proxy answered HTTP 405:", "a GET request: proxies take POST"],
      ]);
    },
  );
});

Deno.test("the function gets the HTTP request: headers, cookies, signal", async () => {
  let seen: Request | undefined;
  const h = handler("connect", (_req, request) => {
    seen = request;
    return { user: request.headers.get("x-user") ?? "" };
  });
  const request = post(CLIENT, { headers: { "x-user": "alice", cookie: "a=1" } });
  const response = await h.handle(request);
  assert.deepEqual(await response.json(), { result: { user: "alice" } });
  assert.equal(seen, request);
  assert.ok(seen!.signal instanceof AbortSignal);
});

Deno.test("handler arguments are checked when the handler is made", () => {
  const connect = proxy.connectHandler as unknown as (fn: unknown, options?: unknown) => Handler;
  assert.throws(
    () => connect("not a function"),
    /connect proxy handler: the function must be a function/,
  );
  for (const maxBodyBytes of [0, -1, 1.5, "1024", Infinity]) {
    assert.throws(
      () => connect(() => ({}), { maxBodyBytes }),
      /maxBodyBytes must be a positive integer/,
    );
  }
  assert.throws(() => connect(() => ({}), { onError: "log" }), /onError must be a function/);
  assert.throws(
    () => connect(() => ({}), { maxBytes: 10 }),
    /unknown option maxBytes; known options: onError, maxBodyBytes/,
  );
  assert.throws(() => connect(() => ({}), null), /options must be an object/);
});

Deno.test("any JSON body: a 400 or the function's answer, never a failure", async () => {
  const fc = (await import("fast-check")).default;
  for (const type of Object.keys(REQUESTS)) {
    let calls = 0;
    const h = handler(type, () => {
      calls++;
      return RESULTS[type] ?? {};
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          // Mostly the right fields, with arbitrary values.
          fc.record(
            Object.fromEntries(Object.keys(REQUESTS[type]!).map((k) => [k, fc.jsonValue()])),
          ),
        ),
        async (body: unknown) => {
          const before = calls;
          const response = await h.handle(post(JSON.stringify(body)));
          await response.body?.cancel();
          assert.ok(response.status === 200 || response.status === 400, `${response.status}`);
          assert.equal(calls - before, response.status === 200 ? 1 : 0);
        },
      ),
      { numRuns: 150 },
    );
    assert.ok(h.reported.every((r) => r.context.status === 400));
  }
});

Deno.test("importing ./proxy loads no client transport", async () => {
  const root = new URL("../", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${root}proxy.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const { modules } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  const files = modules.map((m) => m.specifier.replace(`file://${root}`, ""));
  assert.ok(files.includes("src/proxy/handlers.ts"), files.join(", "));
  const client = files.filter((f) =>
    f === "src/client.ts" || f.startsWith("src/_transport/") || f === "src/_request.ts" ||
    f.startsWith("npm:") || f.startsWith("node:")
  );
  assert.deepEqual(client, []);
});

Deno.test("toNodeHandler serves the handlers under node:http", async () => {
  const { handle, reported } = handler("connect", (_req, request) => ({
    user: request.headers.get("x-user") ?? "",
  }), { maxBodyBytes: 4096 });
  const server = http.createServer(toNodeHandler(handle) as http.RequestListener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    let res = await fetch(origin, {
      method: "POST",
      headers: { "x-user": "alice", "content-type": "application/json" },
      body: JSON.stringify(CLIENT),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { result: { user: "alice" } });
    res = await fetch(origin);
    assert.equal(res.status, 405);
    await res.body?.cancel();
    res = await fetch(origin, { method: "POST", body: "x".repeat(10_000) });
    assert.equal(res.status, 413);
    await res.body?.cancel();
    assert.deepEqual(reported.map((r) => r.context.status), [405, 413]);
  } finally {
    // Deno's node:http keeps fetch's idle keep-alive connections open on close().
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
