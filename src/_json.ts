// The default request encoder: JSON.stringify, except that values JSON would
// silently change are refused. NaN and ±Infinity would become null, functions
// and symbols would vanish (or become null in an array), undefined in an
// array would become null, a Map or Set would become {}. A property set to
// undefined stays allowed: it means "absent", as it does everywhere in
// JavaScript. A BigInt, which JSON.stringify cannot encode at all, is refused
// with the way out (a jsonEncoder that writes it).
//
// The check is JSON.stringify's own replacer, so each value is read once, by
// the serializer, and judged as it is encoded: a getter or a toJSON that
// answers differently on a second read cannot slip past a separate walk.

function refuse(key: string, what: string, becomes: string): never {
  const where = key === "" ? "the value" : JSON.stringify(key);
  throw new TypeError(`${where} is ${what}, which JSON would ${becomes}`);
}

function check(this: unknown, key: string, value: unknown): unknown {
  const type = typeof value;
  // Most values are strings and finite numbers: out first.
  if (type === "string" || type === "boolean") return value;
  switch (type) {
    case "number":
      if (!Number.isFinite(value)) refuse(key, String(value), "turn into null");
      return value;
    case "function":
      // A toJSON method left in what a toJSON returned (`{ ...this }`) is
      // the conversion hook, not data: JSON drops it, and so may we.
      if (key === "toJSON" && !Array.isArray(this)) return undefined;
      return refuse(
        key,
        `a ${typeof value}`,
        Array.isArray(this) || key === "" ? "turn into null" : "drop",
      );
    case "symbol":
      return refuse(
        key,
        `a ${typeof value}`,
        Array.isArray(this) || key === "" ? "turn into null" : "drop",
      );
    case "undefined":
      if (Array.isArray(this)) refuse(key, "undefined", "turn into null");
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

/** JSON.stringify that refuses values JSON cannot represent faithfully. */
export function strictStringify(value: unknown): string {
  return JSON.stringify(value, check);
}
