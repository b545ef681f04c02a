// Property-based tests (fast-check) over every public method: for arbitrary
// arguments, a call either rejects with a TypeError having sent nothing, or
// sends exactly one request whose body is valid JSON of the documented shape
// and resolves. Never a hang, never an unhandled rejection, never another
// outcome. The shapes below are written from Centrifugo's api.proto, not from
// the library's own tables, so they check the library rather than mirror it.

import assert from "node:assert/strict";
import fc from "fast-check";
import { Batch, Client, type FetchLike } from "@aiocent/aiocent";

type Json = Record<string, unknown>;
type FieldCheck = (value: unknown) => boolean;

const isString: FieldCheck = (v) => typeof v === "string";
const isChannel: FieldCheck = (v) => typeof v === "string" && v !== "";
const isBool: FieldCheck = (v) => typeof v === "boolean";
const isInt: FieldCheck = (v) => Number.isSafeInteger(v);
const isUint: FieldCheck = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isLimit: FieldCheck = (v) => Number.isSafeInteger(v) && (v as number) >= -1;
const isObject: FieldCheck = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isAny: FieldCheck = (v) => v !== undefined;
const isStrings: FieldCheck = (v) => Array.isArray(v) && v.every(isString);
const isTags: FieldCheck = (v) => isObject(v) && Object.values(v as Json).every(isString);
const isPosition: FieldCheck = (v) =>
  isObject(v) && isUint((v as Json).offset) && isString((v as Json).epoch);
const isDisconnect: FieldCheck = (v) =>
  isObject(v) && isUint((v as Json).code) && isString((v as Json).reason);

const PUBLISH = {
  data: isAny,
  b64data: isString,
  skip_history: isBool,
  tags: isTags,
  idempotency_key: isString,
  delta: isBool,
  version: isUint,
  version_epoch: isString,
};
const PRO = { label_filter: isObject, all_users: isBool };

/** Each method's wire fields (api.proto): required ones in `required`. */
const SHAPES: Record<string, { required: string[]; fields: Record<string, FieldCheck> }> = {
  publish: { required: ["channel"], fields: { channel: isChannel, ...PUBLISH } },
  broadcast: {
    required: ["channels"],
    fields: { channels: (v) => Array.isArray(v) && v.length > 0 && v.every(isChannel), ...PUBLISH },
  },
  subscribe: {
    required: ["user", "channel"],
    fields: {
      user: isString,
      channel: isChannel,
      expire_at: isInt,
      info: isAny,
      b64info: isString,
      client: isString,
      session: isString,
      data: isAny,
      b64data: isString,
      recover_since: isPosition,
      override: isObject,
      ...PRO,
    },
  },
  unsubscribe: {
    required: ["user", "channel"],
    fields: { user: isString, channel: isChannel, client: isString, session: isString, ...PRO },
  },
  disconnect: {
    required: ["user"],
    fields: {
      user: isString,
      client: isString,
      session: isString,
      whitelist: isStrings,
      disconnect: isDisconnect,
      ...PRO,
    },
  },
  refresh: {
    required: ["user"],
    fields: {
      user: isString,
      client: isString,
      session: isString,
      expired: isBool,
      expire_at: isInt,
      info: isAny,
      ...PRO,
    },
  },
  presence: { required: ["channel"], fields: { channel: isChannel } },
  presence_stats: { required: ["channel"], fields: { channel: isChannel } },
  history: {
    required: ["channel"],
    fields: { channel: isChannel, limit: isLimit, since: isPosition, reverse: isBool },
  },
  history_remove: { required: ["channel"], fields: { channel: isChannel } },
  channels: { required: [], fields: { pattern: isString } },
  info: { required: [], fields: {} },
  rpc: { required: ["method"], fields: { method: isChannel, params: isAny } },
};

/** Asserts that `params` has the documented shape of `method`. */
function assertShape(method: string, params: unknown) {
  const shape = SHAPES[method];
  assert.ok(shape, `unexpected method ${method}`);
  assert.ok(isObject(params), `${method} params are not an object`);
  for (const key of shape.required) assert.ok(key in (params as Json), `${method} lacks ${key}`);
  for (const [key, value] of Object.entries(params as Json)) {
    const check = shape.fields[key];
    assert.ok(check, `${method} sent unknown field ${key}`);
    assert.ok(check(value), `${method} sent ${key} = ${JSON.stringify(value)}`);
  }
  const p = params as Json;
  if (method === "publish" || method === "broadcast") {
    assert.ok("data" in p || "b64data" in p, `${method} sent neither data nor b64data`);
  }
}

/** A fake server in the fetch slot: records each body, answers a valid result. */
function fakeServer() {
  const bodies: { url: string; body: string }[] = [];
  const fetch: FetchLike = (input, init) => {
    bodies.push({ url: String(input), body: String(init?.body) });
    const method = String(input).split("/").pop()!;
    if (method === "batch") {
      const { commands } = JSON.parse(String(init?.body)) as { commands: Json[] };
      const replies = commands.map((c) => {
        const name = Object.keys(c)[0]!;
        return { [name]: name === "broadcast" ? broadcastResult(c[name]) : {} };
      });
      return Promise.resolve(new Response(JSON.stringify({ replies })));
    }
    const params = JSON.parse(String(init?.body));
    const result = method === "broadcast" ? broadcastResult(params) : {};
    return Promise.resolve(new Response(JSON.stringify({ result })));
  };
  return { fetch, bodies };
}

function broadcastResult(params: unknown) {
  const channels = (params as { channels: unknown[] }).channels;
  return { responses: channels.map(() => ({ result: {} })) };
}

// Arbitrary values: mostly plausible, often wrong in type or range.
const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.constant(null),
  fc.bigInt(),
  fc.constant(() => 1),
  fc.constant(Symbol("s")),
  fc.constant(NaN),
  fc.uint8Array({ maxLength: 8 }),
);
const channelArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constant(""), anyValue);
const userArb = fc.oneof(fc.string({ maxLength: 8 }), anyValue);
const fieldValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.integer({ min: -3, max: 5 }),
  fc.double(),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
  fc.record({ offset: fc.integer({ min: -1, max: 3 }), epoch: fc.string({ maxLength: 3 }) }),
  fc.record({ code: fc.integer({ min: -1, max: 5000 }), reason: fc.string({ maxLength: 3 }) }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  anyValue,
);
const CONTROLS = ["signal", "timeout", "retry"];
const STRAYS = ["skipHistory", "bogus", "channel", "user"];

/**
 * Options for a method: mostly its own field names (so a wrong value of a
 * right field is often the only fault), sometimes controls and stray names.
 */
function optionsArb(wire: string) {
  const own = Object.keys(SHAPES[wire]!.fields).filter((k) => !SHAPES[wire]!.required.includes(k));
  const keys = fc.constantFrom(...(own.length > 0 ? own : ["bogus"]));
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.dictionary(keys, fieldValue, { maxKeys: 2 }), weight: 6 },
    {
      arbitrary: fc.dictionary(fc.constantFrom(...own, ...CONTROLS, ...STRAYS), fieldValue, {
        maxKeys: 3,
      }),
      weight: 2,
    },
    { arbitrary: anyValue, weight: 1 },
  );
}

/** One call of a public method, with arbitrary arguments. */
const callArb = fc.oneof(
  fc.tuple(fc.constant("publish"), fc.tuple(channelArb, anyValue, optionsArb("publish"))),
  fc.tuple(
    fc.constant("broadcast"),
    fc.tuple(
      fc.oneof(fc.array(channelArb, { maxLength: 3 }), anyValue),
      anyValue,
      optionsArb("broadcast"),
    ),
  ),
  fc.tuple(fc.constant("subscribe"), fc.tuple(userArb, channelArb, optionsArb("subscribe"))),
  fc.tuple(fc.constant("unsubscribe"), fc.tuple(userArb, channelArb, optionsArb("unsubscribe"))),
  fc.tuple(fc.constant("disconnect"), fc.tuple(userArb, optionsArb("disconnect"))),
  fc.tuple(fc.constant("refresh"), fc.tuple(userArb, optionsArb("refresh"))),
  fc.tuple(fc.constant("presence"), fc.tuple(channelArb, optionsArb("presence"))),
  fc.tuple(fc.constant("presenceStats"), fc.tuple(channelArb, optionsArb("presence_stats"))),
  fc.tuple(fc.constant("history"), fc.tuple(channelArb, optionsArb("history"))),
  fc.tuple(fc.constant("historyRemove"), fc.tuple(channelArb, optionsArb("history_remove"))),
  fc.tuple(fc.constant("channels"), fc.tuple(optionsArb("channels"))),
  fc.tuple(fc.constant("info"), fc.tuple(optionsArb("info"))),
  fc.tuple(fc.constant("rpc"), fc.tuple(channelArb, anyValue, optionsArb("rpc"))),
);

const WIRE: Record<string, string> = {
  presenceStats: "presence_stats",
  historyRemove: "history_remove",
};

/** Settles `promise` or fails the property if it takes longer than 2 s. */
async function settle(promise: Promise<unknown>): Promise<{ ok: boolean; error?: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the call hung")), 2000);
  });
  try {
    await Promise.race([promise, hang]);
    return { ok: true };
  } catch (error) {
    if (error instanceof Error && error.message === "the call hung") throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("every public method: TypeError and nothing sent, or one well-formed request", async () => {
  let unhandled = 0;
  const onUnhandled = (event: PromiseRejectionEvent) => {
    unhandled++;
    event.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  let sent = 0;
  let refused = 0;
  try {
    await fc.assert(
      fc.asyncProperty(callArb, async ([name, args]) => {
        const server = fakeServer();
        const client = new Client("http://127.0.0.1:1/api", { fetch: server.fetch, timeout: 1000 });
        const call =
          (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!;
        const outcome = await settle(call.apply(client, args));
        if (!outcome.ok) {
          assert.ok(outcome.error instanceof TypeError, `${name} rejected with ${outcome.error}`);
          assert.equal(server.bodies.length, 0, `${name} sent a request and then rejected`);
          refused++;
          return;
        }
        sent++;
        assert.equal(server.bodies.length, 1);
        const wire = WIRE[name] ?? name;
        assert.equal(server.bodies[0]!.url, `http://127.0.0.1:1/api/${wire}`);
        assertShape(wire, JSON.parse(server.bodies[0]!.body));
      }),
      { numRuns: 3000 },
    );
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
  assert.equal(unhandled, 0);
  // Both outcomes were exercised, so the property could fail either way.
  assert.ok(sent > 100 && refused > 100, `sent ${sent}, refused ${refused}`);
});

Deno.test("Batch: a throwing builder adds nothing; a sent batch is well-formed", async () => {
  const batchCall = fc.array(callArb, { minLength: 1, maxLength: 6 });
  let sentBatches = 0;
  await fc.assert(
    fc.asyncProperty(batchCall, async (calls) => {
      const batch = new Batch();
      const kept: string[] = [];
      for (const [name, args] of calls) {
        const before = batch.length;
        const method = (batch as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
        // Batch commands take no options with signal/timeout/retry: drop the last
        // argument for methods whose client form has only call controls.
        try {
          method.apply(batch, args);
          kept.push(WIRE[name] ?? name);
          assert.equal(batch.length, before + 1);
        } catch (err) {
          assert.ok(err instanceof TypeError, `${name} threw ${err}`);
          assert.equal(batch.length, before, `${name} threw but added a command`);
        }
      }
      const server = fakeServer();
      const client = new Client("http://127.0.0.1:1/api", { fetch: server.fetch });
      const outcome = await settle(client.send(batch));
      if (!outcome.ok) {
        // Only data JSON cannot encode (a BigInt, a cycle) is left for send to find.
        assert.ok(outcome.error instanceof TypeError, `send rejected with ${outcome.error}`);
        assert.match((outcome.error as Error).message, /^send: command \d+ \(\w+\): /);
        assert.equal(server.bodies.length, 0);
        return;
      }
      if (kept.length === 0) {
        assert.equal(server.bodies.length, 0);
        return;
      }
      sentBatches++;
      assert.equal(server.bodies.length, 1);
      const { commands } = JSON.parse(server.bodies[0]!.body) as { commands: Json[] };
      assert.deepEqual(commands.map((c) => Object.keys(c)[0]), kept);
      for (const command of commands) {
        const [method, params] = Object.entries(command)[0]!;
        assertShape(method, params);
      }
    }),
    { numRuns: 1000 },
  );
  assert.ok(sentBatches > 50, `only ${sentBatches} batches were sent`);
});
