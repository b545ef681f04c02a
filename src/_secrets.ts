// What must never show: the API key, bearer tokens and the values of the
// `headers` option (a credential often travels there). A server or a proxy
// may echo a request back, and a runtime's error may quote it, so every text
// the library builds from an answer or an error goes through here first.

import { is } from "./_is.ts";

const MASK = "[redacted]";
/** Shorter header values are not secrets worth masking (and would mask ordinary words). */
const MIN_LENGTH = 4;
/** Bearer tokens of a function are masked as long as they may still be echoed. */
const KEEP = 8;

/** A client's secrets. */
export class Secrets {
  #fixed: readonly string[];
  #recent: string[] = [];

  constructor(values: readonly (string | undefined)[]) {
    this.#fixed = values.filter((v): v is string => v !== undefined && v.length >= MIN_LENGTH);
  }

  /** Adds a secret learnt later (a bearer token a function returned). */
  add(value: string): void {
    if (value.length < MIN_LENGTH || this.#recent.includes(value)) return;
    this.#recent.push(value);
    if (this.#recent.length > KEEP) this.#recent.shift();
  }

  /** `text` with every secret masked. */
  redact(text: string): string {
    let out = text;
    for (const secret of [...this.#fixed, ...this.#recent]) {
      if (out.includes(secret)) out = out.replaceAll(secret, MASK);
    }
    return out;
  }

  /**
   * An error's cause with every secret masked: the value itself when it
   * holds none, else a plain Error (same name) with the masked message.
   */
  scrub(cause: unknown): unknown {
    if (typeof cause === "string") return this.redact(cause);
    if (!is(cause, Error)) return cause;
    let text: string;
    try {
      text = `${cause.message}\n${cause.stack ?? ""}`;
    } catch {
      return cause;
    }
    if (this.redact(text) === text) return cause;
    const copy = new Error(this.redact(cause.message));
    copy.name = cause.name;
    return copy;
  }
}
