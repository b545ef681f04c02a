// Builds a command's wire params from a method's arguments, checked against
// the generated schema (src/_generated/api.ts). The common call passes its
// generated quick check (src/_generated/quick.ts); the walk here takes the
// rest, accepting it or wording the error. It checks positional arguments and
// `options` fields by their proto kinds, nested messages with their own
// fields, required fields, and `Uint8Array` data sent as its base64 twin.
// Every mistake is a TypeError naming the method and the argument, raised
// before anything is sent; unknown option names are refused, since
// Centrifugo would silently ignore them.

import { MESSAGES } from "./_generated/methods.ts";
import { QUICK } from "./_generated/quick.ts";
import type { Params } from "./_quick.ts";
import type { FieldKind, MessageSpec, MethodSpec } from "./_schema.ts";
import { CONTROLS, describe, isPlainObject } from "./_validate.ts";
import { toBase64 } from "./_base64.ts";

export type { Params };

/** Words for field names whose plain kind would not say enough. */
const EXPECT: Readonly<Record<string, string>> = {
  user: 'a string ("" targets anonymous users)',
  channels: "a non-empty array of channel names",
};

const INT32 = 2 ** 31;
const UINT32 = 2 ** 32;
const INT64 = 2n ** 63n;
const UINT64 = 2n ** 64n;

function isInteger(value: unknown, min: bigint, limit: bigint): boolean {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= Number(min) && value < Number(limit);
  }
  return typeof value === "bigint" && value >= min && value < limit;
}

/** A scalar kind: its test, and how the error describes it (in a message, short). */
const SCALARS: Readonly<
  Record<string, { ok: (v: unknown) => boolean; expect: string; short: string }>
> = {
  string: { ok: (v) => typeof v === "string", expect: "a string", short: "string" },
  bool: { ok: (v) => typeof v === "boolean", expect: "a boolean", short: "boolean" },
  int32: {
    ok: (v) => Number.isSafeInteger(v) && (v as number) >= -INT32 && (v as number) < INT32,
    expect: "a 32-bit integer",
    short: "integer",
  },
  uint32: {
    ok: (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < UINT32,
    expect: "a non-negative integer below 2^32",
    short: "non-negative integer",
  },
  int64: { ok: (v) => isInteger(v, -INT64, INT64), expect: "an integer", short: "integer" },
  uint64: {
    ok: (v) => isInteger(v, 0n, UINT64),
    expect: "a non-negative integer",
    short: "non-negative integer",
  },
  double: {
    ok: (v) => typeof v === "number" && Number.isFinite(v),
    expect: "a finite number",
    short: "number",
  },
  bytes: { ok: isJson, expect: "a JSON value", short: "JSON value" },
  limit: {
    ok: (v) => Number.isSafeInteger(v) && (v as number) >= -1 && (v as number) < INT32,
    expect: "a non-negative 32-bit integer, or -1 for all",
    short: "integer from -1",
  },
};

/**
 * Whether a string is whole UTF-16: a lone surrogate reaches Centrifugo as
 * U+FFFD, so two names the application holds apart ("a\ud800", "a\udbff")
 * would become one.
 */
const wellFormed = (text: string) => text.isWellFormed();
const HALF = "a string of whole characters (a lone UTF-16 surrogate would reach Centrifugo as " +
  "U+FFFD, merging names that differ)";

/** What JSON can carry: anything but functions, symbols and undefined. */
function isJson(value: unknown): boolean {
  const type = typeof value;
  return type !== "function" && type !== "symbol" && type !== "undefined";
}

/**
 * A message small enough to be described whole in an error:
 * `{ offset: non-negative integer, epoch: string }`.
 */
function shortForm(spec: MessageSpec): string | undefined {
  const entries = Object.entries(spec.fields);
  if (entries.length > 3 || !entries.every(([, kind]) => kind in SCALARS)) return undefined;
  const required = new Set([...spec.required, ...spec.present]);
  const parts = entries.map(([name, kind]) =>
    `${name}${required.has(name) ? "" : "?"}: ${SCALARS[kind]!.short}`
  );
  return `{ ${parts.join(", ")} }`;
}

/** The words for a kind in an error: "a string", "an array of strings", … */
function expectOf(kind: FieldKind, required: boolean): string {
  if (kind.endsWith("[]")) {
    const item = kind.slice(0, -2);
    const items = item === "string" ? "strings" : SCALARS[item] ? `${item} values` : `${item}s`;
    return `${required ? "a non-empty array" : "an array"} of ${items}`;
  }
  if (kind.startsWith("{")) {
    const value = kind.slice(1, -1);
    return value === "string" ? "an object of string values" : `an object of ${value} values`;
  }
  const scalar = SCALARS[kind];
  if (scalar) {
    if (!required) return scalar.expect;
    if (kind === "string") return "a non-empty string";
    if (kind === "uint64" || kind === "uint32") return "a positive integer";
    return scalar.expect;
  }
  return shortForm(MESSAGES[kind]!) ?? "a plain object";
}

/** Where a check happens: the method (for messages) and whether it is a batch command. */
interface Context {
  readonly method: string;
}

class Failure {
  constructor(readonly path: string, readonly expect: string, readonly value: unknown) {}
}

/**
 * Checks `value` against `kind`; returns it, or throws a Failure (for the
 * caller to word) or a TypeError (already worded).
 */
function checkValue(
  ctx: Context,
  path: string,
  kind: FieldKind,
  value: unknown,
  required: boolean,
): unknown {
  const fail = (expect = expectOf(kind, required)): never => {
    throw new Failure(path, expect, value);
  };
  if (kind.endsWith("[]")) {
    if (!Array.isArray(value) || (required && value.length === 0)) fail();
    const item = kind.slice(0, -2);
    const array = value as unknown[];
    // Items of a required list of names must be names themselves.
    for (let i = 0; i < array.length; i++) {
      checkValue(ctx, `${path}[${i}]`, item, array[i], required && item === "string");
    }
    return value;
  }
  if (kind.startsWith("{")) {
    if (!isPlainObject(value)) fail();
    const item = kind.slice(1, -1);
    for (const key in value as Params) {
      const entry = (value as Params)[key];
      if (!wellFormed(key)) throw new Failure(`${path} key`, HALF, key);
      if (item in SCALARS) {
        if (!SCALARS[item]!.ok(entry)) fail();
        if (item === "string" && !wellFormed(entry as string)) {
          throw new Failure(`${path}.${key}`, HALF, entry);
        }
      } else checkValue(ctx, `${path}.${key}`, item, entry, false);
    }
    return value;
  }
  const scalar = SCALARS[kind];
  if (scalar) {
    if (!scalar.ok(value)) fail();
    if (kind === "string" && !wellFormed(value as string)) fail(HALF);
    // A required string or number must not be empty; required JSON may be anything.
    if (required && kind !== "bytes" && (value === "" || value === 0 || value === 0n)) fail();
    if (kind === "bytes" && value instanceof Uint8Array) {
      fail("a JSON value (this field has no base64 form for binary data)");
    }
    return value;
  }
  const spec = MESSAGES[kind];
  if (!spec) throw new Error(`schema: unknown kind ${kind}`);
  const short = shortForm(spec);
  if (!isPlainObject(value)) fail();
  try {
    return copyMessage(ctx, `${path}.`, spec, value as Params, {}, undefined);
  } catch (err) {
    // A small message is reported whole, with what was wrong in it.
    if (short && err instanceof Failure) {
      const inner = err.path.slice(path.length + 1);
      throw new Failure(path, `${short} (${inner}: ${describe(err.value)})`, value);
    }
    throw err;
  }
}

/**
 * Copies the fields of `source` into `target`, checked against `spec`.
 * `prefix` is the path of the message (`""` for a command's options, then
 * messages name their keys `option x`). `controls` says what to do with
 * signal/timeout/retry at the top level: skip them (a call), refuse them (a
 * batch command), or not expect them (nested messages: undefined).
 */
function copyMessage(
  ctx: Context,
  prefix: string,
  spec: MessageSpec,
  source: Params,
  target: Params,
  controls: boolean | undefined,
  skip: ReadonlySet<string> = NONE,
): Params {
  for (const key in source) {
    const value = source[key];
    if (controls !== undefined && CONTROLS.has(key)) {
      if (controls || value === undefined) continue;
      throw new TypeError(
        `${ctx.method}: ${key} cannot be set per batch command; pass it to client.send(batch, { ${key} })`,
      );
    }
    const kind = spec.fields[key];
    if (kind === undefined || skip.has(key)) {
      throw new TypeError(unknownField(ctx.method, prefix, key, spec, controls, skip));
    }
    if (value === undefined) continue;
    const twin = spec.binary[key];
    if (twin && value instanceof Uint8Array) {
      if (source[twin] !== undefined) {
        throw new TypeError(`${ctx.method}: pass binary ${prefix}${key} or ${twin}, not both`);
      }
      target[twin] = toBase64(value);
      continue;
    }
    target[key] = checkValue(ctx, `${prefix}${key}`, kind, value, spec.required.includes(key));
  }
  if (prefix !== "") {
    for (const field of [...spec.required, ...spec.present]) {
      if (target[field] === undefined && target[spec.binary[field] ?? ""] === undefined) {
        throw new Failure(`${prefix}${field}`, expectOf(spec.fields[field]!, false), undefined);
      }
    }
  }
  return target;
}

function unknownField(
  method: string,
  prefix: string,
  key: string,
  spec: MessageSpec,
  controls: boolean | undefined,
  skip: ReadonlySet<string>,
): string {
  const fields = Object.keys(spec.fields).filter((f) => !skip.has(f));
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const hint = snake !== key && fields.includes(snake) ? ` (did you mean ${snake}?)` : "";
  const known = [...fields, ...(controls ? CONTROLS : [])];
  const where = prefix === "" ? "options" : `fields of ${prefix.slice(0, -1)}`;
  return `${method}: unknown option ${prefix}${key}${hint}; known ${where}: ${
    known.join(", ") || "none"
  }`;
}

/** A Failure worded for a positional argument or an option. */
function worded(method: string, failure: Failure, option: boolean): TypeError {
  const what = option ? `option ${failure.path}` : failure.path;
  return new TypeError(
    `${method}: ${what} must be ${failure.expect}, got ${describe(failure.value)}`,
  );
}

const NONE: ReadonlySet<string> = new Set();

/** What buildParams needs of a method, worked out once per method. */
interface Plan {
  readonly message: MessageSpec;
  readonly ctx: Context;
  readonly positional: ReadonlySet<string>;
  readonly args: readonly {
    field: string;
    kind: FieldKind;
    required: boolean;
    optional: boolean;
    twin: string | undefined;
    expect: string | undefined;
  }[];
  /** Required fields not taken positionally, with their twins. */
  readonly missing: readonly { field: string; twin: string | undefined }[];
  readonly twins: readonly [field: string, twin: string][];
}

const PLANS = new Map<string, Plan>();

function planOf(spec: MethodSpec): Plan {
  let plan = PLANS.get(spec.name);
  if (plan) return plan;
  const message = MESSAGES[spec.request]!;
  const required = new Set(message.required);
  const positional = new Set(spec.args);
  plan = {
    message,
    ctx: { method: spec.js },
    positional,
    args: spec.args.map((field, i) => ({
      field,
      kind: message.fields[field]!,
      required: required.has(field),
      optional: i >= spec.args.length - spec.optionalArgs,
      twin: message.binary[field],
      expect: required.has(field) ? undefined : EXPECT[field],
    })),
    missing: message.required.filter((f) => !positional.has(f)).map((field) => ({
      field,
      twin: message.binary[field],
    })),
    twins: Object.entries(message.binary),
  };
  PLANS.set(spec.name, plan);
  return plan;
}

/**
 * The wire params of a call of `spec` with positional `args` and `options`.
 * `controls`: true for a Client call (signal/timeout/retry are read
 * elsewhere and skipped here), false for a Batch command (refused).
 */
export function buildParams(
  spec: MethodSpec,
  args: readonly unknown[],
  options: unknown,
  controls: boolean,
): Params {
  // Arguments that pass at a glance skip the walk, which is there for the rest.
  return QUICK[spec.name]?.(args, options, controls) ?? walkParams(spec, args, options, controls);
}

/** buildParams() without the quick check: every argument walked by its kind. */
export function walkParams(
  spec: MethodSpec,
  args: readonly unknown[],
  options: unknown,
  controls: boolean,
): Params {
  const plan = planOf(spec);
  const { message, ctx } = plan;
  const params: Params = {};
  const given = options;
  if (given !== undefined && !isPlainObject(given)) {
    throw new TypeError(`${spec.js}: options must be a plain object, got ${describe(given)}`);
  }
  for (let i = 0; i < plan.args.length; i++) {
    const { field, kind, required, optional, twin, expect } = plan.args[i]!;
    const value = args[i];
    if (value === undefined && optional) continue;
    if (twin) {
      const other = given === undefined ? undefined : given[twin];
      if (value instanceof Uint8Array) {
        if (other !== undefined) {
          throw new TypeError(`${spec.js}: pass binary ${field} or ${twin}, not both`);
        }
        params[twin] = toBase64(value);
        continue;
      }
      // Left out in favour of its base64 twin in the options.
      if (value === undefined && other !== undefined) continue;
      if (value !== undefined && other !== undefined) {
        throw new TypeError(`${spec.js}: pass ${field} or ${twin}, not both`);
      }
    }
    try {
      params[field] = checkValue(ctx, field, kind, value, required);
    } catch (err) {
      if (!(err instanceof Failure)) throw err;
      // The field's own words replace only the plain "a string".
      const plainly = expect && err.path === field && err.expect === expectOf(kind, false);
      throw worded(spec.js, plainly ? new Failure(field, expect, value) : err, false);
    }
  }
  if (given !== undefined) {
    try {
      copyMessage(ctx, "", message, given, params, controls, plan.positional);
    } catch (err) {
      if (err instanceof Failure) throw worded(spec.js, err, true);
      throw err;
    }
  }
  for (const { field, twin } of plan.missing) {
    if (params[field] !== undefined) continue;
    if (twin && params[twin] !== undefined) continue;
    throw worded(
      spec.js,
      new Failure(field, expectOf(message.fields[field]!, true), undefined),
      true,
    );
  }
  for (const [field, twin] of plan.twins) {
    if (params[field] !== undefined && params[twin] !== undefined) {
      throw new TypeError(`${spec.js}: pass ${field} or ${twin}, not both`);
    }
  }
  return params;
}
