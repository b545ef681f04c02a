// The one request path every call goes through: POST a JSON body, bound the
// whole exchange by a timeout and the caller's signal, and turn every failure
// into a typed error. Per-client values (URL prefix, headers) are computed once
// by the Client and passed in.

import { CentError, RequestError, RequestTimeoutError, type ResponseError } from "./errors.ts";
import type { FetchLike } from "./options.ts";
import { toResponseError } from "./_commands.ts";
import { Deadline, Expired } from "./_deadline.ts";

/** One HTTP answer: its status, and its body (whole for 2xx, else at least the start). */
export interface Answer {
  status: number;
  statusText: string;
  body: string;
}

/**
 * Posts `body` to `url` and resolves once the answer is read. Redirects are
 * answers, never followed: following one would resend the API key.
 */
export type Sender = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal | undefined,
) => Promise<Answer>;

/**
 * A Sender that enforces a deadline itself, without an AbortSignal: it
 * rejects with Expired once `until` (a `performance.now()` time) has passed,
 * and follows `signal` (the caller's, if any) like a Sender.
 */
export type TimedSender = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal | undefined,
  until: number,
) => Promise<Answer>;

/** What a request needs from its client; built once per client. */
export interface Endpoint {
  /**
   * API prefix without a trailing slash, e.g. `http://host:8000/api`. It has
   * no credentials or query (the Client rejects those), so messages show it.
   */
  base: string;
  headers: Readonly<Record<string, string>>;
  /** Centrifugo's legacy format: every command goes to `base` itself. */
  legacy: boolean;
  send: Sender;
  /** True when `send` honours the signal to the end of the body (not a custom fetch). */
  native: boolean;
  /** The same transport enforcing deadlines itself, when it can (node:http). */
  timed?: TimedSender;
}

/** A Sender over a fetch function. */
export function fetchSender(fetch: FetchLike): Sender {
  return async (url, headers, body, signal) => {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      signal,
      redirect: "manual",
    });
    const { status, statusText } = response;
    const text = status >= 200 && status < 300
      ? await response.text()
      : await readExcerpt(response);
    return { status, statusText, body: text };
  };
}

/** Bytes of a non-2xx body read for the error message; the rest is discarded. */
const EXCERPT_BYTES = 512;

const HINTS: Record<number, string> = {
  400: "Centrifugo could not decode the request body",
  401: "wrong or missing API key: check the client's apiKey",
  404: "unknown method, or the address is not Centrifugo's API endpoint " +
    "(it must include the API prefix, e.g. http://localhost:8000/api)",
  405: "the address does not accept POST: is it Centrifugo's API endpoint?",
};

/**
 * Errors worth another attempt: the connection failed or broke, an attempt
 * timed out (not the call), or the server said it is overloaded or a gateway
 * failed (429, 502, 503, 504). Only the retry loop reads it.
 */
export const RETRYABLE: WeakSet<Error> = new WeakSet();
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/** The URL a method is posted to. */
export function urlOf(endpoint: Endpoint, method: string): string {
  return endpoint.legacy ? endpoint.base : `${endpoint.base}/${method}`;
}

/**
 * POSTs `body` for `method` and resolves with the parsed JSON object: `{result}`
 * resolves, `{error}` rejects with a ResponseError.
 */
export async function post(
  endpoint: Endpoint,
  method: string,
  body: string,
  budget: Deadline,
  attemptTimeout?: number,
): Promise<Record<string, unknown>> {
  return parse(method, endpoint, await request(endpoint, method, body, budget, attemptTimeout));
}

/**
 * POSTs `body` for `method` and resolves with the 2xx response's text.
 * Rejects with RequestTimeoutError, RequestError (network, status, abort) —
 * never with anything else.
 */
export async function request(
  endpoint: Endpoint,
  method: string,
  body: string,
  budget: Deadline,
  attemptTimeout?: number,
): Promise<string> {
  const url = urlOf(endpoint, method);
  if (budget.aborted) throw abortError(method, `POST ${url}`, budget, " before it was sent");
  const attemptUntil = attemptTimeout === undefined ? Infinity : performance.now() + attemptTimeout;
  // Over fetch, the attempt's own deadline is a second signal.
  let attempt: Deadline | undefined;
  let attemptExpired = false;
  try {
    let answer: Answer;
    if (endpoint.timed) {
      const until = Math.min(budget.until, attemptUntil);
      answer = await endpoint.timed(url, endpoint.headers, body, budget.user, until);
    } else {
      attempt = attemptTimeout === undefined ? undefined : new Deadline(attemptTimeout, undefined);
      const call = budget.signal;
      const own = attempt?.signal;
      const signal = own && call ? AbortSignal.any([call, own]) : own ?? call;
      const sent = endpoint.send(url, endpoint.headers, body, signal);
      answer = endpoint.native || !signal ? await sent : await race(sent, signal);
    }
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw statusError(method, `POST ${url}`, answer);
  } catch (err) {
    if (err instanceof CentError) throw err;
    if (err instanceof Expired) {
      if (attemptUntil < budget.until) attemptExpired = true;
      else budget.expire();
    }
    const where = `POST ${url}`;
    if (budget.aborted) throw abortError(method, where, budget);
    if (attemptExpired || attempt?.expired) {
      const error = new RequestTimeoutError(
        `${method}: ${where} attempt timed out after ${attemptTimeout} ms`,
        { method, timeout: attemptTimeout!, cause: attempt?.reason ?? err },
      );
      RETRYABLE.add(error);
      throw error;
    }
    const why = reason(err);
    const error = new RequestError(`${method}: ${where} failed: ${why}`, { method, cause: err });
    if (!why.startsWith(TLS_PREFIX)) RETRYABLE.add(error);
    throw error;
  } finally {
    attempt?.end();
  }
}

/**
 * The error of a call its deadline stopped: RequestTimeoutError when the
 * timeout expired, else RequestError with the caller's abort reason as cause.
 */
export function abortError(
  method: string,
  where: string,
  budget: Deadline,
  when = "",
): RequestError {
  if (budget.expired) {
    return new RequestTimeoutError(`${method}: ${where} timed out after ${budget.timeout} ms`, {
      method,
      timeout: budget.timeout,
      cause: budget.reason,
    });
  }
  return new RequestError(`${method}: ${where} aborted${when}`, {
    method,
    cause: budget.user?.reason,
  });
}

function statusError(method: string, where: string, answer: Answer): RequestError {
  const body = excerpt(answer.body);
  const hint = HINTS[answer.status];
  const status = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ""}`;
  const error = new RequestError(
    `${method}: ${where} answered ${status}${hint ? ` (${hint})` : ""}` + (body ? `: ${body}` : ""),
    { method, status: answer.status, body },
  );
  if (RETRY_STATUSES.has(answer.status)) RETRYABLE.add(error);
  return error;
}

/** Reads at most EXCERPT_BYTES of the body, then cancels the rest. */
async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // The body is only decoration for the status error; a broken one is not worse news.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes.subarray(0, EXCERPT_BYTES));
}

/** The start of a body, on one line, for error messages. */
function excerpt(text: string): string {
  const flat = text.slice(0, EXCERPT_BYTES).replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** Rejects when `signal` aborts, for a custom fetch that may ignore it. */
function race<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Parses Centrifugo's envelope: `{result}` is returned, `{error}` thrown as a ResponseError. */
export function parse(method: string, endpoint: Endpoint, text: string): Record<string, unknown> {
  const malformed = (why: string, cause?: unknown) =>
    new RequestError(
      `${method}: POST ${urlOf(endpoint, method)} answered ${why}, not Centrifugo's JSON reply`,
      {
        method,
        body: excerpt(text),
        cause,
      },
    );
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch (err) {
    throw malformed("invalid JSON", err);
  }
  if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
    throw malformed("a JSON value that is not an object");
  }
  const envelope = reply as Record<string, unknown>;
  if (envelope.error !== undefined) {
    let error: ResponseError;
    try {
      error = toResponseError(method, envelope.error);
    } catch (err) {
      throw malformed("an error without a code", err);
    }
    throw error;
  }
  return envelope;
}

function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  const text = `${err.message}${inner}`;
  const code = (err as { code?: unknown }).code;
  // Runtimes word these differently (rustls, OpenSSL, BoringSSL); say it plainly.
  return TLS_REJECTED.test(`${text} ${typeof code === "string" ? code : ""}`)
    ? `${TLS_PREFIX} (${text})`
    : text;
}

const TLS_PREFIX = "TLS certificate rejected";

const TLS_REJECTED =
  /certificate|CERT_|UnknownIssuer|NotValidForName|self[- ]signed|unable to verify|altnames|SSL/i;

/** Wraps a malformed-result SyntaxError from a decoder into a RequestError. */
export function malformedResult(method: string, endpoint: Endpoint, err: unknown): RequestError {
  return new RequestError(
    `${method}: POST ${urlOf(endpoint, method)} answered an unexpected result: ${reason(err)}`,
    { method, cause: err },
  );
}
