// The public types of the proxy handlers: their options, what onError is
// told, and the shape of the application's function per proxy type.

import type { ProxyType, ProxyTypes } from "../_generated/proxy.ts";
import type { ProxyDisconnect, ProxyError } from "./errors.ts";

/** What `onError` is told besides the error. */
export interface ProxyErrorContext {
  /** The proxy type of the handler, e.g. `"connect"`. */
  proxy: ProxyType;
  /** The HTTP status the handler answered: 500, or 400, 405 or 413 for a refused request. */
  status: number;
  /** The request (its body already read). */
  request: Request;
}

/** Options of a proxy handler. */
export interface ProxyHandlerOptions {
  /**
   * Told of every request the handler could not answer as the function
   * meant: the function threw (HTTP 500), its answer was not one the type
   * can carry (a {@linkcode ProxyAnswerError}, HTTP 500), or the request was
   * refused before the function saw it (a {@linkcode ProxyRequestError}, HTTP
   * 4xx). Centrifugo logs only the status, so this is where the cause shows.
   * Default: `console.error` (`console.warn` with one line for a refused
   * request). An error it throws is ignored.
   */
  onError?: (error: unknown, context: ProxyErrorContext) => void;
  /**
   * The largest request body read, in bytes; a larger one is answered 413
   * without being read whole. Default 1 MiB: Centrifugo's default client
   * message limit is 64 KiB, and a request carries one message's data (as
   * base64 with `binary_encoding`, a third larger). Raise it with the
   * client limits.
   */
  maxBodyBytes?: number;
}

/** A Web-standard request handler: mount it in `Deno.serve`, `Bun.serve`, Hono, a Worker. */
export type ProxyHandler = (request: Request) => Promise<Response>;

/** What a proxy function of type `T` may answer: its result, or a rejection the type carries. */
export type ProxyAnswer<T extends ProxyType> =
  | ProxyTypes[T]["result"]
  | ("error" extends ProxyTypes[T]["rejections"] ? ProxyError : never)
  | ("disconnect" extends ProxyTypes[T]["rejections"] ? ProxyDisconnect : never);

/**
 * The application's function for proxy type `T`: it gets the decoded request
 * and the HTTP request it came in (headers, cookies, `signal`), and answers.
 * A `ProxyError` or `ProxyDisconnect` may also be thrown.
 */
export type ProxyFunction<T extends ProxyType> = (
  request: ProxyTypes[T]["request"],
  httpRequest: Request,
) => ProxyAnswer<T> | Promise<ProxyAnswer<T>>;
