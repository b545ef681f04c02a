// Argument checks shared by the Client and the Batch builder. Every check
// throws a TypeError that names the method and the argument, so bad input is
// reported at the call site, before anything is sent.

/** How an optional wire field is checked. */
export type FieldKind =
  | "string"
  | "boolean"
  | "int"
  | "uint"
  | "limit"
  | "json"
  | "object"
  | "strings"
  | "tags"
  | "position"
  | "disconnect";

/** The optional wire fields a method accepts, with their kinds. */
export type Fields = Readonly<Record<string, FieldKind>>;

/** Per-call controls: read by the transport, never sent. */
const CONTROLS = new Set(["signal", "timeout", "retry"]);

/**
 * Checks an options object that holds only per-call controls (`call`, and
 * `send` with `parallel`): unknown keys are rejected, as everywhere else.
 */
export function controlsArg(method: string, options: unknown, extra: readonly string[] = []): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) fail(method, "options", "a plain object", options);
  for (const key in options) {
    if (!CONTROLS.has(key) && !extra.includes(key)) {
      const known = [...CONTROLS, ...extra].join(", ");
      throw new TypeError(`${method}: unknown option ${key}; known options: ${known}`);
    }
  }
}

/** A short description of a value for error messages (never its full content). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return value === "" ? "an empty string" : "a string";
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof value} ${String(value)}`;
    case "undefined":
      return "undefined";
    default:
      return `a value of type ${typeof value}`;
  }
}

function fail(method: string, what: string, expected: string, value: unknown): never {
  throw new TypeError(`${method}: ${what} must be ${expected}, got ${describe(value)}`);
}

/** A channel name: a non-empty string. */
export function channelArg(method: string, value: unknown, what = "channel"): string {
  if (typeof value !== "string" || value === "") fail(method, what, "a non-empty string", value);
  return value;
}

/**
 * A user ID: any string. The empty string is Centrifugo's anonymous user, so it
 * is valid (combine it with `client` to target one anonymous connection).
 */
export function userArg(method: string, value: unknown): string {
  if (typeof value !== "string") {
    fail(method, "user", 'a string ("" targets anonymous users)', value);
  }
  return value;
}

/** A list of channel names for broadcast: a non-empty array of non-empty strings. */
export function channelsArg(method: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail(method, "channels", "a non-empty array of channel names", value);
  }
  for (let i = 0; i < value.length; i++) channelArg(method, value[i], `channels[${i}]`);
  return value;
}

/** An API method name, as it appears in the URL path and batch commands. */
export function methodArg(what: string, value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_]+$/.test(value)) {
    fail(what, "method", 'a Centrifugo method name such as "publish" (letters, digits, _)', value);
  }
  return value;
}

/** A plain params object; `undefined` stands for `{}`. */
export function paramsArg(method: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) fail(method, "params", "a plain object", value);
  return value;
}

/** Data to publish: any JSON value; `undefined` only when b64data replaces it. */
export function jsonArg(method: string, what: string, value: unknown): void {
  const type = typeof value;
  if (type === "function" || type === "symbol" || type === "undefined") {
    fail(method, what, "a JSON value", value);
  }
}

/**
 * The longest delay a timer takes (2^31 - 1 ms, about 24.8 days). Runtimes
 * fire a longer timer at once, so a longer finite timeout would expire
 * immediately instead of never.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * A timeout in milliseconds: a positive number up to MAX_TIMER_MS, or
 * `Infinity` for none.
 */
export function timeoutArg(what: string, value: unknown): number {
  if (
    typeof value !== "number" || !(value > 0) ||
    (value > MAX_TIMER_MS && value !== Infinity)
  ) {
    fail(
      what,
      "timeout",
      `a positive number of milliseconds up to ${MAX_TIMER_MS} (or Infinity)`,
      value,
    );
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkField(method: string, key: string, kind: FieldKind, value: unknown): void {
  const what = `option ${key}`;
  switch (kind) {
    case "string":
      if (typeof value !== "string") fail(method, what, "a string", value);
      return;
    case "boolean":
      if (typeof value !== "boolean") fail(method, what, "a boolean", value);
      return;
    case "int":
      if (!Number.isSafeInteger(value)) fail(method, what, "an integer", value);
      return;
    case "uint":
      if (!Number.isSafeInteger(value) || (value as number) < 0) {
        fail(method, what, "a non-negative integer", value);
      }
      return;
    case "limit":
      if (
        !Number.isSafeInteger(value) || (value as number) < -1 || (value as number) > 2 ** 31 - 1
      ) {
        fail(method, what, "a non-negative 32-bit integer, or -1 for all", value);
      }
      return;
    case "json":
      jsonArg(method, what, value);
      return;
    case "object":
      if (!isPlainObject(value)) fail(method, what, "a plain object", value);
      return;
    case "strings":
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
        fail(method, what, "an array of strings", value);
      }
      return;
    case "tags":
      if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === "string")) {
        fail(method, what, "an object of string values", value);
      }
      return;
    case "position":
      if (
        !isPlainObject(value) || !Number.isSafeInteger(value.offset) ||
        (value.offset as number) < 0 || typeof value.epoch !== "string"
      ) fail(method, what, "{ offset: non-negative integer, epoch: string }", value);
      return;
    case "disconnect":
      if (
        !isPlainObject(value) || !Number.isSafeInteger(value.code) || (value.code as number) < 0 ||
        typeof value.reason !== "string"
      ) fail(method, what, "{ code: non-negative integer, reason: string }", value);
      return;
  }
}

/**
 * Copies the optional wire fields of `options` into `params`, checking each
 * one. Unknown keys are rejected (a typo such as `skipHistory` would otherwise
 * be silently ignored by Centrifugo). `signal` and `timeout` are skipped when
 * `controls` is true (a client call) and rejected otherwise (a batch command).
 */
export function copyFields(
  method: string,
  options: unknown,
  fields: Fields,
  params: Record<string, unknown>,
  controls: boolean,
): Record<string, unknown> {
  if (options === undefined) return params;
  if (!isPlainObject(options)) fail(method, "options", "a plain object", options);
  for (const key in options) {
    const value = options[key];
    if (CONTROLS.has(key)) {
      if (controls || value === undefined) continue;
      throw new TypeError(
        `${method}: ${key} cannot be set per batch command; pass it to client.send(batch, { ${key} })`,
      );
    }
    const kind = fields[key];
    if (kind === undefined) throw new TypeError(unknownField(method, key, fields, controls));
    if (value === undefined) continue;
    checkField(method, key, kind, value);
    params[key] = value;
  }
  return params;
}

function unknownField(method: string, key: string, fields: Fields, controls: boolean): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const hint = snake !== key && snake in fields ? ` (did you mean ${snake}?)` : "";
  const known = [...Object.keys(fields), ...(controls ? CONTROLS : [])];
  return `${method}: unknown option ${key}${hint}; known options: ${known.join(", ") || "none"}`;
}
