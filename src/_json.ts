// The default request encoder: JSON.stringify, except that values JSON would
// silently change are refused. NaN and ±Infinity would become null, functions
// and symbols would vanish, undefined in an array would become null, a Map or
// Set would become {}. A property set to undefined stays allowed: it means
// "absent", as it does everywhere in JavaScript.
//
// The check is a plain walk after JSON.stringify, not a replacer: a replacer
// takes JSON.stringify off its fast path (about 5x slower here). Walking after
// a successful stringify also means there is no cycle to guard against, and
// the walk visits no more than stringify did.

function refuse(key: string, what: string, becomes: string): never {
  const where = key === "" ? "the value" : JSON.stringify(key);
  throw new TypeError(`${where} is ${what}, which JSON would ${becomes}`);
}

function walk(value: unknown, key: string, inArray: boolean): void {
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) refuse(key, String(value), "turn into null");
      return;
    case "function":
    case "symbol":
      if (!inArray && key !== "") return refuse(key, `a ${typeof value}`, "drop");
      return refuse(key, `a ${typeof value}`, "turn into null");
    case "undefined":
      if (inArray) refuse(key, "undefined", "turn into null");
      return;
    case "object": {
      if (value === null) return;
      const json = (value as { toJSON?: unknown }).toJSON;
      if (typeof json === "function") return walk(json.call(value, key), key, inArray);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) walk(value[i], String(i), true);
        return;
      }
      if (value instanceof Map || value instanceof Set) {
        refuse(key, `a ${value.constructor.name}`, "turn into {}");
      }
      for (const k in value) {
        if (Object.hasOwn(value, k)) walk((value as Record<string, unknown>)[k], k, false);
      }
      return;
    }
  }
}

/** JSON.stringify that refuses values JSON cannot represent faithfully. */
export function strictStringify(value: unknown): string {
  const json = JSON.stringify(value);
  walk(value, "", false);
  return json;
}
