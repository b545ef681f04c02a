// `instanceof` for values that may come from anywhere: a custom fetch can
// reject with a Proxy whose prototype chain throws when read, and a check
// must not turn that into an unhandled error.

/** `value instanceof type`, and false when the value's prototype cannot be read. */
export function is<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}
