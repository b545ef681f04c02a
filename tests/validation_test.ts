// Bad input is a TypeError raised before anything is sent: the Client's
// methods reject with it (fetch is never called), the Batch builder throws it
// at once. Each message starts with the method's name and names the argument,
// so the mistake is found from the message alone. Valid input, including the
// edge values next to each invalid one, does send.

import assert from "node:assert/strict";
import { Batch, Client, type ClientOptions, type FetchLike } from "@aiocent/aiocent";

const ADDRESS = "http://centrifugo.invalid:8000/api";

/** The result Centrifugo would give `method`: one response per channel of a broadcast. */
function resultFor(method: string, params: { channels?: unknown[] }): unknown {
  return method === "broadcast" ? { responses: params.channels!.map(() => ({ result: {} })) } : {};
}

/**
 * A fetch that counts its calls and answers every request as Centrifugo
 * would, so valid calls resolve.
 */
function countingFetch(): { fetch: FetchLike; calls: () => number } {
  let calls = 0;
  const fetch: FetchLike = (input, init) => {
    calls++;
    const method = String(input).split("/").pop()!;
    const sent = JSON.parse(String(init?.body));
    const reply = method !== "batch" ? { result: resultFor(method, sent) } : {
      replies: (sent.commands as Record<string, { channels?: unknown[] }>[]).map((command) => {
        const [[name, params]] = Object.entries(command) as [[string, { channels?: unknown[] }]];
        return { [name]: resultFor(name, params) };
      }),
    };
    return Promise.resolve(new Response(JSON.stringify(reply)));
  };
  return { fetch, calls: () => calls };
}

/**
 * The methods the Client and the Batch share, with every argument loosened to
 * `unknown`: the cases below pass wrong types on purpose, as untyped
 * JavaScript callers would.
 */
interface Loose {
  publish(channel: unknown, data: unknown, options?: unknown): unknown;
  broadcast(channels: unknown, data: unknown, options?: unknown): unknown;
  subscribe(user: unknown, channel: unknown, options?: unknown): unknown;
  unsubscribe(user: unknown, channel: unknown, options?: unknown): unknown;
  disconnect(user: unknown, options?: unknown): unknown;
  refresh(user: unknown, options?: unknown): unknown;
  presence(channel: unknown, options?: unknown): unknown;
  presenceStats(channel: unknown, options?: unknown): unknown;
  history(channel: unknown, options?: unknown): unknown;
  historyRemove(channel: unknown, options?: unknown): unknown;
  channels(options?: unknown): unknown;
  info(options?: unknown): unknown;
  rpc(method: unknown, params?: unknown, options?: unknown): unknown;
}

interface LooseClient extends Loose {
  call(method: unknown, params?: unknown, options?: unknown): Promise<unknown>;
  send(batch: unknown, options?: unknown): Promise<unknown>;
}

interface LooseBatch extends Loose {
  add(method: unknown, params?: unknown): unknown;
}

/** A bad call, and what its TypeError's message must match. */
type Case<T> = [call: (api: T) => unknown, message: RegExp];

/** A client whose every request goes to a counting fetch. */
function countingClient(options: ClientOptions = {}) {
  const counter = countingFetch();
  const client = new Client(ADDRESS, { fetch: counter.fetch, ...options });
  return { client: client as unknown as LooseClient, calls: counter.calls };
}

/** Asserts `err` is a TypeError whose message matches `message`. */
function isTypeError(err: unknown, message: RegExp): true {
  assert.ok(err instanceof TypeError, `expected TypeError, got ${err}`);
  assert.match(err.message, message);
  return true;
}

/**
 * Runs each case on a fresh counting client: the call must return a promise
 * (never throw synchronously) that rejects with the TypeError, and the fetch
 * must not have been called.
 */
async function clientRejects(cases: Case<LooseClient>[], options?: ClientOptions) {
  for (const [call, message] of cases) {
    const { client, calls } = countingClient(options);
    let result: unknown;
    assert.doesNotThrow(() => {
      result = call(client);
    }, `${message} was thrown synchronously`);
    assert.ok(result instanceof Promise, `${message}: not a promise`);
    await assert.rejects(result, (err) => isTypeError(err, message));
    assert.equal(calls(), 0, `${message}: fetch was called`);
  }
}

/** Runs each case on a fresh Batch: it must throw the TypeError at once. */
function batchThrows(cases: Case<LooseBatch>[]) {
  for (const [call, message] of cases) {
    const batch = new Batch();
    assert.throws(() => call(batch as unknown as LooseBatch), (err) => isTypeError(err, message));
    assert.equal(batch.length, 0, `${message}: a command was added`);
  }
}

/** Runs cases both on the Client (rejects) and on the Batch builder (throws). */
async function bothReject(cases: Case<Loose>[]) {
  await clientRejects(cases);
  batchThrows(cases);
}

const fn = () => 1;

Deno.test("bad arguments of the methods", async (t) => {
  await t.step("channel: empty or not a string", async () => {
    await bothReject([
      [(api) => api.publish("", 1), /^publish: channel must be a non-empty string, got an empty/],
      [(api) => api.publish(42, 1), /^publish: channel must be .*, got number 42$/],
      [(api) => api.subscribe("u", ""), /^subscribe: channel must be a non-empty string/],
      [(api) => api.unsubscribe("u", null), /^unsubscribe: channel .*, got null$/],
      [(api) => api.presence(""), /^presence: channel must be a non-empty string/],
      [(api) => api.presenceStats(undefined), /^presenceStats: channel .*, got undefined$/],
      [(api) => api.history(["a"]), /^history: channel .*, got an array$/],
      [(api) => api.historyRemove(""), /^historyRemove: channel must be a non-empty string/],
      [(api) => api.rpc("", {}), /^rpc: method must be a non-empty string/],
      [(api) => api.rpc(7), /^rpc: method must be .*, got number 7$/],
    ]);
  });

  await t.step("user: not a string", async () => {
    await bothReject([
      [(api) => api.subscribe(1, "ch"), /^subscribe: user must be a string .*, got number 1$/],
      [(api) => api.unsubscribe(null, "ch"), /^unsubscribe: user must be a string/],
      [(api) => api.disconnect(undefined), /^disconnect: user must be a string .*got undefined$/],
      [(api) => api.refresh({ id: 1 }), /^refresh: user must be a string .*type object$/],
    ]);
  });

  await t.step("channels of broadcast: empty, or with a bad name", async () => {
    await bothReject([
      [(api) => api.broadcast([], 1), /^broadcast: channels must be a non-empty array/],
      [(api) => api.broadcast("a", 1), /^broadcast: channels must be .*, got a string$/],
      [(api) => api.broadcast(["a", ""], 1), /^broadcast: channels\[1\] must be a non-empty/],
      [(api) => api.broadcast(["a", 5], 1), /^broadcast: channels\[1\] .*, got number 5$/],
    ]);
  });

  await t.step("data: undefined without b64data, a function, a symbol", async () => {
    await bothReject([
      [
        (api) => api.publish("ch", undefined),
        /^publish: data must be a JSON value, got undefined$/,
      ],
      [(api) => api.publish("ch", fn), /^publish: data must be a JSON value, .*type function$/],
      [(api) => api.publish("ch", Symbol("s")), /^publish: data .*type symbol$/],
      [(api) => api.broadcast(["a"], undefined), /^broadcast: data must be a JSON value/],
      [(api) => api.rpc("m", fn), /^rpc: params must be a JSON value/],
      [(api) => api.subscribe("u", "ch", { data: fn }), /^subscribe: option data must be a JSON/],
      [(api) => api.refresh("u", { info: Symbol() }), /^refresh: option info must be a JSON/],
      [
        (api) => api.publish("ch", new Uint8Array([1]), { b64data: "AQ==" }),
        /^publish: pass binary data or b64data, not both$/,
      ],
    ]);
  });

  await t.step("limit: not an integer, below -1, a string", async () => {
    const limit = /^history: option limit must be a non-negative 32-bit integer, or -1 for all/;
    await bothReject([
      [(api) => api.history("ch", { limit: 1.5 }), limit],
      [(api) => api.history("ch", { limit: -2 }), limit],
      [(api) => api.history("ch", { limit: "10" }), /, got a string$/],
      [(api) => api.history("ch", { limit: NaN }), limit],
      [(api) => api.history("ch", { limit: 2 ** 31 }), limit],
    ]);
  });

  await t.step("unknown options, with a hint for camelCase", async () => {
    await bothReject([
      [
        (api) => api.publish("ch", 1, { skipHistory: true }),
        /^publish: unknown option skipHistory \(did you mean skip_history\?\); known options: .*skip_history/,
      ],
      [
        (api) => api.subscribe("u", "ch", { expireAt: 1 }),
        /^subscribe: unknown option expireAt \(did you mean expire_at\?\)/,
      ],
      [
        (api) => api.history("ch", { offset: 1 }),
        /^history: unknown option offset; known options:/,
      ],
      [(api) => api.channels({ patern: "x" }), /^channels: unknown option patern; .*pattern/],
    ]);
    // The per-call controls are listed as known only where they are allowed.
    await clientRejects([[(api) => api.info({ foo: 1 }), /^info: unknown option foo; .*signal/]]);
    batchThrows([[(api) => api.channels({ foo: 1 }), /^channels: .*known options: pattern$/]]);
  });

  await t.step("a wrong type for a known option", async () => {
    await bothReject([
      [
        (api) => api.publish("ch", 1, { skip_history: "yes" }),
        /^publish: option skip_history must be a boolean, got a string$/,
      ],
      [
        (api) => api.publish("ch", 1, { tags: { a: 1 } }),
        /^publish: option tags must be an object of string values/,
      ],
      [
        (api) => api.history("ch", { since: { offset: -1, epoch: "x" } }),
        /^history: option since must be \{ offset: non-negative integer, epoch: string \}/,
      ],
      [(api) => api.history("ch", { since: { offset: 1 } }), /^history: option since must be/],
      [
        (api) => api.disconnect("u", { disconnect: { code: "x", reason: "r" } }),
        /^disconnect: option disconnect must be \{ code: non-negative integer, reason: string \}/,
      ],
      [
        (api) => api.disconnect("u", { whitelist: "c1" }),
        /^disconnect: option whitelist must be an array of strings/,
      ],
      [
        (api) => api.publish("ch", 1, { version: -1 }),
        /^publish: option version must be a non-negative integer/,
      ],
      [
        (api) => api.subscribe("u", "ch", { expire_at: 1.5 }),
        /^subscribe: option expire_at must be an integer/,
      ],
      [
        (api) => api.publish("ch", 1, { idempotency_key: 5 }),
        /^publish: option idempotency_key must be a string/,
      ],
      [
        (api) => api.publish("ch", 1, "opts"),
        /^publish: options must be a plain object, got a string$/,
      ],
    ]);
  });
});

Deno.test("bad controls of a call", async (t) => {
  await t.step("a per-call timeout that is not a positive number", async () => {
    const timeout = /^publish: timeout must be a positive number of milliseconds/;
    await clientRejects([
      [(api) => api.publish("ch", 1, { timeout: -1 }), timeout],
      [(api) => api.publish("ch", 1, { timeout: 0 }), timeout],
      [(api) => api.publish("ch", 1, { timeout: NaN }), timeout],
      [(api) => api.publish("ch", 1, { timeout: 3e9 }), timeout],
      [(api) => api.publish("ch", 1, { timeout: "100" }), /got a string$/],
      [(api) => api.info({ timeout: 0 }), /^info: timeout must be a positive number/],
      [(api) => api.history("ch", { timeout: -5 }), /^history: timeout must be a positive/],
      [(api) => api.call("info", {}, { timeout: 0 }), /^call: timeout must be a positive/],
      [(api) => api.presenceStats("ch", { timeout: 0 }), /^presenceStats: timeout must be/],
      [(api) => api.historyRemove("ch", { signal: {} }), /^historyRemove: signal must be/],
    ]);
  });

  await t.step("unknown controls of call and send are refused, not ignored", async () => {
    await clientRejects([
      [(api) => api.call("info", {}, { timeot: 1 }), /^call: unknown option timeot; known/],
      [(api) => api.call("info", {}, "x"), /^call: options must be a plain object/],
      [
        (api) => api.send(new Batch().info(), { paralel: true }),
        /^send: unknown option paralel; known options: signal, timeout, retry, parallel$/,
      ],
    ]);
  });

  await t.step("a signal that is not an AbortSignal", async () => {
    await clientRejects([
      [(api) => api.info({ signal: {} }), /^info: signal must be an AbortSignal/],
      [(api) => api.publish("ch", 1, { signal: "x" }), /^publish: signal must be an AbortSignal/],
    ]);
  });

  await t.step("signal or timeout on a batch command: pass it to send", () => {
    batchThrows([
      [
        (api) => api.publish("ch", 1, { timeout: 100 }),
        /^publish: timeout cannot be set per batch command; pass it to client\.send\(batch, \{ timeout \}\)$/,
      ],
      [
        (api) => api.history("ch", { signal: new AbortController().signal }),
        /^history: signal cannot be set per batch command; pass it to client\.send\(batch, \{ signal \}\)$/,
      ],
      [(api) => api.channels({ timeout: 5 }), /^channels: timeout cannot be set per batch command/],
    ]);
  });
});

Deno.test("values JSON cannot encode", async (t) => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;

  await t.step("the client rejects a cycle and a BigInt before sending", async () => {
    await clientRejects([
      [(api) => api.publish("ch", cyclic), /^publish: the request cannot be encoded as JSON: /],
      [(api) => api.publish("ch", { n: 10n }), /^publish: the request cannot be encoded .*BigInt/],
      [(api) => api.rpc("m", [cyclic]), /^rpc: the request cannot be encoded as JSON/],
      [(api) => api.call("info", { x: 1n }), /^call: the request cannot be encoded .*BigInt/],
    ]);
  });

  await t.step("a Batch holds them, and send rejects naming the command", async () => {
    // Encoding needs the client's jsonEncoder, so the Batch cannot judge it.
    const batch = new Batch().info().publish("ch", cyclic);
    await clientRejects([
      [(api) => api.send(batch), /^send: command 1 \(publish\): the request cannot be encoded/],
      [(api) => api.send(new Batch().add("x", { n: 1n })), /^send: command 0 \(x\): .*BigInt/],
    ]);
  });

  await t.step("a jsonEncoder that does not return a string", async () => {
    const jsonEncoder = () => undefined as unknown as string;
    await clientRejects(
      [[
        (api) => api.publish("ch", 1),
        /^publish: jsonEncoder must return a string, got undefined$/,
      ]],
      { jsonEncoder },
    );
  });
});

Deno.test("bad arguments of call, add and send", async (t) => {
  await t.step("a method name that is empty, has a slash or is not a string", async () => {
    const name = /method must be a Centrifugo method name such as "publish" \(letters, digits, _\)/;
    await clientRejects([
      [(api) => api.call("", {}), new RegExp(`^call: ${name.source}`)],
      [(api) => api.call("a/b", {}), new RegExp(`^call: ${name.source}, got a string$`)],
      [(api) => api.call("../info"), /^call: method must be/],
      [(api) => api.call(5), /^call: method must be .*, got number 5$/],
      [(api) => api.call("info", [1]), /^call: params must be a plain object, got an array$/],
    ]);
    batchThrows([
      [(api) => api.add(""), new RegExp(`^Batch\\.add: ${name.source}`)],
      [(api) => api.add("presence/stats", {}), /^Batch\.add: method must be/],
      [(api) => api.add("info", "x"), /^Batch.add: params must be a plain object, got a string$/],
    ]);
  });

  await t.step("send of something that is not a Batch, or with a bad parallel", async () => {
    await clientRejects([
      [
        (api) => api.send({ commands: [] }),
        /^send: batch must be a Batch, got a value of type object$/,
      ],
      [(api) => api.send(undefined), /^send: batch must be a Batch, got undefined$/],
      [
        (api) => api.send(new Batch().info(), { parallel: "yes" }),
        /^send: option parallel must be a boolean, got a string$/,
      ],
      [(api) => api.send(new Batch().info(), { timeout: 0 }), /^send: timeout must be a positive/],
    ]);
  });
});

Deno.test("bad Client options", async (t) => {
  /** Asserts that constructing a Client throws a TypeError matching `message`. */
  function rejectsClient(address: unknown, options: unknown, message: RegExp) {
    assert.throws(
      () => new Client(address as string, options as ClientOptions),
      (err) => isTypeError(err, message),
    );
  }

  await t.step("an address that is not an http(s) API URL", () => {
    const url = /^Client: address must be an absolute http\(s\) URL such as http:\/\/localhost/;
    rejectsClient("not a url", {}, url);
    rejectsClient("localhost:8000/api", {}, /^Client: address must use http or https/);
    rejectsClient("/api", {}, url);
    rejectsClient(
      "ftp://example.com/api",
      {},
      /^Client: address must use http or https, got ftp:$/,
    );
    rejectsClient("http://example.com/api?key=1", {}, /^Client: address must not contain a query/);
    rejectsClient(
      "http://example.com/api#x",
      {},
      /^Client: address must not contain a query or fragment/,
    );
    rejectsClient(
      "http://user:pw@example.com/api",
      {},
      /^Client: address must not contain credentials/,
    );
  });

  await t.step("the rejected address's credentials are not echoed", () => {
    assert.throws(
      () => new Client("http://admin:hunter2-secret@example.com/api"),
      (err) => err instanceof TypeError && !err.message.includes("hunter2-secret"),
    );
  });

  await t.step("apiKey: empty, not a string, not a header value", () => {
    rejectsClient(
      ADDRESS,
      { apiKey: "" },
      /^Client: apiKey must be a non-empty string, got an empty string$/,
    );
    rejectsClient(
      ADDRESS,
      { apiKey: true },
      /^Client: apiKey must be a non-empty string, got a value of type boolean$/,
    );
    rejectsClient(
      ADDRESS,
      { apiKey: ["k"] },
      /^Client: apiKey must be a non-empty string, got a value of type object$/,
    );
    rejectsClient(
      ADDRESS,
      { apiKey: "line\nbreak" },
      /^Client: apiKey contains characters not allowed in an HTTP header$/,
    );
  });

  await t.step("timeout: not a positive number", () => {
    const timeout =
      /^Client: timeout must be a positive number of milliseconds up to 2147483647 \(or Infinity\)/;
    for (const bad of [0, -1, NaN, -Infinity, "1000", null]) {
      rejectsClient(ADDRESS, { timeout: bad }, timeout);
    }
    // Beyond a timer's range a timeout would fire at once: refused, with the way out.
    rejectsClient(
      ADDRESS,
      { timeout: 2 ** 31 },
      /^Client: timeout must be a positive number of milliseconds up to 2147483647 \(or Infinity\), got number 2147483648$/,
    );
    assert.ok(new Client(ADDRESS, { timeout: 2 ** 31 - 1 }));
    assert.ok(new Client(ADDRESS, { timeout: Infinity }));
  });

  await t.step("unknown options and malformed TLS options are refused, not ignored", () => {
    rejectsClient(
      ADDRESS,
      { apikey: "k" },
      /^Client: unknown option apikey; known options: apiKey, /,
    );
    rejectsClient(ADDRESS, { timeOut: 5 }, /^Client: unknown option timeOut/);
    rejectsClient(ADDRESS, { verify: "no" }, /^Client: verify must be a boolean, got a string$/);
    rejectsClient(ADDRESS, { caCerts: "pem" }, /^Client: caCerts must be an array of PEM/);
    rejectsClient(ADDRESS, { caCerts: ["not a pem"] }, /^Client: caCerts must be an array of PEM/);
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    rejectsClient(ADDRESS, { cert: pem }, /^Client: cert and key go together/);
    rejectsClient(
      ADDRESS,
      { cert: pem, key: "secret-key-material" },
      /^Client: key must be a PEM private key$/,
    );
    rejectsClient(
      ADDRESS,
      { verify: false, fetch: () => Promise.resolve(new Response("{}")) },
      /^Client: verify, caCerts, cert and key cannot be combined with a custom fetch/,
    );
  });

  await t.step("fetch, jsonEncoder, headers and the options themselves of a wrong type", () => {
    rejectsClient(ADDRESS, { fetch: "fetch" }, /^Client: fetch must be a function, got a string$/);
    rejectsClient(
      ADDRESS,
      { jsonEncoder: 5 },
      /^Client: jsonEncoder must be a function, got number 5$/,
    );
    rejectsClient(ADDRESS, { headers: "X-A: 1" }, /^Client: headers must be an object of strings/);
    rejectsClient(
      ADDRESS,
      { headers: { "X-A": 1 } },
      /^Client: header X-A must be a string, got number 1$/,
    );
    rejectsClient(
      ADDRESS,
      { headers: { "bad header": "v" } },
      /^Client: invalid header bad header$/,
    );
    rejectsClient(ADDRESS, null, /^Client: options must be an object, got null$/);
    rejectsClient(ADDRESS, "secret", /^Client: options must be an object, got a string$/);
  });
});

Deno.test("valid input next to each invalid one does send", async (t) => {
  await t.step("every client method sends one request", async () => {
    // The typed Client: these calls must also type-check.
    const { fetch, calls } = countingFetch();
    const client = new Client(ADDRESS, { fetch, timeout: Infinity });
    const sends: (() => Promise<unknown>)[] = [
      () => client.publish("ch", null),
      () => client.publish("ch", undefined, { b64data: "AQ==" }),
      () => client.publish("ch", new Uint8Array([1, 2])),
      () => client.publish("ch", { n: 1 }, { skip_history: false, tags: {}, version: 0 }),
      () => client.broadcast(["a", "b"], "text", { idempotency_key: "k" }),
      // The empty user is Centrifugo's anonymous user: valid wherever a user is.
      () => client.subscribe("", "ch", { client: "c1", data: 0 }),
      () => client.unsubscribe("", "ch"),
      () => client.disconnect("", { disconnect: { code: 0, reason: "" }, whitelist: [] }),
      () => client.refresh("", { expired: true }),
      () => client.presence("ch", { timeout: 1 }),
      () => client.presenceStats("ch", { signal: new AbortController().signal }),
      () => client.history("ch", { limit: -1, since: { offset: 0, epoch: "" } }),
      () => client.history("ch", { limit: 0, timeout: undefined, signal: undefined }),
      () => client.history("ch", { limit: 2 ** 31 - 1, reverse: true }),
      () => client.historyRemove("ch"),
      () => client.channels(),
      () => client.channels({ pattern: "*" }),
      () => client.info({}),
      () => client.rpc("m"),
      () => client.rpc("m", null),
      () => client.call("get_user_status", { users: ["a"] }),
      () => client.call("info"),
      () => client.send(new Batch().info(), { parallel: false, timeout: 500 }),
    ];
    for (const [i, send] of sends.entries()) {
      await send();
      assert.equal(calls(), i + 1, `call ${i} was not sent`);
    }
  });

  await t.step("every Batch method adds one command, and send sends them all", async () => {
    const batch = new Batch()
      .publish("ch", false)
      .broadcast(["a"], [])
      .subscribe("", "ch")
      .unsubscribe("", "ch")
      .disconnect("")
      .refresh("u")
      .presence("ch")
      .presenceStats("ch")
      .history("ch", { limit: -1 })
      .historyRemove("ch")
      .channels()
      .info()
      .rpc("m", {})
      .add("get_user_status", { users: [] });
    assert.equal(batch.length, 14);
    const { fetch, calls } = countingFetch();
    const replies = await new Client(ADDRESS, { fetch }).send(batch);
    assert.equal(replies.length, 14);
    assert.equal(calls(), 1);
  });

  await t.step("every valid Client option is accepted", () => {
    const options: ClientOptions = {
      apiKey: "k",
      timeout: Infinity,
      fetch: countingFetch().fetch,
      jsonEncoder: JSON.stringify,
      headers: { "X-A": "1" },
      verify: true,
    };
    assert.equal(new Client(`${ADDRESS}/`, options).address, ADDRESS);
    assert.equal(new Client(new URL("https://example.com/api")).address, "https://example.com/api");
  });
});

Deno.test("values JSON would silently change are refused by the default encoder", async (t) => {
  let sent: string[] = [];
  const fetch: FetchLike = (_input, init) => {
    sent.push(String(init?.body));
    return Promise.resolve(new Response('{"result":{}}'));
  };
  const client = new Client("http://127.0.0.1:1/api", { fetch });

  await t.step("NaN, Infinity, functions, symbols, undefined in arrays, Map, Set", async () => {
    const cases: [unknown, RegExp][] = [
      [{ n: NaN }, /"n" is NaN, which JSON would turn into null/],
      [{ deep: { x: [1, -Infinity] } }, /"1" is -Infinity, which JSON would turn into null/],
      [{ f: () => 1 }, /"f" is a function, which JSON would drop/],
      [{ s: Symbol("s") }, /"s" is a symbol, which JSON would drop/],
      [[1, undefined], /"1" is undefined, which JSON would turn into null/],
      [{ m: new Map([["a", 1]]) }, /"m" is a Map, which JSON would turn into \{\}/],
      [new Set([1]), /"data" is a Set, which JSON would turn into \{\}/],
    ];
    for (const [data, message] of cases) {
      sent = [];
      await assert.rejects(client.publish("ch", data), (err: unknown) => {
        assert.ok(err instanceof TypeError, String(err));
        assert.match(err.message, /^publish: the request cannot be encoded as JSON: /);
        assert.match(err.message, message);
        return true;
      });
      assert.deepEqual(sent, [], `${String(message)} was sent`);
    }
  });

  await t.step("undefined properties are absent; toJSON values are used", async () => {
    sent = [];
    const when = new Date("2026-11-28T00:00:00Z");
    await client.publish("ch", { a: undefined, b: 1, when });
    assert.deepEqual(JSON.parse(sent[0]!), {
      channel: "ch",
      data: { b: 1, when: "2026-11-28T00:00:00.000Z" },
    });
  });

  await t.step("a custom jsonEncoder decides for itself", async () => {
    sent = [];
    const lenient = new Client("http://127.0.0.1:1/api", { fetch, jsonEncoder: JSON.stringify });
    await lenient.publish("ch", { n: NaN });
    assert.deepEqual(JSON.parse(sent[0]!), { channel: "ch", data: { n: null } });
  });
});
