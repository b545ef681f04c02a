// The `bearerToken` option (Centrifugo PRO's JWKS-protected server API): a
// token sent as `Authorization: Bearer` instead of the API key. A function's
// token is cached: a JWT is reused for half its lifetime (from `iat`, or from
// when it was fetched, to `exp`), any other token is asked for per request.
// Calls that need a token at the same moment share one call of the function.

import type { Secrets } from "./_secrets.ts";

/** What the bearerToken option takes. */
export type TokenSource = string | (() => string | Promise<string>);

/** Thrown when the application's token function fails or returns no token. */
export class TokenFailed extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TokenFailed";
  }
}

/** When a JWT's reuse ends (ms since the epoch), or 0 for a token that is not one. */
function reuseUntil(token: string, fetched: number): number {
  const parts = token.split(".");
  if (parts.length !== 3) return 0;
  try {
    const json = atob(parts[1]!.replace(/-/g, "+").replace(/_/g, "/"));
    const { exp, iat } = JSON.parse(json) as { exp?: unknown; iat?: unknown };
    if (typeof exp !== "number") return 0;
    const from = typeof iat === "number" ? iat * 1000 : fetched;
    return from + (exp * 1000 - from) / 2;
  } catch {
    return 0;
  }
}

/** The headers of each request, with the current bearer token. */
export class BearerAuth {
  readonly #source: () => string | Promise<string>;
  readonly #base: Readonly<Record<string, string>>;
  readonly #secrets: Secrets;
  #headers: Readonly<Record<string, string>> | undefined;
  #until = 0;
  #pending: Promise<Readonly<Record<string, string>>> | undefined;

  constructor(source: TokenSource, base: Readonly<Record<string, string>>, secrets: Secrets) {
    this.#base = base;
    this.#secrets = secrets;
    if (typeof source === "string") {
      this.#headers = this.#with(source);
      this.#until = Infinity;
      this.#source = () => source;
    } else this.#source = source;
  }

  #with(token: string): Readonly<Record<string, string>> {
    this.#secrets.add(token);
    // A new object per token: transports cache request options per headers object.
    return Object.freeze({ ...this.#base, authorization: `Bearer ${token}` });
  }

  /** The headers to send now: at once while the token is fresh, else after fetching one. */
  headers(): Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>> {
    if (this.#headers && Date.now() < this.#until) return this.#headers;
    return this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
  }

  async #fetch(): Promise<Readonly<Record<string, string>>> {
    const fetched = Date.now();
    let token: unknown;
    try {
      token = await this.#source();
    } catch (err) {
      throw new TokenFailed("the bearerToken function failed", { cause: err });
    }
    if (typeof token !== "string" || token === "" || /[\r\n]/.test(token)) {
      throw new TokenFailed("the bearerToken function returned no usable token");
    }
    const headers = this.#with(token);
    const until = reuseUntil(token, fetched);
    if (until > Date.now()) {
      this.#headers = headers;
      this.#until = until;
    }
    return headers;
  }
}
