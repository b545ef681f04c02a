// The generated quick argument checks (src/_generated/quick.ts) against the
// generic walk they spare the common call: whatever a quick check accepts,
// the walk accepts with the same params, key for key and in the same order,
// so every refusal and every error's words stay the walk's. The common calls
// must take the quick path, or it would spare nothing.

import assert from "node:assert/strict";
import fc from "fast-check";
import { MESSAGES, METHODS } from "../src/_generated/methods.ts";
import { QUICK } from "../src/_generated/quick.ts";
import { buildParams, walkParams } from "../src/_params.ts";
import type { MethodSpec } from "../src/_schema.ts";

const SPECS: readonly MethodSpec[] = Object.values(METHODS);

/** Values at the edges of every kind the quick checks test, and past them. */
const EDGES: readonly unknown[] = [
  "",
  "chat",
  "a\ud800",
  "\udc00b",
  0,
  -0,
  1,
  -1,
  -2,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  NaN,
  Infinity,
  0n,
  1n,
  true,
  false,
  null,
  undefined,
  {},
  { text: "hi" },
  { k: "v" },
  { k: 1 },
  { "a\ud800": "v" },
  { k: "\udc00" },
  Object.create(null),
  [],
  ["a"],
  ["a", ""],
  ["a\udc00"],
  [1],
  // deno-lint-ignore no-sparse-arrays
  [, "a"],
  new Uint8Array([1, 2]),
  new Date(0),
  () => 1,
  Symbol("s"),
];

const EDGE = fc.constantFrom(...EDGES);

/** A value of `kind` every check passes, for whole calls to pass too (else an edge). */
function valueOf(kind: string | undefined) {
  const valid: Record<string, unknown> = {
    string: "chat",
    bool: true,
    int32: 1,
    uint32: 1,
    int64: 1,
    uint64: 1,
    limit: 1,
    double: 1.5,
    bytes: { text: "hi" },
    "string[]": ["a", "b"],
    "{string}": { k: "v" },
  };
  if (kind === undefined || !(kind in valid)) return EDGE;
  return fc.oneof({ weight: 3, arbitrary: fc.constant(valid[kind]) }, {
    weight: 2,
    arbitrary: EDGE,
  });
}

/** A call of `spec`: positional arguments (the last ones maybe left out) and maybe options. */
function callOf(spec: MethodSpec) {
  const message = MESSAGES[spec.request]!;
  const args = fc.tuple(...spec.args.map((field) => valueOf(message.fields[field])));
  const keys = [...Object.keys(message.fields), "signal", "timeout", "retry"];
  // A few options at a time (each may send the call to the walk), and the
  // required ones not taken positionally, which the call needs.
  const needed = message.required.filter((field) => !spec.args.includes(field));
  const options = fc.subarray(keys, { maxLength: 3 }).chain((chosen) =>
    fc.record(
      Object.fromEntries(
        [...new Set([...needed, ...chosen])].map((key) => [key, valueOf(message.fields[key])]),
      ),
    )
  );
  return fc.record({
    args: fc.tuple(
      args,
      fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.nat(spec.args.length)),
    ).map(([all, cut]) => all.slice(0, all.length - cut)),
    options: fc.option(
      fc.tuple(options, fc.option(EDGE)).map(([known, odd]) =>
        odd === null ? known : { ...known, unknown_option: odd }
      ),
      { nil: undefined },
    ),
    controls: fc.boolean(),
  });
}

function walked(
  spec: MethodSpec,
  args: unknown[],
  options: unknown,
  controls: boolean,
): { params: Record<string, unknown> } | { error: unknown } {
  try {
    return { params: walkParams(spec, args, options, controls) };
  } catch (err) {
    return { error: err };
  }
}

Deno.test("a quick check accepts only what the walk accepts, with the same params", async (t) => {
  for (const spec of SPECS) {
    const quick = QUICK[spec.name];
    if (!quick) continue;
    await t.step(spec.name, () => {
      let accepted = 0;
      fc.assert(
        fc.property(callOf(spec), ({ args, options, controls }) => {
          const params = quick(args, options, controls);
          if (params === undefined) return;
          accepted++;
          const walk = walked(spec, args, options, controls);
          if ("error" in walk) {
            assert.fail(`the walk refused what the quick check took: ${walk.error}`);
          }
          assert.deepEqual(params, walk.params);
          assert.deepEqual(Object.keys(params), Object.keys(walk.params));
        }),
        { numRuns: 1000 },
      );
      // Not a property of refusals alone: the quick check took calls of this method.
      assert.ok(accepted > 0, "the quick check never accepted");
    });
  }
});

Deno.test("the common calls take the quick path and build what the walk builds", () => {
  const signal = new AbortController().signal;
  const calls: [keyof typeof METHODS, unknown[], unknown][] = [
    ["publish", ["chat", { text: "hi" }], undefined],
    ["publish", ["chat", "text"], { tags: { a: "b" }, idempotency_key: "k", signal }],
    ["publish", ["chat", 1], { skip_history: true, timeout: 100, version: 3 }],
    ["broadcast", [["a", "b"], { text: "hi" }], { delta: false }],
    ["subscribe", ["user", "chat"], { expire_at: 1, client: "c" }],
    ["unsubscribe", ["", "chat"], undefined],
    ["presence", ["chat"], { signal }],
    ["history", ["chat"], { limit: -1, reverse: true }],
    ["info", [], undefined],
    ["channels", [], { pattern: "news:*" }],
    ["shared_poll_publish", ["feed", "k", { v: 1 }], { version: 2 }],
  ];
  for (const [method, args, options] of calls) {
    const spec: MethodSpec = METHODS[method];
    const quick = QUICK[method]?.(args, options, true);
    assert.ok(quick !== undefined, `${method} did not take the quick path`);
    assert.deepEqual(quick, walkParams(spec, args, options, true));
    assert.deepEqual(buildParams(spec, args, options, true), quick);
  }
});

Deno.test("what a quick check leaves to the walk is refused with the walk's words", () => {
  const publish: MethodSpec = METHODS.publish;
  const cases: [unknown[], unknown, RegExp][] = [
    [["", { a: 1 }], undefined, /publish: channel must be a non-empty string, got an empty string/],
    [["chat", { a: 1 }], { skipHistory: true }, /did you mean skip_history\?/],
    [["chat", { a: 1 }], { unknown: undefined }, /unknown option unknown/],
    [["chat", { a: 1 }], { version: -1 }, /option version must be a non-negative integer/],
    [["chat", { a: 1 }], { tags: { a: 1 } }, /option tags must be an object of string values/],
    [["chat", { a: 1 }], { b64data: "AQ==" }, /pass data or b64data, not both/],
  ];
  for (const [args, options, words] of cases) {
    assert.equal(QUICK.publish!(args, options, true), undefined);
    assert.throws(() => buildParams(publish, args, options, true), words);
  }
  // A Batch command refuses the per-call controls the Client reads.
  assert.equal(QUICK.publish!(["chat", 1], { timeout: 5 }, false), undefined);
  assert.throws(
    () => buildParams(publish, ["chat", 1], { timeout: 5 }, false),
    /timeout cannot be set per batch command/,
  );
  // Binary data goes as base64, through the walk.
  assert.deepEqual(buildParams(publish, ["chat", new Uint8Array([1])], undefined, true), {
    channel: "chat",
    b64data: "AQ==",
  });
});
