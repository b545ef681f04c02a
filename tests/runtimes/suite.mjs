// The cross-runtime suite: runs on Node and Bun (plain JavaScript, no test
// framework) against the JavaScript JSR would serve (npm/), talking to real
// Centrifugo instances that tests/runtimes_test.ts starts and describes in
// the environment. Prints "N passed, N failed" and exits non-zero on failure.

import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { inspect } from "node:util";
import { Buffer } from "node:buffer";

const env = process.env;
const {
  connectionToken,
  subscriptionToken,
  Batch,
  Client,
  isSuccess,
  RequestError,
  RequestTimeoutError,
  ResponseError,
  CentError,
} = await import(env.AIOCENT_MODULE);
const tokenModule = await import(env.AIOCENT_TOKEN_MODULE);
const { toNodeHandler } = await import(env.AIOCENT_NODE_MODULE);

// Runs share servers: a prefix keeps each run's channels apart.
const R = `${Math.random().toString(36).slice(2, 8)}-`;
const runtime = typeof Bun !== "undefined"
  ? `Bun ${Bun.version}`
  : typeof Deno !== "undefined"
  ? `Deno ${Deno.version.deno}`
  : `Node ${process.version}`;
const apiKey = env.API_KEY;
const ca = env.CA_PEM;
const clientCert = { cert: env.CLIENT_CERT, key: env.CLIENT_KEY };
const opened = [];
const client = (address, options = {}) => {
  const made = new Client(address, { apiKey, timeout: 5000, ...options });
  opened.push(made);
  return made;
};

let passed = 0;
let failed = 0;
async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed++;
    console.log(`not ok - ${name}\n  ${String(err?.stack ?? err).replaceAll("\n", "\n  ")}`);
  }
}

async function rejectsCode(promise, method, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ResponseError, `expected ResponseError, got ${err}`);
    assert.equal(err.code, code);
    assert.equal(err.method, method);
    return true;
  });
}

function certificateRejected(err) {
  assert.ok(err instanceof RequestError, `expected RequestError, got ${err}`);
  assert.ok(!(err instanceof RequestTimeoutError));
  assert.match(err.message, /failed: TLS certificate rejected/);
  return true;
}

/** A local HTTP server for faults: paths with /hang never answer, others answer {}. */
async function startFake() {
  const hanging = new Set();
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url.includes("/hang")) return void hanging.add(res);
    res.setHeader("content-type", "application/json");
    res.end('{"result":{}}');
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    api: `http://127.0.0.1:${server.address().port}/api`,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A TCP pass-through proxy on `host` counting accepted connections. */
async function startProxy(targetPort, host = "127.0.0.1") {
  let count = 0;
  const sockets = new Set();
  const server = net.createServer((inbound) => {
    count++;
    const outbound = net.connect(targetPort, "127.0.0.1");
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise((resolve) => server.listen(0, host, resolve));
  return {
    port: server.address().port,
    connections: () => count,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const api = client(env.CENTRIFUGO_API);

await test("publish and history", async () => {
  const first = await api.publish(`${R}rt-pub`, { text: "héllo 🎉", n: [1, 2.5, null] });
  assert.equal(first.offset, 1);
  const history = await api.history(`${R}rt-pub`, { limit: -1 });
  assert.deepEqual(history.publications.map((p) => p.data), [{
    text: "héllo 🎉",
    n: [1, 2.5, null],
  }]);
  assert.equal(history.epoch, first.epoch);
});

await test("broadcast with a per-channel error", async () => {
  const { responses } = await api.broadcast([`${R}rt-bc`, "nosuchns:x"], { a: 1 });
  assert.equal(responses[0].ok, true);
  assert.equal(responses[1].ok, false);
  assert.ok(responses[1].error instanceof ResponseError);
  assert.equal(responses[1].error.code, 102);
});

await test("subscribe, unsubscribe, disconnect, refresh", async () => {
  assert.deepEqual(await api.subscribe("nobody", `${R}rt-sub`), {});
  assert.deepEqual(await api.unsubscribe("nobody", `${R}rt-sub`), {});
  assert.deepEqual(await api.disconnect("nobody", { disconnect: { code: 4000, reason: "x" } }), {});
  assert.deepEqual(await api.refresh("nobody", { expire_at: 2_000_000_000 }), {});
});

await test("presence, presenceStats, channels, info", async () => {
  assert.deepEqual(await api.presence(`${R}rt-empty`), { presence: {} });
  assert.deepEqual(await api.presenceStats(`${R}rt-empty`), { num_clients: 0, num_users: 0 });
  assert.deepEqual(await api.channels({ pattern: `${R}rt-*` }), { channels: {} });
  const { nodes } = await api.info();
  assert.match(nodes[0].version, /^6\.9\.1/);
});

await test("historyRemove", async () => {
  await api.publish(`${R}rt-rm`, 1);
  assert.deepEqual(await api.historyRemove(`${R}rt-rm`), {});
  assert.deepEqual((await api.history(`${R}rt-rm`, { limit: -1 })).publications, []);
});

await test("error codes 102, 107, 108, 112, 104", async () => {
  await rejectsCode(api.publish("nosuchns:x", 1), "publish", 102);
  await rejectsCode(api.publish(`${R}rt-107`, undefined, { b64data: "%%%" }), "publish", 107);
  await rejectsCode(api.history("bare:x"), "history", 108);
  await api.publish(`${R}rt-112`, 1);
  await rejectsCode(
    api.history(`${R}rt-112`, { limit: -1, since: { offset: 0, epoch: "x" } }),
    "history",
    112,
  );
  await rejectsCode(api.rpc("nosuch"), "rpc", 104);
});

await test("a PRO method is a 404 RequestError saying it needs PRO", async () => {
  for (const call of [() => api.getUserStatus(["u"]), () => api.call("get_user_status", {})]) {
    await assert.rejects(call(), (err) => {
      assert.ok(err instanceof RequestError && err instanceof CentError);
      assert.equal(err.status, 404);
      assert.match(err.message, /needs Centrifugo PRO/);
      return true;
    });
  }
});

await test("map channels: write, read state and stream, count, clear", async () => {
  const ch = `board:${R}rt`;
  const first = await api.mapPublish(ch, "a", { n: 1 });
  const again = await api.mapPublish(ch, "a", { n: 2 }, { key_mode: "if_new" });
  assert.deepEqual([again.suppressed, again.suppress_reason], [true, "key_exists"]);
  await api.mapPublish(ch, "b", new TextEncoder().encode('{"n":2}'));
  const state = await api.mapReadState(ch, { limit: -1 });
  assert.deepEqual(
    state.entries.map((e) => [e.key, e.data]).sort(),
    [["a", { n: 1 }], ["b", { n: 2 }]],
  );
  await api.mapRemove(ch, "a");
  const stream = await api.mapReadStream(ch, {
    since_offset: first.offset,
    since_epoch: first.epoch,
    limit: -1,
  });
  assert.deepEqual(stream.entries.map((e) => [e.key, e.removed === true]), [
    ["b", false],
    ["a", true],
  ]);
  assert.deepEqual(await api.mapStats(ch), { num_keys: 1 });
  assert.deepEqual(await api.mapClear(ch), {});
  await rejectsCode(api.mapStats("chat:x"), "map_stats", 107);
});

await test("shared poll: publish a version; a namespace that is not one is 107", async () => {
  assert.deepEqual(
    await api.sharedPollPublish(`scores:${R}rt`, "k", { v: 1 }, { version: 1 }),
    {},
  );
  await rejectsCode(
    api.sharedPollPublish("chat:x", "k", 1, { version: 1 }),
    "shared_poll_publish",
    107,
  );
});

await test("a wrong key is a 401 RequestError without the key", async () => {
  await assert.rejects(client(env.CENTRIFUGO_API, { apiKey: "wrong-key-42" }).info(), (err) => {
    assert.equal(err.status, 401);
    assert.doesNotMatch(`${err.message} ${err.stack}`, /wrong-key-42/);
    return true;
  });
});

await test("the key never shows in inspect", () => {
  assert.doesNotMatch(inspect(api, { showHidden: true, depth: 5 }), new RegExp(apiKey));
  assert.doesNotMatch(JSON.stringify(api) ?? "", new RegExp(apiKey));
});

await test("batch: replies in order, per-command errors", async () => {
  const replies = await api.send(
    new Batch().publish(`${R}rt-batch`, { k: 1 }).publish("nosuchns:x", 1).presenceStats(
      `${R}rt-batch`,
    ),
    { parallel: true },
  );
  assert.deepEqual(replies.map((r) => [r.method, r.ok]), [
    ["publish", true],
    ["publish", false],
    ["presence_stats", true],
  ]);
  assert.equal(replies[1].error.code, 102);
  assert.ok(isSuccess(replies[2], "presence_stats"));
  assert.deepEqual(await api.send(new Batch()), []);
});

await test("the legacy format: a call and a batch", async () => {
  const legacy = client(env.CENTRIFUGO_API, { format: "legacy" });
  const { offset } = await legacy.publish(`${R}rt-legacy`, { v: 1 });
  assert.equal(offset, 1);
  const replies = await legacy.send(
    new Batch().history(`${R}rt-legacy`, { limit: -1 }).publish("nosuchns:x", 1),
  );
  assert.deepEqual(replies[0].result.publications.map((p) => p.data), [{ v: 1 }]);
  assert.equal(replies[1].error.code, 102);
});

await test("the default encoder: a __proto__ key is data, as JSON.stringify writes it", async () => {
  // Deno ignores assignments to __proto__; Node and Bun would set the prototype.
  const sent = [];
  const capture = new Client("http://127.0.0.1:1/api", {
    fetch: (_url, init) => {
      sent.push(init.body);
      return Promise.resolve(new Response('{"result":{}}'));
    },
  });
  const data = JSON.parse('{"__proto__":{"x":1},"k":[{"__proto__":2}]}');
  await capture.publish("ch", data);
  assert.equal(sent[0], `{"channel":"ch","data":${JSON.stringify(data)}}`);
  assert.match(sent[0], /"__proto__":\{"x":1\}/);
});

await test("bad input is a TypeError before sending", async () => {
  await assert.rejects(api.publish("", 1), TypeError);
  await assert.rejects(api.history("x", { limit: 1.5 }), TypeError);
  assert.throws(
    () => new Batch().publish("x", 1, { skipHistory: true }),
    /did you mean skip_history/,
  );
});

/**
 * A raw TCP server whose every connection is handled by `onSocket`, for faults
 * below HTTP (and for status lines without bodies, exactly as written).
 */
async function rawServer(onSocket) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.once("data", () => onSocket(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    api: `http://127.0.0.1:${server.address().port}/api`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Answers with a fixed response, encoded once (some are 30 MB). */
const reply = (status, body = "", type = "text/plain") => {
  const bytes = Buffer.concat([
    Buffer.from(
      `HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\nContent-Length: ${
        Buffer.byteLength(body)
      }\r\n` +
        `Connection: close\r\n\r\n`,
    ),
    Buffer.from(body),
  ]);
  return (socket) => socket.end(bytes);
};
const big = 30 * 1024 * 1024;
const hugeResult = `{"result":{"publications":[{"data":"${
  "x".repeat(big)
}"}],"offset":1,"epoch":"e"}}`;

// The fault matrix: each fault, the error class it must give and what its
// message must say, within the timeout plus a margin.
const TIMEOUT = 300;
const MATRIX = [
  ["slow headers", () => {}, RequestTimeoutError, /timed out after 300 ms/],
  [
    "slow body",
    (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"res'),
    RequestTimeoutError,
    /timed out/,
  ],
  [
    "reset mid-body",
    (s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"res');
      setTimeout(() => s.destroy(), 20);
    },
    RequestError,
    /failed/,
  ],
  ["closed without an answer", (s) => s.destroy(), RequestError, /failed/],
  [
    "400 text",
    reply("400 Bad Request", "Bad Request\n"),
    RequestError,
    /HTTP 400 .*could not decode.*: Bad Request$/,
  ],
  [
    "401 empty",
    reply("401 Unauthorized"),
    RequestError,
    /HTTP 401 Unauthorized \(wrong or missing API key/,
  ],
  [
    "404 empty",
    reply("404 Not Found"),
    RequestError,
    /HTTP 404 Not Found \(unknown method, or the address/,
  ],
  ["405 empty", reply("405 Method Not Allowed"), RequestError, /HTTP 405 .*accept POST/],
  [
    "500 HTML",
    reply("500 Internal Server Error", "<html><body><h1>Oops</h1></body></html>", "text/html"),
    RequestError,
    /HTTP 500 .*: <html><body><h1>Oops/,
  ],
  [
    "503",
    reply("503 Service Unavailable", "overloaded"),
    RequestError,
    /HTTP 503 Service Unavailable: overloaded$/,
  ],
  [
    "invalid JSON",
    reply("200 OK", "{not json", "application/json"),
    RequestError,
    /answered invalid JSON/,
  ],
  [
    "JSON without result or error",
    reply("200 OK", '{"foo":1}', "application/json"),
    RequestError,
    /unexpected result/,
  ],
  [
    "a 30 MB error body",
    reply("500 Internal Server Error", "e".repeat(big)),
    RequestError,
    /HTTP 500/,
  ],
];

for (const [name, onSocket, errorClass, message, timeout = TIMEOUT] of MATRIX) {
  await test(`fault: ${name}`, async () => {
    const server = await rawServer(onSocket);
    try {
      const started = Date.now();
      await assert.rejects(client(server.api, { timeout }).history("ch"), (err) => {
        assert.ok(
          err instanceof errorClass,
          `expected ${errorClass.name}, got ${err?.name}: ${err?.message}`,
        );
        if (errorClass === RequestError) {
          assert.ok(!(err instanceof RequestTimeoutError), err.message);
        }
        assert.match(err.message, message);
        assert.match(err.message, /^history: POST http:\/\/127\.0\.0\.1:\d+\/api\/history /);
        assert.doesNotMatch(err.message, new RegExp(apiKey));
        return true;
      });
      assert.ok(Date.now() - started < timeout + 2000, `took ${Date.now() - started} ms`);
    } finally {
      await server.close();
    }
  });
}

await test("fault: a 30 MB result is read whole", async () => {
  const server = await rawServer(reply("200 OK", hugeResult, "application/json"));
  try {
    const history = await client(server.api, { timeout: 20_000 }).history("ch");
    assert.equal(history.publications[0].data.length, big);
  } finally {
    await server.close();
  }
});

await test("maxResponseBytes: an endless chunked 200 is dropped at the limit", async () => {
  let written = 0;
  const server = await rawServer((socket) => {
    socket.write(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const more = () => {
      if (socket.destroyed) return;
      written += chunk.length;
      const ok = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) &&
        socket.write("\r\n");
      if (ok) setImmediate(more);
      else socket.once("drain", more);
    };
    more();
  });
  try {
    await assert.rejects(
      client(server.api, { timeout: 10_000, maxResponseBytes: 1024 * 1024 }).info(),
      (err) => {
        assert.ok(err instanceof RequestError, `got ${err}`);
        assert.match(err.message, /answered more than 1048576 bytes/);
        return true;
      },
    );
    // The client stopped reading near the limit (socket buffers aside).
    assert.ok(written < 16 * 1024 * 1024, `the server wrote ${written} bytes`);
  } finally {
    await server.close();
  }
});

await test("maxResponseBytes: a Content-Length past the limit is refused unread", async () => {
  const server = await rawServer(reply("200 OK", "x".repeat(5000), "application/json"));
  try {
    await assert.rejects(
      client(server.api, { maxResponseBytes: 1000 }).info(),
      /answered more than 1000 bytes/,
    );
  } finally {
    await server.close();
  }
});

await test("maxResponseBytes: a declared length past the limit is refused before the body", async () => {
  // The headers only, the name in capitals: waiting for the body would end in the timeout.
  const head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCONTENT-LENGTH: 5000\r\n\r\n";
  const server = await rawServer((socket) => socket.write(head));
  try {
    await assert.rejects(
      client(server.api, { timeout: 5000, maxResponseBytes: 1000 }).info(),
      (err) => {
        assert.ok(err instanceof RequestError && !(err instanceof RequestTimeoutError), `${err}`);
        assert.match(err.message, /answered more than 1000 bytes/);
        return true;
      },
    );
  } finally {
    await server.close();
  }
});

await test("a Retry-After is read whatever the case of its name", async () => {
  const answer = "HTTP/1.1 503 Service Unavailable\r\nRETRY-AFTER: 7\r\nContent-Length: 4\r\n" +
    "Connection: close\r\n\r\nbusy";
  const server = await rawServer((socket) => socket.end(answer));
  try {
    await assert.rejects(client(server.api).info(), (err) => {
      assert.ok(err instanceof RequestError, `${err}`);
      assert.equal(err.status, 503);
      assert.equal(err.retryAfter, 7000);
      return true;
    });
  } finally {
    await server.close();
  }
});

await test("secrets: an echoed key or header value is redacted", async () => {
  const secretHeader = "Basic c2VjcmV0LWNyZWRlbnRpYWw=";
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => body += c);
    req.on("end", () => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`${JSON.stringify(req.headers)} ${body}`);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const api = `http://127.0.0.1:${server.address().port}/api`;
    const err = await client(api, { headers: { "Proxy-Authorization": secretHeader } })
      .info().catch((e) => e);
    assert.ok(err instanceof RequestError && err.status === 500, String(err));
    for (const text of [err.message, err.body]) {
      assert.ok(!text.includes(apiKey) && !text.includes(secretHeader), text);
    }
    assert.match(err.body, /\[redacted\]/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

await test("auto-batching: a malformed item fails its own call only", async () => {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ replies: [{ info: { nodes: [] } }, { error: {} }, { info: null }] }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const api = `http://127.0.0.1:${server.address().port}/api`;
    const auto = client(api, { autoBatch: true, timeout: Infinity });
    const outcomes = await Promise.allSettled([auto.info(), auto.info(), auto.info()]);
    assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "rejected", "rejected"]);
    assert.ok(outcomes.slice(1).every((o) => o.reason instanceof RequestError));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

await test("a custom fetch rejecting with an odd value: a RequestError with it as cause", async () => {
  for (
    const odd of [Object.create(null), {
      toString() {
        throw new Error("x");
      },
    }, undefined]
  ) {
    const err = await client("http://127.0.0.1:1/api", { fetch: () => Promise.reject(odd) })
      .info().catch((e) => e);
    assert.ok(err instanceof RequestError, `got ${typeof err}`);
    assert.equal(err.cause, odd);
  }
});

await test("fault: refused connection", async () => {
  const server = await rawServer(() => {});
  const api = server.api;
  await server.close();
  await assert.rejects(client(api, { timeout: TIMEOUT }).info(), (err) => {
    assert.ok(err instanceof RequestError && !(err instanceof RequestTimeoutError));
    assert.match(err.message, /^info: POST http:\/\/127\.0\.0\.1:\d+\/api\/info failed: /);
    return true;
  });
});

const fake = await startFake();
await test("timeout", async () => {
  const started = Date.now();
  await assert.rejects(client(fake.api, { timeout: 200 }).call("hang"), (err) => {
    assert.ok(err instanceof RequestTimeoutError);
    assert.equal(err.timeout, 200);
    return true;
  });
  assert.ok(Date.now() - started < 3000);
});

await test("calls due the same moment: all time out together, on time", async () => {
  // On Bun they share one timeout signal (Transport.shareSignals).
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: 20 }, () => client(fake.api, { timeout: 200 }).call("hang")),
  );
  const took = performance.now() - started;
  for (const outcome of outcomes) {
    assert.equal(outcome.status, "rejected");
    assert.ok(outcome.reason instanceof RequestTimeoutError, String(outcome.reason));
    assert.equal(outcome.reason.cause?.name, "TimeoutError");
  }
  assert.ok(took >= 200 && took < 3000, `took ${took} ms`);
});

await test("one client, calls one after another: after settled calls, a call still times out on time", async () => {
  // On Bun a share whose calls have settled is taken again within its millisecond.
  const one = client(fake.api, { timeout: 300 });
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 20; i++) assert.deepEqual(await one.info(), {});
    const started = performance.now();
    await assert.rejects(one.call("hang"), (err) => {
      assert.ok(err instanceof RequestTimeoutError, String(err));
      assert.equal(err.cause?.name, "TimeoutError");
      return true;
    });
    const took = performance.now() - started;
    assert.ok(took >= 299 && took < 3000, `took ${took} ms`);
  }
});

await test("closing one client abandons its calls, not another's due the same moment", async () => {
  const held = [];
  const server = http.createServer((req, res) => {
    req.resume();
    held.push(() => {
      res.setHeader("content-type", "application/json");
      res.end('{"result":{}}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const address = `http://127.0.0.1:${server.address().port}/api`;
    const [a, b] = [
      new Client(address, { timeout: 60_000 }),
      new Client(address, { timeout: 60_000 }),
    ];
    const callA = a.info();
    const callB = b.info();
    while (held.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await a.close({ timeout: 20 });
    await assert.rejects(callA, /abandoned: the client was closed$/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const release of held) release();
    assert.deepEqual(await callB, {});
    await b.close();
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

await test("abort: the cause is the signal's reason", async () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  const pending = client(fake.api).call("hang", {}, { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 50);
  await assert.rejects(pending, (err) => {
    assert.ok(err instanceof RequestError && !(err instanceof RequestTimeoutError));
    assert.equal(err.cause, reason);
    return true;
  });
});
await test("attemptTimeout: each attempt is bounded, and the call's timeout bounds them all", async () => {
  const hung = fake.api.replace(/\/api$/, "/hang/api");
  const retry = { attempts: 2, minDelay: 1, maxDelay: 5, attemptTimeout: 100 };
  await assert.rejects(client(hung, { timeout: 5000, retry }).info(), (err) => {
    assert.ok(err instanceof RequestTimeoutError, `got ${err}`);
    assert.equal(err.timeout, 100);
    assert.equal(err.attempts, 2);
    assert.match(err.message, /attempt timed out after 100 ms/);
    return true;
  });
  await assert.rejects(
    client(hung, { timeout: 150, retry: { ...retry, attemptTimeout: 1000 } }).info(),
    (err) => {
      assert.ok(err instanceof RequestTimeoutError, `got ${err}`);
      assert.equal(err.timeout, 150);
      assert.match(err.message, /info: POST \S+ timed out after 150 ms$/);
      return true;
    },
  );
});

await fake.close();

await test("TLS: a default client rejects an unknown CA", async () => {
  await assert.rejects(client(env.TLS_API).info(), certificateRejected);
});

await test("TLS: verify: false works for that client only", async () => {
  await client(env.TLS_API, { verify: false }).publish(`${R}rt-tls`, 1);
  await assert.rejects(client(env.TLS_API).info(), certificateRejected);
});

await test("TLS: caCerts", async () => {
  const { offset } = await client(env.TLS_API, { caCerts: [ca] }).publish(`${R}rt-tls-ca`, 1);
  assert.equal(offset, 1);
});

await test("TLS: a certificate for another host", async () => {
  await assert.rejects(client(env.OTHER_API, { caCerts: [ca] }).info(), certificateRejected);
  await client(env.OTHER_API, { verify: false }).info();
});

await test("TLS: mutual TLS with a client certificate", async () => {
  await client(env.MTLS_API, { caCerts: [ca], ...clientCert }).info();
  await assert.rejects(client(env.MTLS_API, { caCerts: [ca] }).info(), RequestError);
});

// Every transport of the client holds one keep-alive connection for
// sequential calls (on Node the client uses node:http, not Node's fetch).
for (
  const [name, scheme, options, limit] of [
    ["default transport", "http", {}, 1],
    ["verify: false", "https", { verify: false }, 1],
    ["caCerts", "https", { caCerts: [ca] }, 1],
  ]
) {
  await test(`sequential calls reuse one connection: ${name}`, async () => {
    const target = new URL(scheme === "http" ? env.CENTRIFUGO_API : env.TLS_API);
    const proxy = await startProxy(Number(target.port));
    const reuse = client(`${scheme}://127.0.0.1:${proxy.port}/api`, options);
    try {
      for (let i = 0; i < 20; i++) await reuse.publish(`${R}rt-reuse`, { i });
      const used = proxy.connections();
      assert.ok(used >= 1 && used <= limit, `${used} connections for 20 sequential calls`);
    } finally {
      await reuse.close();
      await proxy.close();
    }
  });
}

// The transport derives the socket address from the URL itself (once per URL).
await test("an IPv6 literal addresses the server", async () => {
  const proxy = await startProxy(Number(new URL(env.CENTRIFUGO_API).port), "::1");
  const v6 = client(`http://[::1]:${proxy.port}/api/`);
  try {
    const { offset } = await v6.publish(`${R}rt-v6`, { via: "::1" });
    assert.ok(offset >= 1);
    assert.equal(proxy.connections(), 1);
  } finally {
    await v6.close();
    await proxy.close();
  }
});

// What a server receives. On Node the client's own node:http transport
// writes the headers as one list it builds per URL (Host included, the
// body's length added per call), so calls in flight together must each
// carry their own length.
await test("the request's headers reach the server as sent, each call with its own length", async () => {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      seen.push({ raw: req.rawHeaders, body: Buffer.concat(chunks) });
      res.setHeader("content-type", "application/json");
      res.end('{"result":{}}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  const sender = client(`http://127.0.0.1:${port}/api`, { headers: { "X-Tenant": "t1" } });
  const texts = ["héllo 🎉", "a longer body ".repeat(20), ""];
  try {
    await Promise.all(texts.map((text) => sender.publish(`${R}rt-headers`, { text })));
  } finally {
    await sender.close();
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
  assert.equal(seen.length, texts.length);
  const received = [];
  for (const { raw, body } of seen) {
    const names = raw.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
    const value = (name) => raw[names.indexOf(name) * 2 + 1];
    assert.equal(names.filter((name) => name === "host").length, 1, `headers: ${raw}`);
    assert.equal(value("host"), `127.0.0.1:${port}`);
    assert.equal(value("content-type"), "application/json");
    assert.equal(value("x-api-key"), apiKey);
    assert.equal(value("x-tenant"), "t1");
    assert.equal(Number(value("content-length")), body.length);
    const sent = JSON.parse(body.toString("utf8"));
    assert.equal(sent.channel, `${R}rt-headers`);
    received.push(sent.data.text);
  }
  assert.deepEqual(received.sort(), [...texts].sort());
});

await test("tokens: HS256, RS256, ES256 sign here; the caller checks them on Centrifugo", async () => {
  const sub = `${R}token-user`;
  const tokens = {
    sub,
    hs: await connectionToken({ sub }, env.HMAC_SECRET, { expiresIn: 600 }),
    rs: await connectionToken({ sub }, env.RSA_PKCS8, { expiresIn: 600 }),
    es: await connectionToken({ sub }, env.EC_PKCS8, { expiresIn: 600 }),
    esJwk: await connectionToken({ sub }, JSON.parse(env.EC_JWK), { expiresIn: 600 }),
    channel: await subscriptionToken({ sub, channel: "$private" }, env.HMAC_SECRET, {
      expiresIn: 600,
    }),
  };
  for (const token of Object.values(tokens).slice(1)) assert.equal(token.split(".").length, 3);
  await assert.rejects(connectionToken({ sub, expireAt: 1 }, env.HMAC_SECRET), TypeError);
  // Printed for tests/runtimes_test.ts, which connects with them.
  console.log(`TOKENS ${JSON.stringify(tokens)}`);
});

await test("token entrypoint: EdDSA, RS256, ES256 with kids and this runtime's JWKS; the caller checks them on a JWKS Centrifugo", async () => {
  const { connectionToken, subscriptionToken, jwks, KeyRing, apiToken } = tokenModule;
  const sub = `${R}jwks-user`;
  const edJwk = JSON.parse(env.ED_JWK);
  const kids = {
    edPem: `${R}ed-pem`,
    edJwk: `${R}ed-jwk`,
    rs: `${R}rs`,
    es: `${R}es`,
    ring: `${R}ring`,
  };
  // The public halves derived here, by this runtime's WebCrypto.
  const set = await jwks([
    { kid: kids.edPem, key: env.ED_PKCS8 },
    { kid: kids.edJwk, key: edJwk },
    { kid: kids.rs, key: env.RSA_PKCS8 },
    { kid: kids.es, key: JSON.parse(env.EC_JWK) },
  ]);
  assert.deepEqual(set.keys.map((k) => [k.kty, k.alg, k.use]), [
    ["OKP", "EdDSA", "sig"],
    ["OKP", "EdDSA", "sig"],
    ["RSA", "RS256", "sig"],
    ["EC", "ES256", "sig"],
  ]);
  assert.equal(set.keys[0].x, set.keys[1].x);
  for (const key of set.keys) assert.equal(key.d, undefined);
  const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]);
  const ring = await KeyRing.create([{ kid: kids.ring, key: pair }], { maxTokenLifetime: 900 });
  set.keys.push(...ring.jwks().keys);
  const ttl = { expiresIn: 600 };
  const tokens = {
    edPem: await connectionToken({ sub }, env.ED_PKCS8, { ...ttl, keyId: kids.edPem }),
    edJwk: await connectionToken({ sub }, edJwk, { ...ttl, keyId: kids.edJwk }),
    rs: await connectionToken({ sub }, env.RSA_PKCS8, { ...ttl, keyId: kids.rs }),
    es: await connectionToken({ sub }, JSON.parse(env.EC_JWK), { ...ttl, keyId: kids.es }),
    ring: await connectionToken({ sub }, ring, ttl),
    channel: await subscriptionToken({ sub, channel: `$${R}jwks` }, ring, ttl),
  };
  assert.equal(JSON.parse(atob(tokens.edPem.split(".")[0])).alg, "EdDSA");
  assert.match(await apiToken({ scope: "centrifugo:api" }, ring, ttl), /^[\w-]+\.[\w-]+\.[\w-]+$/);
  // Ed25519 signatures are deterministic: the same bytes on every runtime.
  const fixed = await connectionToken(
    { sub: "same", iat: 1700000000, exp: 1700000600 },
    env.ED_PKCS8,
  );
  // Printed for tests/runtimes_test.ts, which serves the set and connects with them.
  console.log(`JWKS ${JSON.stringify({ sub, set, tokens, channel: `$${R}jwks`, fixed })}`);
});

await test("a WebCrypto without Ed25519 is named in the error", async () => {
  const subtle = crypto.subtle;
  const original = subtle.importKey;
  // What a runtime whose WebCrypto has no Ed25519 answers.
  Object.defineProperty(subtle, "importKey", {
    configurable: true,
    value(format, data, algorithm, ...rest) {
      const name = typeof algorithm === "string" ? algorithm : algorithm.name;
      if (name === "Ed25519") {
        return Promise.reject(new DOMException("Unrecognized algorithm name", "NotSupportedError"));
      }
      return original.call(subtle, format, data, algorithm, ...rest);
    },
  });
  const named = typeof Bun !== "undefined"
    ? `Bun ${Bun.version}`
    : typeof Deno !== "undefined"
    ? `Deno ${Deno.version.deno}`
    : `Node ${process.versions.node}`;
  try {
    await assert.rejects(
      tokenModule.connectionToken({ sub: "u" }, env.ED_PKCS8, { expiresIn: 60 }),
      (err) => {
        assert.equal(err.name, "NotSupportedError");
        assert.ok(
          err.message.startsWith(
            `connectionToken: the WebCrypto of ${named} does not support Ed25519`,
          ),
          err.message,
        );
        return true;
      },
    );
  } finally {
    delete subtle.importKey;
  }
  assert.equal(crypto.subtle.importKey, original);
});

await test("shared-poll signature: the same on every runtime", async () => {
  const signature = await tokenModule.sharedPollSignature(
    { user: "42", channel: "scores:x", keys: ["a", "b"], iat: 1700000000, exp: 1700003600 },
    env.SHARED_POLL_SECRET,
  );
  assert.equal(signature, env.SHARED_POLL_EXPECTED);
});

await test("token endpoints under this runtime's node:http", async () => {
  const { connectionTokenEndpoint, sharedPollSignatureEndpoint } = tokenModule;
  const routes = {
    "/token": connectionTokenEndpoint({
      key: env.HMAC_SECRET,
      expiresIn: 60,
      authorize: (request) =>
        request.headers.get("x-user") ? { sub: request.headers.get("x-user") } : null,
    }),
    "/signature": sharedPollSignatureEndpoint({
      secret: env.SHARED_POLL_SECRET,
      expiresIn: 60,
      maxBodyBytes: 100,
      authorize: (_request, _channel, keys) => ({ user: "u", keys: keys.slice(0, 1) }),
    }),
  };
  const server = http.createServer(
    toNodeHandler((request) => routes[new URL(request.url).pathname](request)),
  );
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  try {
    const ok = await fetch(`${origin}/token`, {
      method: "POST",
      headers: { "x-user": "ann" },
      body: "{}",
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("cache-control"), "no-store");
    const { token } = await ok.json();
    assert.equal(
      JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).sub,
      "ann",
    );
    const refused = await fetch(`${origin}/token`);
    assert.equal(refused.status, 403);
    await refused.text();
    const signed = await fetch(`${origin}/signature`, {
      method: "POST",
      body: JSON.stringify({ channel: "c", keys: ["k1", "k2"] }),
    });
    assert.deepEqual((await signed.json()).keys, ["k1"]);
    const tooBig = await fetch(`${origin}/signature`, { method: "POST", body: "x".repeat(1000) });
    assert.equal(tooBig.status, 413);
    await tooBig.text();
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

// ---------------------------------------------------------------------------
// Proxy handlers (@aiocent/aiocent/proxy) in this runtime: answers, base64
// both ways (the runtimes differ in their base64 built-ins), hostile
// requests, and node:http through toNodeHandler. tests/runtimes_test.ts also
// serves them to a real Centrifugo here (tests/runtimes/proxy_server.mjs).

const proxy = await import(env.AIOCENT_PROXY_MODULE);
const CLIENT = { client: "c1", transport: "websocket", protocol: "json", encoding: "json" };
const proxyPost = (body, headers = {}) =>
  new Request("http://127.0.0.1/proxy", {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

await test("proxy: answers as the type can carry them", async () => {
  const connect = proxy.connectHandler((req, request) => ({
    user: request.headers.get("x-user"),
    info: { client: req.client },
    channels: ["news"],
  }));
  let res = await connect(proxyPost(CLIENT, { "x-user": "alice" }));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    result: { user: "alice", info: { client: "c1" }, channels: ["news"] },
  });
  const reported = [];
  const onError = (error, context) => reported.push([context.status, error.name]);
  const rpc = proxy.rpcHandler((req) => {
    if (req.method === "fail") throw new proxy.ProxyError(1404, "no such thing");
    if (req.method === "ban") return new proxy.ProxyDisconnect(4501, "é".repeat(61) + "a");
    if (req.method === "boom") throw new Error("secret-42");
    return { data: { echo: req.data } };
  }, { onError });
  res = await rpc(proxyPost({ ...CLIENT, method: "fail" }));
  assert.deepEqual(await res.json(), { error: { code: 1404, message: "no such thing" } });
  res = await rpc(proxyPost({ ...CLIENT, method: "ban" }));
  assert.deepEqual(await res.json(), { disconnect: { code: 4501, reason: "é".repeat(61) + "a" } });
  res = await rpc(proxyPost({ ...CLIENT, method: "boom" }));
  assert.equal(res.status, 500);
  assert.doesNotMatch(await res.text(), /secret/);
  const refresh = proxy.refreshHandler(() => new proxy.ProxyError(1400, "no"), { onError });
  res = await refresh(proxyPost({ ...CLIENT, user: "u" }));
  assert.equal(res.status, 500);
  await res.body?.cancel();
  assert.deepEqual(reported, [[500, "Error"], [500, "ProxyAnswerError"]]);
  assert.throws(() => new proxy.ProxyDisconnect(4500, "a".repeat(124)), TypeError);
  assert.throws(() => new proxy.ProxyError(99, "x"), TypeError);
});

await test("proxy: binary_encoding payloads decoded and encoded", async () => {
  const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
  const b64 = Buffer.from(bytes).toString("base64");
  let got;
  const rpc = proxy.rpcHandler((req) => {
    got = req.data;
    return { data: req.data.slice().reverse() };
  });
  const res = await rpc(proxyPost({ ...CLIENT, encoding: "binary", b64data: b64 }));
  assert.ok(got instanceof Uint8Array);
  assert.deepEqual(Buffer.from(got), Buffer.from(bytes));
  const { result } = await res.json();
  assert.deepEqual(Buffer.from(result.b64data, "base64"), Buffer.from(bytes.slice().reverse()));
});

await test("proxy: hostile requests get a short 4xx", async () => {
  const connect = proxy.connectHandler(() => ({}), { maxBodyBytes: 1024, onError() {} });
  let res = await connect(new Request("http://127.0.0.1/"));
  assert.equal(res.status, 405);
  await res.body?.cancel();
  res = await connect(proxyPost("{"));
  assert.equal(res.status, 400);
  await res.body?.cancel();
  res = await connect(proxyPost({ ...CLIENT, channels: [1] }));
  assert.equal(res.status, 400);
  assert.match(await res.text(), /channels\[0\] must be a string/);
  res = await connect(proxyPost({ ...CLIENT, x: "y".repeat(5000) }));
  assert.equal(res.status, 413);
  await res.body?.cancel();
});

await test("proxy: served by node:http through toNodeHandler", async () => {
  const connect = proxy.connectHandler((_req, request) => ({
    user: request.headers.get("x-user"),
  }), { maxBodyBytes: 4096, onError() {} });
  const server = http.createServer(toNodeHandler(connect));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  try {
    let res = await fetch(origin, {
      method: "POST",
      headers: { "x-user": "bob" },
      body: JSON.stringify(CLIENT),
    });
    assert.deepEqual(await res.json(), { result: { user: "bob" } });
    res = await fetch(origin);
    assert.equal(res.status, 405);
    await res.body?.cancel();
    // 50 MB announced, 64 KiB sent: a 413 without the rest.
    const answer = await new Promise((resolve, reject) => {
      const socket = net.connect(server.address().port, "127.0.0.1");
      let text = "";
      socket.on("data", (chunk) => text += chunk);
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(text));
      socket.setTimeout(5000, () => reject(new Error(`no answer: ${text}`)));
      socket.write(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n" +
          " ".repeat(64 * 1024),
      );
    });
    assert.match(answer, /^HTTP\/1\.1 413 /);
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

await Promise.all(opened.map((c) => c.close()));
console.log(`${runtime}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
