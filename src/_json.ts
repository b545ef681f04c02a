// The default request encoder: JSON.stringify, except that values JSON would
// silently change are refused. NaN and ±Infinity would become null, functions
// and symbols would vanish (or become null in an array), undefined in an
// array would become null, a Map or Set would become {}. A property set to
// undefined stays allowed: it means "absent", as it does everywhere in
// JavaScript. A BigInt, which JSON.stringify cannot encode at all, is refused
// with the way out (a jsonEncoder that writes it).
//
// The value is walked once, the way JSON.stringify walks it (toJSON, boxed
// primitives, own enumerable keys in order), and copied into plain objects
// and arrays of judged values, which JSON.stringify then writes without a
// replacer. So each value is read once and judged as it is encoded: a getter
// or a toJSON that answers differently on a second read cannot slip past.
// A replacer would do the same, but calls back into JavaScript for every
// value, which costs more than the walk and the copy together.

/** Where a value sits: a key of an object, or an index of an array. */
type Key = string | number;

function refuse(key: Key, what: string, becomes: string): never {
  const where = key === "" ? "the value" : JSON.stringify(String(key));
  throw new TypeError(`${where} is ${what}, which JSON would ${becomes}`);
}

const OBJECT = Object.prototype;

/**
 * The JSON-ready copy of `value` (undefined: absent), read at `key` of an
 * object or an array (`inArray`). `open` holds the objects being copied.
 */
function judge(key: Key, value: unknown, inArray: boolean, open: object[]): unknown {
  let type = typeof value;
  // Most values are strings: out first.
  if (type === "string" || type === "boolean") return value;
  if ((type === "object" && value !== null) || type === "function" || type === "bigint") {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      value = toJSON.call(value, String(key));
      type = typeof value;
    }
  }
  if (type !== "object" || value === null) return primitive(key, value, inArray);
  const object = value as object;
  if (Array.isArray(object)) return copyArray(object, open);
  const proto = Object.getPrototypeOf(object);
  if (proto !== OBJECT && proto !== null) {
    if (object instanceof Map || object instanceof Set) {
      refuse(key, `a ${object.constructor.name}`, "turn into {}");
    }
    const inner = unboxed(object);
    if (inner !== object) return primitive(key, inner, inArray);
  }
  return copyObject(object as Record<string, unknown>, open);
}

/** A value that is not an object (after toJSON and unboxing), judged. */
function primitive(key: Key, value: unknown, inArray: boolean): unknown {
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) refuse(key, String(value), "turn into null");
      return value;
    case "undefined":
      if (inArray) refuse(key, "undefined", "turn into null");
      return undefined;
    case "function":
      // A toJSON method left in what a toJSON returned (`{ ...this }`) is
      // the conversion hook, not data: JSON drops it, and so may we.
      if (key === "toJSON" && !inArray) return undefined;
      return refuse(key, "a function", inArray || key === "" ? "turn into null" : "drop");
    case "symbol":
      return refuse(key, "a symbol", inArray || key === "" ? "turn into null" : "drop");
    case "bigint":
      return refuse(
        key,
        "a BigInt",
        "fail to encode (give the client a jsonEncoder that writes it)",
      );
    default:
      // string, boolean, null
      return value;
  }
}

/**
 * The primitive a boxed Number, String, Boolean or BigInt stands for, as
 * JSON.stringify takes it (Number and String through their conversion);
 * anything else as it is. `instanceof` only picks the probe: the probe
 * throws for an object that merely has the prototype.
 */
function unboxed(object: object): unknown {
  try {
    if (object instanceof Number) {
      Number.prototype.valueOf.call(object);
      return Number(object);
    }
    if (object instanceof String) {
      String.prototype.valueOf.call(object);
      return String(object);
    }
    if (object instanceof Boolean) return Boolean.prototype.valueOf.call(object);
    if (object instanceof BigInt) return BigInt.prototype.valueOf.call(object);
  } catch (err) {
    // No such slot (a plain object with that prototype): it is an object.
    if (!(err instanceof TypeError)) throw err;
  }
  return object;
}

function enter(open: object[], object: object): void {
  if (open.includes(object)) throw new TypeError("Converting circular structure to JSON");
  open.push(object);
}

function copyArray(array: readonly unknown[], open: object[]): unknown[] {
  enter(open, array);
  const length = array.length;
  const copy = new Array<unknown>(length);
  for (let i = 0; i < length; i++) copy[i] = judge(i, array[i], true, open);
  open.pop();
  return copy;
}

function copyObject(object: Record<string, unknown>, open: object[]): Record<string, unknown> {
  enter(open, object);
  const copy: Record<string, unknown> = {};
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = judge(key, object[key], false, open);
    if (value === undefined) continue;
    // Assigned, "__proto__" would set the copy's prototype instead.
    if (key === "__proto__") {
      Object.defineProperty(copy, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else copy[key] = value;
  }
  open.pop();
  return copy;
}

/** JSON.stringify that refuses values JSON cannot represent faithfully. */
export function strictStringify(value: unknown): string {
  return JSON.stringify(judge("", value, false, [])) as string;
}
