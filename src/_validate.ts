// Generic argument checks of the Client and the Batch builder (the per-field
// checks of the API methods are in _params.ts, from the schema). Every check
// throws a TypeError that names the method and the argument, so bad input is
// reported at the call site, before anything is sent.

/** Per-call controls: read by the transport, never sent. */
export const CONTROLS: ReadonlySet<string> = new Set(["signal", "timeout", "retry"]);

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
