// The shape of the generated proxy table (src/_generated/proxy_table.ts): what
// the generator knows about each proxy type and message, as data the handlers
// read to decode requests and to check answers.

/**
 * How a wire field is checked:
 * - a proto scalar: `string`, `bool`, `int32`, `uint32`, `int64`, `uint64`,
 *   `double`, or `bytes` (any JSON value: Centrifugo carries `bytes` fields of
 *   its proxies as raw JSON);
 * - `unix_seconds`: an int64 of whole seconds that is not milliseconds;
 * - `key_mode`: `""`, `"if_new"` or `"if_exists"`;
 * - a message name: a plain object of that message's fields;
 * - `T[]`: an array of T; `{T}`: an object whose values are T.
 */
export type FieldKind = string;

/** A proxy message: its fields' kinds and rules. */
export interface ProxyMessageSpec {
  readonly fields: Readonly<Record<string, FieldKind>>;
  /** Request fields given their zero value when Centrifugo leaves them out. */
  readonly always: readonly string[];
  /** `bytes` fields with a base64 twin (`data` → `b64data`). */
  readonly binary: Readonly<Record<string, string>>;
  /** Result rules: at least one field of each group set, and why. */
  readonly needs: readonly { readonly fields: readonly string[]; readonly why: string }[];
}

/** What a proxy answer can hold besides its result. */
export type Rejection = "error" | "disconnect";

/** One proxy type. */
export interface ProxySpec {
  /** The type's name, e.g. `sub_refresh`. */
  readonly name: string;
  /** The request message (a key of PROXY_MESSAGES). */
  readonly request: string;
  /** The result message (a key of PROXY_MESSAGES). */
  readonly result: string;
  /** The answers besides a result that Centrifugo acts on for this type. */
  readonly rejections: readonly Rejection[];
  /** Only Centrifugo PRO calls it. */
  readonly pro: boolean;
}
