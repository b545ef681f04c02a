/**
 * The errors a {@linkcode Client} call can reject with, Centrifugo's API
 * error codes ({@linkcode ERROR_CODE}) and {@linkcode isRetryable}.
 *
 * Every rejection is a {@linkcode CentError}: either a {@linkcode RequestError}
 * (the HTTP exchange failed, including timeouts and aborts) or a
 * {@linkcode ResponseError} (Centrifugo answered with an API error). Invalid
 * arguments are the one exception: they reject with a plain `TypeError` before
 * anything is sent.
 *
 * @module
 */

import { TRANSIENT } from "./_transient.ts";

/**
 * Base class of every error this library rejects a call with.
 *
 * @example Catch anything the client may throw
 * ```ts
 * import { CentError, Client } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
 * try {
 *   await client.publish("chat", { text: "hi" });
 * } catch (err) {
 *   if (err instanceof CentError) console.error("Centrifugo call failed:", err.message);
 *   else throw err;
 * }
 * ```
 */
export class CentError extends Error {
  /**
   * How many attempts the call made before it failed: more than 1 only when
   * the call was retried (see the `retry` option).
   */
  attempts = 1;

  /**
   * Creates the error.
   *
   * @param message What went wrong.
   * @param options `cause`: the underlying failure, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CentError";
  }
}

/** Details attached to a {@linkcode RequestError}. */
export interface RequestErrorOptions extends ErrorOptions {
  /** The API method the request was for, e.g. `"publish"` or `"batch"`. */
  method: string;
  /** The HTTP status, when the server answered with one other than 2xx. */
  status?: number;
  /** The start of the response body, when it explains the failure. */
  body?: string;
}

/**
 * The HTTP request to Centrifugo failed: the connection could not be made or
 * broke, the server answered with a non-2xx status, the body was not the JSON
 * Centrifugo sends, the call timed out ({@linkcode RequestTimeoutError}) or the
 * caller's `signal` aborted it (then `cause` is the signal's reason).
 *
 * @example Tell a wrong API key from an unreachable server
 * ```ts
 * import { Client, RequestError } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
 * try {
 *   await client.info();
 * } catch (err) {
 *   if (err instanceof RequestError && err.status === 401) console.error("check the API key");
 *   else if (err instanceof RequestError) console.error("request failed:", err.message, err.cause);
 *   else throw err;
 * }
 * ```
 */
export class RequestError extends CentError {
  /** The API method the request was for, e.g. `"publish"` or `"batch"`. */
  readonly method: string;
  /** The HTTP status, when the server answered with one other than 2xx. */
  readonly status: number | undefined;
  /** The start of the response body, when it explains the failure. */
  readonly body: string | undefined;

  /**
   * Creates the error.
   *
   * @param message What went wrong, naming the method and URL.
   * @param options The method, and the status, body excerpt and cause if known.
   */
  constructor(message: string, options: RequestErrorOptions) {
    super(message, options);
    this.name = "RequestError";
    this.method = options.method;
    this.status = options.status;
    this.body = options.body;
  }
}

/**
 * The call did not complete within its `timeout` (the client's, or the one
 * given to the call). The timeout covers connecting, sending and reading the
 * whole response body.
 *
 * @example Handle a slow server
 * ```ts
 * import { Client, RequestTimeoutError } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret", timeout: 500 });
 * try {
 *   await client.history("chat", { limit: -1, timeout: 2000 });
 * } catch (err) {
 *   if (err instanceof RequestTimeoutError) console.error(`gave up after ${err.timeout} ms`);
 *   else throw err;
 * }
 * ```
 */
export class RequestTimeoutError extends RequestError {
  /** The timeout that expired, in milliseconds. */
  readonly timeout: number;

  /**
   * Creates the error.
   *
   * @param message What timed out.
   * @param options The method, the timeout in ms and the abort reason.
   */
  constructor(message: string, options: RequestErrorOptions & { timeout: number }) {
    super(message, options);
    this.name = "RequestTimeoutError";
    this.timeout = options.timeout;
  }
}

/**
 * Centrifugo's API error codes, by name: what {@linkcode ResponseError.code}
 * holds. Centrifugo adds codes over time, so an unknown code is still a
 * `ResponseError`: match the codes you handle and treat the rest alike.
 *
 * @example React to an unknown namespace
 * ```ts
 * import { Client, ERROR_CODE, ResponseError } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
 * try {
 *   await client.publish("nosuchnamespace:room", { text: "hi" });
 * } catch (err) {
 *   if (err instanceof ResponseError && err.code === ERROR_CODE.UnknownChannel) {
 *     console.error("no such namespace");
 *   } else throw err;
 * }
 * ```
 */
export const ERROR_CODE = {
  /** 100: Centrifugo failed internally (e.g. its broker is unavailable). */
  Internal: 100,
  /** 102: the channel's namespace is not configured. */
  UnknownChannel: 102,
  /** 104: no such method (an RPC Centrifugo does not have, a PRO method in a batch on OSS). */
  NotFound: 104,
  /** 107: the request is malformed, or the method does not fit the channel's namespace. */
  BadRequest: 107,
  /** 108: the feature is off for the channel (history, presence, shared-poll publish). */
  NotAvailable: 108,
  /** 111: too many requests (Centrifugo 6.10 and newer); retryable. */
  TooManyRequests: 111,
  /** 112: the stream no longer has the position asked for (or its epoch is wrong). */
  UnrecoverablePosition: 112,
  /** 113: a conflict with the current state. */
  Conflict: 113,
} as const;

/**
 * Centrifugo processed the request and answered with an API error, e.g. code
 * 102 (unknown channel), 107 (bad request), 108 (not available) or 112
 * (unrecoverable position); see {@linkcode ERROR_CODE} and
 * https://centrifugal.dev/docs/server/codes.
 *
 * `message` reads `"<method>: <Centrifugo's message> (code <code>)"`;
 * Centrifugo's own text is in `reason`. The same error comes whether
 * Centrifugo sends API errors in the reply body (the default) or as HTTP
 * statuses (`http_api.error_mode: transport`).
 *
 * @example React to an unknown namespace
 * ```ts
 * import { Client, ResponseError } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
 * try {
 *   await client.publish("nosuchnamespace:room", { text: "hi" });
 * } catch (err) {
 *   if (err instanceof ResponseError && err.code === 102) console.error("unknown namespace");
 *   else throw err;
 * }
 * ```
 */
export class ResponseError extends CentError {
  /** Centrifugo's error code, e.g. `102`: see {@linkcode ERROR_CODE}. */
  readonly code: number;
  /** Centrifugo's error message, verbatim, e.g. `"unknown channel"`. */
  readonly reason: string;
  /** The API method that failed, e.g. `"publish"`. */
  readonly method: string;
  /**
   * Centrifugo says the condition is temporary, so the same request may
   * succeed later (Centrifugo 6.10 and newer send it; absent means `false`).
   */
  readonly temporary: boolean;

  /**
   * Creates the error.
   *
   * @param method The API method that failed.
   * @param code Centrifugo's error code.
   * @param reason Centrifugo's error message.
   * @param options `temporary`: Centrifugo's flag (default `false`); `hint`:
   *   appended to the message.
   */
  constructor(
    method: string,
    code: number,
    reason: string,
    options: { temporary?: boolean; hint?: string } = {},
  ) {
    super(`${method}: ${reason} (code ${code}${options.hint ? `; ${options.hint}` : ""})`);
    this.name = "ResponseError";
    this.method = method;
    this.code = code;
    this.reason = reason;
    this.temporary = options.temporary === true;
  }
}

/**
 * Whether a new attempt of the same call may succeed, given time: the error
 * came from a passing condition, not from the request. True for a failed or
 * broken connection (not a rejected TLS certificate), a timeout, HTTP 429,
 * 502, 503 and 504, and Centrifugo's code 111 or any error it marks
 * `temporary`. False for everything else: other statuses, other API errors,
 * an abort by the caller, a closed client, a malformed answer, a `TypeError`.
 *
 * A retryable error does not mean nothing happened: a publish that timed out
 * may have been published. Retry what is safe to repeat, and publications
 * with an `idempotency_key`, as the client's own `retry` option does (it
 * uses this function).
 *
 * @example Retry a publication by hand
 * ```ts
 * import { Client, isRetryable } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
 * const key = crypto.randomUUID(); // the same on every attempt
 * for (let attempt = 1;; attempt++) {
 *   try {
 *     await client.publish("chat", { text: "hi" }, { idempotency_key: key });
 *     break;
 *   } catch (err) {
 *     if (attempt >= 3 || !isRetryable(err)) throw err;
 *     await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
 *   }
 * }
 * ```
 *
 * @param error What a call rejected with.
 * @returns `true` when the failure may pass.
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  try {
    if (error instanceof ResponseError) {
      return error.temporary || error.code === ERROR_CODE.TooManyRequests;
    }
    return error instanceof RequestError && TRANSIENT.has(error);
  } catch {
    // A value whose prototype cannot be read (a hostile Proxy) is no error of ours.
    return false;
  }
}
