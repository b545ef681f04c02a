// What the generated quick checks (src/_generated/quick.ts) are made of: a
// test per field kind, and the one loop over a call's options. A test only
// accepts; whatever it refuses goes to buildParams' generic walk, which
// accepts it or words the error (see scripts/_emit_quick.ts).

import { CONTROLS, isPlainObject } from "./_validate.ts";

/** Wire params of one command. */
export type Params = Record<string, unknown>;

/** Whether a value passes at a glance. */
export type Test = (v: unknown) => boolean;

/**
 * A method's params, or undefined for the walk. `controls`: true for a
 * Client call (signal, timeout and retry are read elsewhere), false for a
 * Batch command (the walk refuses them).
 */
export type Quick = (a: readonly unknown[], o: unknown, controls: boolean) => Params | undefined;

const INT32 = 2 ** 31;
const UINT32 = 2 ** 32;

/** A well-formed string (a lone surrogate is left to the walk, which refuses it). */
export const isText: Test = (v) => typeof v === "string" && v.isWellFormed();
/** A non-empty, well-formed string. */
export const isName: Test = (v) => v !== "" && isText(v);
export const isBool: Test = (v) => typeof v === "boolean";
export const isInt32: Test = (v) =>
  Number.isSafeInteger(v) && (v as number) >= -INT32 && (v as number) < INT32;
export const isSetInt32: Test = (v) => v !== 0 && isInt32(v);
export const isUint32: Test = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < UINT32;
export const isSetUint32: Test = (v) => v !== 0 && isUint32(v);
/** An int32 of at least -1 (-1: all). */
export const isLimit: Test = (v) =>
  Number.isSafeInteger(v) && (v as number) >= -1 && (v as number) < INT32;
export const isSetLimit: Test = (v) => v !== 0 && isLimit(v);
// A safe integer is within 64 bits; a BigInt is left to the walk.
export const isInt64: Test = (v) => Number.isSafeInteger(v);
export const isSetInt64: Test = (v) => v !== 0 && isInt64(v);
export const isUint64: Test = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
export const isSetUint64: Test = (v) => v !== 0 && isUint64(v);
export const isDouble: Test = (v) => Number.isFinite(v);
export const isSetDouble: Test = (v) => v !== 0 && isDouble(v);

/** Any JSON value but a Uint8Array, which the walk sends as base64 or refuses. */
export const isJson: Test = (v) => {
  const type = typeof v;
  return type !== "undefined" && type !== "function" && type !== "symbol" &&
    !(v instanceof Uint8Array);
};

/** A non-empty array of non-empty, well-formed strings. */
export const isNames: Test = (v) => {
  if (!Array.isArray(v) || v.length === 0) return false;
  for (const item of v) if (!isName(item)) return false;
  return true;
};

/** An array of well-formed strings. */
export const isTexts: Test = (v) => {
  if (!Array.isArray(v)) return false;
  for (const item of v) if (!isText(item)) return false;
  return true;
};

/** A plain object of well-formed keys and string values. */
export const isTextMap: Test = (v) => {
  if (!isPlainObject(v)) return false;
  for (const key in v) if (!key.isWellFormed() || !isText(v[key])) return false;
  return true;
};

/** What a method's options may hold at a glance, and the options it needs. */
export interface Options {
  readonly tests: ReadonlyMap<string, Test>;
  readonly needed: readonly string[];
}

/** A method's options table (generated). */
export function options(tests: Readonly<Record<string, Test>>, needed: string[] = []): Options {
  return { tests: new Map(Object.entries(tests)), needed };
}

/**
 * `p` with the options of `o` added, when every one passes its test and the
 * needed ones are there; undefined otherwise. An unknown option, even left
 * undefined, is the walk's to refuse; a known one left undefined is absent.
 */
export function withOptions(
  p: Params,
  o: unknown,
  controls: boolean,
  table: Options,
): Params | undefined {
  if (!isPlainObject(o)) return undefined;
  for (const k in o) {
    const v = o[k];
    if (CONTROLS.has(k)) {
      if (controls || v === undefined) continue;
      return undefined;
    }
    const test = table.tests.get(k);
    if (test === undefined) return undefined;
    if (v === undefined) continue;
    if (!test(v)) return undefined;
    p[k] = v;
  }
  for (const field of table.needed) if (p[field] === undefined) return undefined;
  return p;
}
