// Proxy requests and answers against the generated table
// (src/_generated/proxy_table.ts). A request is checked field by field (its
// own fields only: Centrifugo adds new ones, they pass through), given the
// zero values Centrifugo leaves out, and its base64 payload decoded. An answer
// is checked whole before a byte is sent: only fields its type has, values of
// their kinds, codes and reasons in range; a `Uint8Array` goes as the field's
// base64 twin. Problems are worded by field and rule, never by value (values
// may be secrets).

import { PROXY_MESSAGES } from "../_generated/proxy_table.ts";
import { fromBase64, isBase64, toBase64 } from "../_base64.ts";
import type { FieldKind, ProxyMessageSpec, ProxySpec } from "./_schema.ts";
import {
  disconnectProblem,
  errorProblem,
  ProxyAnswerError,
  ProxyDisconnect,
  ProxyError,
} from "./errors.ts";

type Obj = Record<string, unknown>;

function isPlainObject(value: unknown): value is Obj {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const INT32 = 2 ** 31;
const UINT32 = 2 ** 32;
/** Seconds past this (the year 5138) must be milliseconds. */
const MAX_SECONDS = 1e11;
const KEY_MODES: ReadonlySet<unknown> = new Set(["", "if_new", "if_exists"]);

/** Scalar kinds: the test and the words for it. */
const SCALARS: Readonly<Record<string, { ok: (v: unknown) => boolean; words: string }>> = {
  string: { ok: (v) => typeof v === "string", words: "a string" },
  bool: { ok: (v) => typeof v === "boolean", words: "a boolean" },
  int32: {
    ok: (v) => Number.isInteger(v) && (v as number) >= -INT32 && (v as number) < INT32,
    words: "a 32-bit integer",
  },
  uint32: {
    ok: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < UINT32,
    words: "a non-negative 32-bit integer",
  },
  int64: { ok: Number.isSafeInteger, words: "an integer" },
  uint64: {
    ok: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
    words: "a non-negative integer",
  },
  double: { ok: (v) => typeof v === "number" && Number.isFinite(v), words: "a finite number" },
  unix_seconds: {
    ok: (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < MAX_SECONDS,
    words: "whole Unix seconds",
  },
  key_mode: { ok: (v) => KEY_MODES.has(v), words: '"", "if_new" or "if_exists"' },
};

/** The zero value Go's omitempty left out, for a field of `kind`. */
function zeroOf(kind: FieldKind): unknown {
  if (kind.endsWith("[]")) return [];
  if (kind.startsWith("{")) return {};
  switch (kind) {
    case "string":
      return "";
    case "bool":
      return false;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------------------
// Requests

/**
 * Checks a decoded request body against `message` and completes it in place
 * (zero values, base64 payloads decoded); returns what is wrong, or undefined.
 */
export function decodeRequest(message: string, body: unknown): string | undefined {
  const problem = decoderOf(message)(body);
  if (problem === undefined) return undefined;
  // A message's problems start with ".field"; the body's own with " must".
  return problem.startsWith(".") ? problem.slice(1) : `the body${problem}`;
}

/**
 * Checks (and completes) a value of one kind: undefined if it is fine, else
 * the problem from the value on, e.g. `.items[0].key must be a string`.
 * Decoders are made once per kind: a request costs a walk over its fields.
 */
type Decoder = (value: unknown) => string | undefined;

const decoders = new Map<FieldKind, Decoder>();

function decoderOf(kind: FieldKind): Decoder {
  let decoder = decoders.get(kind);
  if (decoder) return decoder;
  // Set before building, for recursive messages: it looks itself up when called.
  decoders.set(kind, (value) => decoder!(value));
  decoder = makeDecoder(kind);
  decoders.set(kind, decoder);
  return decoder;
}

function makeDecoder(kind: FieldKind): Decoder {
  if (kind === "bytes") return () => undefined;
  const scalar = SCALARS[kind];
  if (scalar) {
    const problem = ` must be ${scalar.words}`;
    const ok = scalar.ok;
    return (value) => ok(value) ? undefined : problem;
  }
  if (kind.endsWith("[]")) {
    const item = decoderOf(kind.slice(0, -2));
    return (value) => {
      if (!Array.isArray(value)) return " must be an array";
      for (let i = 0; i < value.length; i++) {
        const problem = item(value[i]);
        if (problem !== undefined) return `[${i}]${problem}`;
      }
      return undefined;
    };
  }
  if (kind.startsWith("{")) {
    const item = decoderOf(kind.slice(1, -1));
    return (value) => {
      if (!isPlainObject(value)) return " must be a JSON object";
      for (const key in value) {
        const problem = item(value[key]);
        if (problem !== undefined) return `.${key}${problem}`;
      }
      return undefined;
    };
  }
  return messageDecoder(PROXY_MESSAGES[kind]!);
}

interface FieldDecoder {
  name: string;
  /** Go reads null as "absent" everywhere but in raw JSON (bytes). */
  nullable: boolean;
  decode: Decoder;
  /** For fields Centrifugo omits when empty: the kind whose zero value to fill in. */
  zero?: FieldKind;
  /** For a base64 twin (`b64data`): the field its bytes go to (`data`). */
  bytesOf?: string;
}

function messageDecoder(spec: ProxyMessageSpec): Decoder {
  const always = new Set(spec.always);
  const twins = new Map(Object.entries(spec.binary).map(([name, twin]) => [twin, name]));
  const fields: FieldDecoder[] = Object.entries(spec.fields).map(([name, kind]) => ({
    name,
    nullable: kind !== "bytes",
    decode: decoderOf(kind),
    ...(always.has(name) ? { zero: kind } : {}),
    ...(twins.has(name) ? { bytesOf: twins.get(name)! } : {}),
  }));
  // One pass, one property read per field: requests are decoded on every call.
  return (value) => {
    if (!isPlainObject(value)) return " must be a JSON object";
    for (const field of fields) {
      const v = value[field.name];
      if (v === undefined || (v === null && field.nullable)) {
        if (field.zero !== undefined) value[field.name] = zeroOf(field.zero);
        continue;
      }
      const problem = field.decode(v);
      if (problem !== undefined) return `.${field.name}${problem}`;
      if (field.bytesOf !== undefined && v !== "") {
        if (value[field.bytesOf] !== undefined) return ` has both ${field.bytesOf} and its base64`;
        const bytes = fromBase64(v as string);
        if (!bytes) return `.${field.name} must be standard base64`;
        value[field.bytesOf] = bytes;
      }
    }
    return undefined;
  };
}

// ---------------------------------------------------------------------------
// Answers

const describe = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : value instanceof Uint8Array
    ? "a Uint8Array"
    : typeof value === "object"
    ? "an object"
    : typeof value;

/**
 * The JSON body answering a proxy request of `proxy` with `answer` (a result,
 * a ProxyError or a ProxyDisconnect), as the value to serialize; throws a
 * ProxyAnswerError when the answer is not one the type can carry.
 */
export function encodeAnswer(proxy: ProxySpec, answer: unknown): object {
  if (answer instanceof ProxyError) {
    if (!proxy.rejections.includes("error")) throw cannotCarry(proxy, "an error", answer);
    const problem = errorProblem(answer.code, answer.message, answer.temporary);
    if (problem) throw new ProxyAnswerError(`${proxy.name}: ${problem}`, { cause: answer });
    return {
      error: answer.temporary
        ? { code: answer.code, message: answer.message, temporary: true }
        : { code: answer.code, message: answer.message },
    };
  }
  if (answer instanceof ProxyDisconnect) {
    if (!proxy.rejections.includes("disconnect")) throw cannotCarry(proxy, "a disconnect", answer);
    const problem = disconnectProblem(answer.code, answer.reason);
    if (problem) throw new ProxyAnswerError(`${proxy.name}: ${problem}`, { cause: answer });
    return { disconnect: { code: answer.code, reason: answer.reason } };
  }
  if (!isPlainObject(answer)) {
    throw new ProxyAnswerError(
      `${proxy.name}: the function must return a ${proxy.result} object ` +
        `({} for the defaults)${proxy.rejections.length ? `, ${rejectionWords(proxy)}` : ""}; got ${
          describe(answer)
        }`,
    );
  }
  return { result: encodeMessage(proxy.result, answer, "result") };
}

/** The HTTP response carrying an answer from encodeAnswer; throws a ProxyAnswerError. */
export function answerResponse(proxy: ProxySpec, body: object): Response {
  try {
    return Response.json(body);
  } catch (err) {
    // A BigInt or a cycle inside a JSON field.
    throw new ProxyAnswerError(
      `${proxy.name}: the result is not JSON: ${err instanceof Error ? err.message : err}`,
      { cause: err },
    );
  }
}

const rejectionWords = (proxy: ProxySpec) =>
  proxy.rejections.map((r) => r === "error" ? "a ProxyError" : "a ProxyDisconnect").join(" or ");

function cannotCarry(proxy: ProxySpec, what: string, answer: unknown): ProxyAnswerError {
  const instead = proxy.name === "refresh"
    ? " (Centrifugo reads only its result: answer { expired: true } to end the connection)"
    : proxy.name === "sub_refresh"
    ? " (Centrifugo reads only its result: answer { expired: true } to end the subscription)"
    : proxy.rejections.length
    ? ` (it can answer ${rejectionWords(proxy)})`
    : "";
  return new ProxyAnswerError(`${proxy.name} cannot answer ${what}${instead}`, { cause: answer });
}

/** `value` checked as `message`, with Uint8Arrays moved to their base64 twins (a copy if so). */
function encodeMessage(message: string, value: Obj, path: string): Obj {
  const spec = PROXY_MESSAGES[message]!;
  let out = value;
  for (const name in value) {
    const v = value[name];
    if (v === undefined) continue;
    const kind = spec.fields[name];
    if (kind === undefined) {
      throw new ProxyAnswerError(
        `${path}.${name}: ${message} has no field ${name}${suggest(spec, name)}`,
      );
    }
    // Most fields are scalars of the right kind: no path built for them.
    if (SCALARS[kind]?.ok(v)) continue;
    const twin = spec.binary[name];
    if (twin !== undefined && v instanceof Uint8Array) {
      if (value[twin] !== undefined) {
        throw new ProxyAnswerError(`${path}.${name}: give ${name} or ${twin}, not both`);
      }
      if (out === value) out = { ...value };
      delete out[name];
      out[twin] = toBase64(v);
      continue;
    }
    const encoded = encodeValue(kind, v, `${path}.${name}`, twin !== undefined);
    if (encoded !== v) {
      if (out === value) out = { ...value };
      out[name] = encoded;
    }
  }
  for (const name in spec.binary) {
    const encoded = value[spec.binary[name]!];
    if (typeof encoded === "string" && !isBase64(encoded)) {
      throw new ProxyAnswerError(`${path}.${spec.binary[name]} must be standard base64`);
    }
  }
  for (const need of spec.needs) {
    if (!need.fields.some((f) => value[f] !== undefined && value[f] !== false && value[f] !== 0)) {
      throw new ProxyAnswerError(`${path}: ${need.why}`);
    }
  }
  return out;
}

function encodeValue(kind: FieldKind, value: unknown, path: string, hasTwin: boolean): unknown {
  if (kind === "bytes") {
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      throw new ProxyAnswerError(
        `${path} must be a JSON value${hasTwin ? " or a Uint8Array" : ""} (binary data has no ` +
          `form here), got ${describe(value)}`,
      );
    }
    const type = typeof value;
    if (type === "function" || type === "symbol" || type === "bigint") {
      throw new ProxyAnswerError(`${path} must be a JSON value, got ${type}`);
    }
    return value;
  }
  const scalar = SCALARS[kind];
  if (scalar) {
    if (scalar.ok(value)) return value;
    if (kind === "unix_seconds" && typeof value === "number" && value >= MAX_SECONDS) {
      throw new ProxyAnswerError(
        `${path} must be whole Unix seconds; ${value} looks like milliseconds ` +
          "(Math.floor(ms / 1000))",
      );
    }
    if (kind === "unix_seconds" && typeof value === "number" && !Number.isInteger(value)) {
      throw new ProxyAnswerError(`${path} must be whole Unix seconds (Math.floor it)`);
    }
    throw new ProxyAnswerError(`${path} must be ${scalar.words}, got ${describe(value)}`);
  }
  if (kind.endsWith("[]")) {
    if (!Array.isArray(value)) {
      throw new ProxyAnswerError(`${path} must be an array, got ${describe(value)}`);
    }
    const item = kind.slice(0, -2);
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const encoded = encodeValue(item, value[i], `${path}[${i}]`, false);
      if (encoded !== value[i]) {
        if (out === value) out = [...value];
        out[i] = encoded;
      }
    }
    return out;
  }
  if (kind.startsWith("{")) {
    if (!isPlainObject(value)) {
      throw new ProxyAnswerError(`${path} must be a plain object, got ${describe(value)}`);
    }
    const item = kind.slice(1, -1);
    let out: Obj = value;
    for (const key in value) {
      const encoded = encodeValue(item, value[key], `${path}.${key}`, false);
      if (encoded !== value[key]) {
        if (out === value) out = { ...value };
        out[key] = encoded;
      }
    }
    return out;
  }
  if (!isPlainObject(value)) {
    throw new ProxyAnswerError(`${path} must be a plain object, got ${describe(value)}`);
  }
  return encodeMessage(kind, value, path);
}

/** ` (did you mean expire_at?)` for a camelCase or differently cased field name. */
function suggest(spec: ProxyMessageSpec, name: string): string {
  const flat = (s: string) => s.replaceAll("_", "").toLowerCase();
  const match = Object.keys(spec.fields).find((f) => flat(f) === flat(name));
  return match
    ? ` (did you mean ${match}?)`
    : `; its fields: ${Object.keys(spec.fields).join(", ")}`;
}
