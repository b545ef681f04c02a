// The default encoder walks and copies the value instead of giving
// JSON.stringify a replacer. Its oracle is the replacer form it replaced,
// written out here: for any value, both accept it and write the same text,
// or both refuse it with the same words. Only boxed primitives that are not
// finite numbers differ: JSON.stringify writes them as null, which the
// encoder now refuses (the replacer saw the box, not the number); a boxed
// BigInt is refused in the encoder's words rather than JSON.stringify's.

import assert from "node:assert/strict";
import fc from "fast-check";
import { strictStringify } from "../src/_json.ts";
import { Client, type FetchLike } from "@aiocent/aiocent";

function refuse(key: string, what: string, becomes: string): never {
  const where = key === "" ? "the value" : JSON.stringify(key);
  throw new TypeError(`${where} is ${what}, which JSON would ${becomes}`);
}

/** The replacer the default encoder used to be. */
function check(this: unknown, key: string, value: unknown): unknown {
  const inArray = Array.isArray(this);
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) refuse(key, String(value), "turn into null");
      return value;
    case "function":
      if (key === "toJSON" && !inArray) return undefined;
      return refuse(key, "a function", inArray || key === "" ? "turn into null" : "drop");
    case "symbol":
      return refuse(key, "a symbol", inArray || key === "" ? "turn into null" : "drop");
    case "undefined":
      if (inArray) refuse(key, "undefined", "turn into null");
      return value;
    case "bigint":
      return refuse(
        key,
        "a BigInt",
        "fail to encode (give the client a jsonEncoder that writes it)",
      );
    case "object":
      if (value instanceof Map || value instanceof Set) {
        refuse(key, `a ${value.constructor.name}`, "turn into {}");
      }
      return value;
    default:
      return value;
  }
}

type Outcome = { text: string | undefined } | { error: string };

function outcome(encode: () => string | undefined): Outcome {
  try {
    return { text: encode() };
  } catch (err) {
    // JSON.stringify's own words for a cycle differ by engine; that it is one is what counts.
    const message = String(err);
    return { error: /circular/i.test(message) ? "circular" : message };
  }
}

/** Whether a value holds a boxed number that is not finite (JSON would write null). */
function hasOddBox(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value !== "object" || value === null || seen.has(value)) return false;
  seen.add(value);
  if (value instanceof Number) return !Number.isFinite(value.valueOf());
  if (value instanceof Map || value instanceof Set) return false;
  return Object.values(value).some((v) => hasOddBox(v, seen));
}

const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
  maxDepth: 4,
});

Deno.test("the default encoder writes and refuses what the replacer form did", async (t) => {
  await t.step("for arbitrary values", () => {
    let refused = 0;
    let written = 0;
    fc.assert(
      fc.property(anything, (value) => {
        fc.pre(!hasOddBox(value));
        const mine = outcome(() => strictStringify(value));
        const oracle = outcome(() => JSON.stringify(value, check));
        assert.deepEqual(mine, oracle);
        if ("error" in mine) refused++;
        else written++;
      }),
      { numRuns: 5000 },
    );
    // Both sides are exercised, not just one.
    assert.ok(refused > 200 && written > 200, `${refused} refused, ${written} written`);
  });

  await t.step("for values with functions, symbols and holes mixed in", () => {
    const odd = fc.oneof(
      anything,
      fc.constant(() => 1),
      fc.constant(Symbol("s")),
      fc.constant(undefined),
      fc.constant(NaN),
      fc.constant(-Infinity),
    );
    const nested = fc.oneof(
      fc.dictionary(fc.string(), odd),
      fc.array(odd),
      fc.dictionary(fc.string(), fc.array(odd)),
    );
    fc.assert(
      fc.property(nested, (value) => {
        fc.pre(!hasOddBox(value));
        assert.deepEqual(
          outcome(() => strictStringify(value)),
          outcome(() => JSON.stringify(value, check)),
        );
      }),
      { numRuns: 3000 },
    );
  });

  await t.step("toJSON, boxes, __proto__ keys, proxies and cycles", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const shared = { x: 1 };
    const proxied = new Proxy({ a: 1, b: [1, 2] }, {});
    const values: unknown[] = [
      { when: new Date(0), n: new Number(3), s: new String("x"), b: new Boolean(false) },
      { toJSON: (key: string) => `key ${key}` },
      [{ toJSON: (key: string) => key }, { toJSON: (key: string) => key }],
      JSON.parse('{"__proto__": {"a": 1}, "b": 2}'),
      { "2": 1, "1": 2, b: 3, a: 4 },
      { a: shared, b: shared },
      proxied,
      cyclic,
      [1, , 3],
      Object.assign(Object.create(null), { a: 1 }),
      // Inherited enumerable keys are not the object's own: left out.
      Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
      new Uint8Array([1, 2]),
      Object.setPrototypeOf({ a: 1 }, Number.prototype),
      { toJSON: () => undefined },
      { a: { toJSON: () => undefined } },
      [{ toJSON: () => undefined }],
    ];
    for (const value of values) {
      assert.deepEqual(
        outcome(() => strictStringify(value)),
        outcome(() => JSON.stringify(value, check)),
        String(Deno.inspect(value)),
      );
    }
    assert.equal(strictStringify(JSON.parse('{"__proto__": {"a": 1}}')), '{"__proto__":{"a":1}}');
  });

  await t.step("a toJSON that encodes again, a refusal, then a cycle", () => {
    // The nested walk starts inside the outer one, whose objects are open: they are not its cycle.
    const nested = (encode: (value: unknown) => string) => {
      let depth = 0;
      const parent: Record<string, unknown> = { name: "p" };
      parent.child = {
        toJSON() {
          depth++;
          try {
            return depth > 1 ? "inner" : encode(parent);
          } finally {
            depth--;
          }
        },
      };
      return encode(parent);
    };
    const written = nested(strictStringify);
    assert.equal(written, nested((value) => JSON.stringify(value)));
    assert.equal(written, JSON.stringify({ name: "p", child: '{"name":"p","child":"inner"}' }));
    // A refusal deep inside leaves nothing open for the next call to trip on.
    const kept = { x: 1 };
    assert.throws(() => strictStringify({ kept, deep: { n: NaN } }), /"n" is NaN/);
    assert.equal(strictStringify({ kept, again: kept }), '{"kept":{"x":1},"again":{"x":1}}');
    const cyclic: Record<string, unknown> = { kept };
    cyclic.self = cyclic;
    assert.throws(() => strictStringify({ a: cyclic }), /circular/i);
    assert.equal(strictStringify([kept, kept]), '[{"x":1},{"x":1}]');
  });

  await t.step("boxes: a number that is not finite is refused, a BigInt in words", () => {
    assert.equal(JSON.stringify({ n: new Number(NaN) }), '{"n":null}');
    assert.throws(() => strictStringify({ n: new Number(NaN) }), /"n" is NaN/);
    assert.throws(
      () => strictStringify({ big: Object(1n) }),
      /"big" is a BigInt, which JSON would fail/,
    );
  });
});

Deno.test("deep values: 2,000 levels are written, far deeper ones refused before sending", async () => {
  const nest = (depth: number, array: boolean) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
    return value;
  };
  for (const array of [false, true]) {
    const value = nest(2_000, array);
    assert.equal(strictStringify(value), JSON.stringify(value));
  }
  const sent: unknown[] = [];
  const fetch: FetchLike = (_input, init) => {
    sent.push(init?.body);
    return Promise.resolve(new Response('{"result":{}}'));
  };
  const client = new Client("http://127.0.0.1:1/api", { fetch });
  for (const array of [false, true]) {
    await assert.rejects(
      client.publish("ch", nest(100_000, array)),
      (err: unknown) => {
        assert.ok(err instanceof TypeError, String(err));
        assert.match(err.message, /^publish: the request cannot be encoded as JSON: RangeError/);
        return true;
      },
    );
  }
  assert.deepEqual(sent, []);
});
