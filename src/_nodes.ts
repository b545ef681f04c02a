// The Centrifugo nodes a client may send to. A cluster's nodes share a
// broker, so any node serves any API call: a call goes to the first node
// that is up, and one that fails to connect or answers 502, 503 or 504 is
// avoided for a while (then tried again, as the next call's probe). A list
// is fixed at construction; a function is asked for every call (service
// discovery), its answer checked like the list.

import type { Address } from "./options.ts";
import { describe } from "./_validate.ts";

/** What the address option takes. */
export type AddressSource = Address;

/** How long a node that failed is avoided, in ms. */
export const COOL_DOWN_MS = 2000;

/** Parses one address: an absolute http(s) URL without credentials, query or fragment. */
export function parseAddress(what: string, address: unknown): string {
  let url: URL;
  try {
    if (typeof address !== "string" && !(address instanceof URL)) throw new TypeError();
    url = new URL(address);
  } catch {
    throw new TypeError(
      `${what}: address must be an absolute http(s) URL such as http://localhost:8000/api, got ${
        describe(address)
      }`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${what}: address must use http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new TypeError(`${what}: address must not contain credentials; use the apiKey option`);
  }
  if (url.search || url.hash) {
    throw new TypeError(
      `${what}: address must not contain a query or fragment; use the apiKey option for the key`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function parseList(what: string, value: unknown): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new TypeError(`${what}: the address list is empty`);
    return [...new Set(value.map((a) => parseAddress(what, a)))];
  }
  return [parseAddress(what, value)];
}

/** The nodes of a client, and which of them failed lately. */
export class Nodes {
  readonly #fixed: readonly string[] | undefined;
  readonly #source: (() => unknown) | undefined;
  /** When each failed node may be tried again (performance.now()). */
  readonly #down = new Map<string, number>();

  /** The one node, when the list has one (every call goes there: no order to keep). */
  readonly only: string | undefined;

  constructor(source: AddressSource) {
    if (typeof source === "function") this.#source = source;
    else this.#fixed = parseList("Client", source);
    this.only = this.#fixed?.length === 1 ? this.#fixed[0] : undefined;
  }

  /** True when there may be more than one node to choose from. */
  get many(): boolean {
    return this.#source !== undefined || this.#fixed!.length > 1;
  }

  /** The first configured node, for messages and `address` (a function's: "(from a function)"). */
  get primary(): string {
    return this.#fixed ? this.#first(this.#fixed) : "(address from a function)";
  }

  /** The nodes for one call, in the order to try them; a function's answer, checked. */
  resolve(): readonly string[] | Promise<readonly string[]> {
    if (this.#fixed) return this.#order(this.#fixed);
    let answer: unknown;
    try {
      answer = this.#source!();
    } catch (err) {
      return Promise.reject(new TypeError("the address function failed", { cause: err }));
    }
    if (answer instanceof Promise) {
      return answer.then(
        (list) => this.#order(parseList("the address function", list)),
        (err) => {
          throw new TypeError("the address function failed", { cause: err });
        },
      );
    }
    return this.#order(parseList("the address function", answer));
  }

  /** Live nodes first, in their order; those cooling down after, soonest back first. */
  #order(list: readonly string[]): readonly string[] {
    if (this.#down.size === 0) return list;
    const now = performance.now();
    const live: string[] = [];
    const down: string[] = [];
    for (const node of list) {
      const back = this.#down.get(node);
      if (back === undefined || back <= now) live.push(node);
      else down.push(node);
    }
    down.sort((a, b) => this.#down.get(a)! - this.#down.get(b)!);
    return [...live, ...down];
  }

  #first(list: readonly string[]): string {
    return this.#order(list)[0]!;
  }

  /** Records that `node` failed: it is avoided for a while. */
  failed(node: string): void {
    this.#down.set(node, performance.now() + COOL_DOWN_MS);
  }

  /** Records that `node` answered: it is live again. */
  answered(node: string): void {
    if (this.#down.size > 0) this.#down.delete(node);
  }
}
