// The shape of the generated method table (src/_generated/api.ts): what the
// generator knows about each API method and message, as data the client,
// the batch builder, the retry loop and the argument checks all read.

/**
 * What repeating a method does, which decides whether it may be retried:
 * - `read`: it changes nothing;
 * - `idempotent`: doing it twice is the same as doing it once;
 * - `keyed`: it changes state once per `idempotency_key` (retried with one);
 * - `unsafe`: a repeat may repeat its effect (never retried).
 */
export type Effect = "read" | "idempotent" | "keyed" | "unsafe";

/**
 * How a wire field is checked before sending:
 * - a proto scalar: `string`, `bool`, `int32`, `uint32`, `int64`, `uint64`,
 *   `double`, or `bytes` (any JSON value: Centrifugo's HTTP API carries
 *   `bytes` fields as raw JSON);
 * - `limit`: an int32 of at least -1 (-1 meaning "all");
 * - a message name: a plain object of that message's fields;
 * - `T[]`: an array of T; `{T}`: an object whose values are T.
 */
export type FieldKind = string;

/** A message: its fields' kinds, and which of them must be set. */
export interface MessageSpec {
  readonly fields: Readonly<Record<string, FieldKind>>;
  /** Fields that must be set: present, and not empty (`""`, `[]`, 0). */
  readonly required: readonly string[];
  /** Fields that must be present, with any value. */
  readonly present: readonly string[];
  /**
   * `bytes` fields with a base64 twin (`data` → `b64data`): a `Uint8Array`
   * given for the first goes as base64 in the second, and both at once is
   * refused.
   */
  readonly binary: Readonly<Record<string, string>>;
}

/** One API method. */
export interface MethodSpec {
  /** Centrifugo's name: the URL path and the key in a batch, e.g. `presence_stats`. */
  readonly name: string;
  /** The Client and Batch method, e.g. `presenceStats`. */
  readonly js: string;
  /** The request message (a key of MESSAGES). */
  readonly request: string;
  /** The result message (a key of MESSAGES). */
  readonly result: string;
  /** Only Centrifugo PRO serves it. */
  readonly pro: boolean;
  readonly effect: Effect;
  /** The fields passed as positional arguments, in order; the rest go in `options`. */
  readonly args: readonly string[];
  /** How many of `args`, from the end, may be left out. */
  readonly optionalArgs: number;
}
