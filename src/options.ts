/**
 * Options of the {@linkcode Client} and of each call.
 *
 * @module
 */

/**
 * A `fetch`-compatible function: the global `fetch`, or a wrapper around it
 * (for logging, tracing or tests).
 *
 * @example Log every request
 * ```ts
 * import type { FetchLike } from "@aiocent/aiocent";
 *
 * const loggingFetch: FetchLike = (input, init) => {
 *   console.log("POST", String(input));
 *   return fetch(input, init);
 * };
 * ```
 */
export type FetchLike = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/**
 * Options of a {@linkcode Client}.
 *
 * @example A client with a key, a longer timeout and a tracing header
 * ```ts
 * import { Client, type ClientOptions } from "@aiocent/aiocent";
 *
 * const options: ClientOptions = {
 *   apiKey: "secret",
 *   timeout: 5000,
 *   headers: { "X-Request-Source": "billing" },
 * };
 * const client = new Client("http://localhost:8000/api", options);
 * ```
 */
export interface ClientOptions {
  /** Centrifugo's `http_api.key`, sent as the `X-API-Key` header. */
  apiKey?: string;
  /**
   * Time allowed for each call, in milliseconds, covering connect, send and
   * the whole response body (default 1000; at most 2147483647, a timer's
   * range). `Infinity` disables it.
   */
  timeout?: number;
  /** The `fetch` to send requests with (default: the global `fetch`). */
  fetch?: FetchLike;
  /**
   * Serializes request bodies; use it for values JSON cannot encode natively,
   * such as `BigInt`. Must return a JSON string. The default is
   * `JSON.stringify` made strict: values JSON would silently change (NaN,
   * Infinity, functions, symbols, undefined in arrays, Map, Set) are refused
   * with a `TypeError` instead of being sent as something else.
   */
  jsonEncoder?: (value: unknown) => string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * Verify the server's TLS certificate (default `true`). `false` skips the
   * check for this client only (for staging servers with self-signed
   * certificates); no process-wide setting is touched.
   */
  verify?: boolean;
  /**
   * Extra CA certificates (PEM) to trust for this client, with verification
   * on: for servers whose certificate an internal CA issued.
   */
  caCerts?: readonly string[];
  /** Client certificate (PEM) for mutual TLS; goes with `key`. */
  cert?: string;
  /** Private key (PEM) of the client certificate `cert`. */
  key?: string;
  /**
   * The API format: `"v6"` (default; `POST {address}/{method}`, batches to
   * `{address}/batch`) or `"legacy"`: every command as `{"method", "params"}`
   * to `{address}` itself, batches newline-delimited, the key sent as
   * `Authorization: apikey <key>`. Use `"legacy"` for Centrifugo v3 and v4,
   * which speak nothing else (v5 and v6 still serve it). `parallel` batches
   * are not available in the legacy format.
   */
  format?: "v6" | "legacy";
  /**
   * Retry calls that failed on the way (the connection failed or broke, an
   * `attemptTimeout` expired, or HTTP 429, 502, 503, 504), with exponential
   * backoff and jitter, all within the call's `timeout` (default: off).
   * Only methods that are safe to repeat are retried: everything but `rpc`
   * and methods unknown to this library. `publish` and `broadcast` are
   * retried with an `idempotency_key`; when the caller gave none, the client
   * adds a random one, so Centrifugo stores a retried publication once.
   * Errors say how many attempts were made (`attempts`).
   */
  retry?: RetryOptions | false;
  /**
   * Coalesce calls made close together into one parallel `/batch` request
   * (default: off). Each call still resolves or rejects with its own reply,
   * its own `timeout` and `signal` still hold, and a failure of the request
   * rejects exactly the calls it carried. `true` uses the defaults. `call()`
   * and calls with their own `retry` are sent on their own. Not available
   * with the legacy format.
   */
  autoBatch?: AutoBatchOptions | boolean;
  /**
   * The most bytes of an answer's body the client reads (default 64 MiB):
   * past it the exchange is dropped with a `RequestError`, so a server
   * streaming without end cannot fill the memory. Error pages are only
   * read as far as their message shows them.
   */
  maxResponseBytes?: number;
  /**
   * A token sent as `Authorization: Bearer` instead of `X-API-Key`, for
   * Centrifugo PRO's JWKS-protected server API (`http_api.jwks`): a string,
   * or a function returning one (a promise of one). A function's JWT is
   * reused for half its lifetime (from `iat` to `exp`); any other token is
   * asked for on every request, so cache it yourself. Never shown in errors,
   * logs or `inspect`. Not together with `apiKey`.
   */
  bearerToken?: string | (() => string | Promise<string>);
}

/**
 * Opt-in retries (see {@linkcode ClientOptions.retry}): exponential backoff
 * with jitter, within the call's `timeout` and `signal`.
 *
 * @example Up to 4 attempts, 50 ms to 1 s apart, each attempt at most 2 s
 * ```ts
 * import type { RetryOptions } from "@aiocent/aiocent";
 *
 * const retry: RetryOptions = { attempts: 4, minDelay: 50, maxDelay: 1000, attemptTimeout: 2000 };
 * ```
 */
export interface RetryOptions {
  /** Attempts in total, the first included (1 to 100; 1 means no retries). */
  attempts: number;
  /**
   * Least wait before any retry, in ms (default 100). Each wait is random
   * between this and a cap that starts at twice this and doubles per retry.
   */
  minDelay?: number;
  /** Most wait before any retry, in ms (default 5000); equal to minDelay, a fixed wait. */
  maxDelay?: number;
  /**
   * Time allowed for each attempt, in ms. An attempt that takes longer is
   * abandoned and retried; without it an attempt may use the call's whole
   * `timeout`.
   */
  attemptTimeout?: number;
}

/**
 * Controls of one call, accepted by every method next to its wire fields.
 *
 * @example Cancel a call and give it its own timeout
 * ```ts
 * import { Client } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api");
 * const controller = new AbortController();
 * const pending = client.info({ signal: controller.signal, timeout: 3000 });
 * controller.abort();
 * await pending.catch((err) => console.log(err.name)); // "RequestError"
 * ```
 */
export interface CallOptions {
  /** Aborts the call; it then rejects with a `RequestError` whose `cause` is the signal's reason. */
  signal?: AbortSignal;
  /**
   * Time allowed for this call in milliseconds, instead of the client's
   * `timeout`. With retries it bounds all attempts together.
   */
  timeout?: number;
  /** Retries for this call, instead of the client's `retry` (`false`: none). */
  retry?: RetryOptions | false;
}

/**
 * Options of auto-batching (see {@linkcode ClientOptions.autoBatch}).
 *
 * @example Batches of up to 500 calls, waiting at most 2 ms for company
 * ```ts
 * import type { AutoBatchOptions } from "@aiocent/aiocent";
 *
 * const autoBatch: AutoBatchOptions = { maxSize: 500, maxDelayMs: 2 };
 * ```
 */
export interface AutoBatchOptions {
  /** Calls per batch at most (1 to 10000, default 256); a full batch is sent at once. */
  maxSize?: number;
  /**
   * How long the first queued call waits for others, in ms (default 0: no
   * timer; the calls made by the running task and the promise reactions it
   * set off share a request, and a lone call leaves at once, as its plain
   * request).
   */
  maxDelayMs?: number;
}

/**
 * Options of {@linkcode Client.send}: how the batch is executed, and the call controls.
 *
 * @example Run the commands of a batch concurrently on the server
 * ```ts
 * import type { SendOptions } from "@aiocent/aiocent";
 *
 * const options: SendOptions = { parallel: true, timeout: 10_000 };
 * ```
 */
export interface SendOptions extends CallOptions {
  /** Let Centrifugo execute the commands concurrently (replies keep their order). */
  parallel?: boolean;
}
