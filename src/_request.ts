// One HTTP exchange: POST a body, bound it by the call's deadline, the
// attempt's timeout and the caller's signal, and turn every failure into a
// typed error. The retry loop and the decoding of answers are in _call.ts.

import { CentError, RequestError, RequestTimeoutError } from "./errors.ts";
import { METHODS } from "./_generated/methods.ts";
import { Deadline, Expired } from "./_deadline.ts";
import type { WireFormat } from "./_format.ts";
import { type Answer, TooLarge, type Transport } from "./_transport/types.ts";
import { postInit, readAnswer, wholeText } from "./_transport/fetch.ts";
import { TRANSIENT } from "./_transient.ts";
import { is } from "./_is.ts";
import type { Secrets } from "./_secrets.ts";
import { type BearerAuth, TokenFailed } from "./_auth.ts";
import type { Nodes } from "./_nodes.ts";
import { mayRetry } from "./_effects.ts";
import type { RequestInfo } from "./options.ts";

/** What a request needs from its client; built once per client. */
export interface Endpoint {
  /**
   * The nodes' API prefixes, without a trailing slash, e.g.
   * `http://host:8000/api`. They have no credentials or query (the Client
   * rejects those), so messages show them.
   */
  readonly nodes: Nodes;
  readonly headers: Readonly<Record<string, string>>;
  readonly format: WireFormat;
  readonly transport: Transport;
  /** What messages, body excerpts and causes must never show. */
  readonly secrets: Secrets;
  /** The bearer token, when the client sends one instead of `headers`' key. */
  readonly auth?: BearerAuth;
  /** The application's hook, called once per HTTP request. */
  readonly onRequest?: (info: RequestInfo) => void;
  /** The URL of each node and method, built once (see urlOf). */
  readonly urls: Map<string, Map<string, string>>;
}

/** Nodes whose URLs are kept; an address function naming ever new ones starts over. */
const KEPT_NODES = 64;

/**
 * The URL of `method` on `node`, the same string every time: a string built
 * per call costs fetch more to parse and send than the lookup.
 */
function urlOf(endpoint: Endpoint, node: string, method: string): string {
  const { urls } = endpoint;
  let byMethod = urls.get(node);
  if (byMethod === undefined) {
    if (urls.size >= KEPT_NODES) urls.clear();
    urls.set(node, byMethod = new Map());
  }
  let url = byMethod.get(method);
  if (url === undefined) byMethod.set(method, url = endpoint.format.url(node, method));
  return url;
}

/** What the request hook is told about the request besides its outcome. */
export interface Trace {
  readonly methods: readonly string[];
  /** The attempt of the call, counted up by retries and failovers. */
  attempt: number;
  /** The URL and status of the last HTTP request, filled in by request(). */
  url: string;
  status: number | undefined;
  started: number;
}

/** Calls the hook; what it throws is reported, never passed on. */
export function report(
  endpoint: Endpoint,
  method: string,
  trace: Trace,
  failed: number,
  error?: unknown,
): void {
  const hook = endpoint.onRequest;
  if (!hook) return;
  const info: RequestInfo = {
    method,
    methods: trace.methods,
    commands: trace.methods.length,
    failed,
    url: trace.url,
    duration: performance.now() - trace.started,
    attempt: trace.attempt,
    ...(trace.status === undefined ? {} : { status: trace.status }),
    ...(error === undefined ? {} : { error: error as Error }),
  };
  try {
    hook(info);
  } catch (err) {
    console.error("aiocent: the onRequest hook threw (the call is not affected):", err);
  }
}

/** `POST <url>` of a method on the first node, for messages. */
export function where(endpoint: Endpoint, method: string): string {
  return `POST ${endpoint.format.url(endpoint.nodes.primary, method)}`;
}

/** Whether only Centrifugo PRO serves `method`. */
export function isPro(method: string): boolean {
  return (METHODS as Readonly<Record<string, { pro: boolean }>>)[method]?.pro === true;
}

const HINTS: Record<number, string> = {
  400: "Centrifugo could not decode the request body",
  401: "wrong or missing API key: check the client's apiKey",
  404: "unknown method, or the address is not Centrifugo's API endpoint " +
    "(it must include the API prefix, e.g. http://localhost:8000/api)",
  405: "the address does not accept POST: is it Centrifugo's API endpoint?",
};

/** Statuses of an overloaded server or a failed gateway: worth another attempt. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/** What a request makes of the 2xx answer's text (see request()). */
export type Read = (text: string) => unknown;

/**
 * POSTs `body` for `method` and resolves with what `read` makes of the 2xx
 * answer's text. Rejects with a RequestTimeoutError, a RequestError
 * (network, status, abort), the ResponseError a non-2xx answer carries in
 * Centrifugo's transport error mode, or what `read` throws — never with
 * anything else. `read` runs in the request's own frame: one async frame
 * less per call than awaiting the text and reading it in another.
 */
export function request(
  endpoint: Endpoint,
  method: string,
  body: string,
  budget: Deadline,
  attemptTimeout: number | undefined,
  trace: Trace | undefined,
  read: Read,
): Promise<unknown> {
  const only = endpoint.nodes.only;
  // Not async for one node: an async function returning a promise waits extra turns for it.
  return only === undefined
    ? failOver(endpoint, method, body, budget, attemptTimeout, trace, read)
    : requestTo(
      endpoint,
      only,
      method,
      body,
      budget,
      attemptTimeout,
      trace,
      read,
      undefined,
      undefined,
    );
}

/**
 * request() to the client's only node, sent once and untraced, that also
 * ends the call: `settled(budget)` runs once the request has settled, before
 * `read(text, method, context)`. The caller then needs no async frame of its
 * own to end the call, and no closure per call: `read` and `settled` can be
 * made once, what differs per call coming in as `context`.
 */
export function requestOnly<C>(
  endpoint: Endpoint,
  node: string,
  method: string,
  body: string,
  budget: Deadline,
  read: (text: string, method: string, context: C) => unknown,
  context: C,
  settled: (budget: Deadline) => void,
): Promise<unknown> {
  return requestTo(
    endpoint,
    node,
    method,
    body,
    budget,
    undefined,
    undefined,
    read,
    context,
    settled,
  );
}

/** request() over a list of nodes: the next one when a node fails in a way another may not. */
async function failOver(
  endpoint: Endpoint,
  method: string,
  body: string,
  budget: Deadline,
  attemptTimeout: number | undefined,
  trace: Trace | undefined,
  read: Read,
): Promise<unknown> {
  const { nodes } = endpoint;
  let list: readonly string[];
  try {
    const resolved = nodes.resolve();
    list = resolved instanceof Promise ? await race(resolved, budget.signal) : resolved;
  } catch (err) {
    if (budget.aborted) throw abortError(method, "the address function", budget);
    throw new RequestError(`${method}: ${reason(err)}`, { method, cause: err });
  }
  for (let i = 0;; i++) {
    const node = list[i]!;
    let text: string;
    try {
      text = await requestTo(
        endpoint,
        node,
        method,
        body,
        budget,
        attemptTimeout,
        trace,
        asText,
        undefined,
        undefined,
      );
    } catch (err) {
      if (!failsOver(err, method)) throw err;
      nodes.failed(node);
      if (i + 1 >= list.length || budget.aborted) throw err;
      // The failed request is an HTTP request of its own for the hook.
      if (trace) {
        report(endpoint, method, trace, 0, err);
        trace.attempt++;
        trace.started = performance.now();
        trace.status = undefined;
      }
      continue;
    }
    // Read once the node is known to answer: what reading throws is not the node's failure.
    nodes.answered(node);
    return read(text);
  }
}

/** The text itself: for failOver(), which reads it once the node is known to answer, and a traced attempt. */
export function asText(text: string): string {
  return text;
}

/**
 * Whether a failed request may go to another node: the node could not be
 * reached (nothing was sent), or it or a gateway answered 502, 503 or 504 —
 * then only for a method that may be repeated.
 */
function failsOver(err: unknown, method: string): boolean {
  if (!is(err, RequestError) || is(err, RequestTimeoutError) || !TRANSIENT.has(err)) return false;
  if (err.status === undefined && refused(err.cause)) return true;
  if (!mayRetry(method)) return false;
  return err.status === undefined || err.status === 502 || err.status === 503 ||
    err.status === 504;
}

/** Whether a transport error says the connection could not be made at all. */
function refused(cause: unknown): boolean {
  const text = reason(cause);
  const code = typeof cause === "object" && cause !== null
    ? (cause as { code?: unknown }).code
    : undefined;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" ||
    /connection refused|ECONNREFUSED|ENOTFOUND|Unable to connect|failed to lookup/i.test(text);
}

/**
 * One HTTP request to `node`; `settled(budget)` runs once it has settled,
 * before `read(text, method, context)`.
 */
async function requestTo<T, C>(
  endpoint: Endpoint,
  node: string,
  method: string,
  body: string,
  budget: Deadline,
  attemptTimeout: number | undefined,
  trace: Trace | undefined,
  read: (text: string, method: string, context: C) => T,
  context: C,
  settled: ((budget: Deadline) => void) | undefined,
): Promise<T> {
  const url = urlOf(endpoint, node, method);
  if (trace) trace.url = url;
  if (budget.aborted) throw abortError(method, `POST ${url}`, budget, " before it was sent");
  const attemptUntil = attemptTimeout === undefined ? Infinity : performance.now() + attemptTimeout;
  const { transport, secrets } = endpoint;
  // Over fetch, the attempt's own deadline is a second signal.
  let attempt: Deadline | undefined;
  let attemptExpired = false;
  // From a 2xx answer read whole, or from the answer past its status check.
  let text!: string;
  try {
    let headers = endpoint.headers;
    if (endpoint.auth) {
      const fresh = endpoint.auth.headers();
      headers = fresh instanceof Promise ? await race(fresh, budget.signal) : fresh;
    }
    let answer: Answer | undefined;
    if ("timed" in transport) {
      const until = Math.min(budget.until, attemptUntil);
      answer = await transport.timed(url, headers, body, budget.user, until);
    } else {
      attempt = attemptTimeout === undefined ? undefined : new Deadline(attemptTimeout, undefined);
      // The runtime's own request keeps the process alive while in flight; a custom fetch may not.
      const native = "fetch" in transport;
      const call = budget.signalFor(!native);
      const own = attempt?.signalFor(!native);
      const signal = own && call ? AbortSignal.any([call, own]) : own ?? call;
      if (native) {
        // What fetchSender does, in this frame (see FetchTransport).
        const { maxBytes } = transport;
        const response = await transport.fetch(url, postInit(headers, body, signal));
        const whole = wholeText(response, maxBytes);
        if (whole === undefined) answer = await readAnswer(response, maxBytes);
        else {
          // A 2xx answer: its text is all there is to read (its status text is in no error).
          if (trace) trace.status = response.status;
          text = await whole;
        }
      } else {
        // A custom fetch may ignore the signal.
        answer = await race(transport.send(url, headers, body, signal), signal);
      }
    }
    if (answer !== undefined) {
      if (trace) trace.status = answer.status;
      if (answer.status < 200 || answer.status >= 300) {
        throw endpoint.format.statusError(answer.status, answer.body, method) ??
          statusError(method, `POST ${url}`, answer, secrets);
      }
      text = answer.body;
    }
  } catch (err) {
    if (is(err, CentError)) throw err;
    if (is(err, TooLarge)) {
      throw new RequestError(
        `${method}: POST ${url} answered more than ${err.limit} bytes (the client's ` +
          "maxResponseBytes); the rest was not read",
        { method },
      );
    }
    if (is(err, TokenFailed)) {
      throw new RequestError(`${method}: ${err.message}`, {
        method,
        cause: secrets.scrub(err.cause),
      });
    }
    if (is(err, Expired)) {
      if (attemptUntil < budget.until) attemptExpired = true;
      else budget.expire();
    }
    const at = `POST ${url}`;
    if (budget.aborted) throw abortError(method, at, budget);
    if (attemptExpired || attempt?.expired) {
      const error = new RequestTimeoutError(
        `${method}: ${at} attempt timed out after ${attemptTimeout} ms`,
        { method, timeout: attemptTimeout!, cause: attempt?.reason ?? err },
      );
      TRANSIENT.add(error);
      throw error;
    }
    const why = secrets.redact(reason(err));
    const error = new RequestError(`${method}: ${at} failed: ${why}`, {
      method,
      cause: secrets.scrub(err),
    });
    if (!why.startsWith(TLS_PREFIX)) TRANSIENT.add(error);
    throw error;
  } finally {
    attempt?.end();
    settled?.(budget);
  }
  return read(text, method, context);
}

/**
 * The error of a call its deadline stopped: RequestTimeoutError when the
 * timeout expired, else RequestError with the caller's abort reason as cause.
 */
export function abortError(
  method: string,
  at: string,
  budget: Deadline,
  when = "",
): RequestError {
  if (budget.closed) {
    return new RequestError(`${method}: ${at} abandoned${when}: the client was closed`, { method });
  }
  if (budget.expired) {
    const error = new RequestTimeoutError(`${method}: ${at} timed out after ${budget.timeout} ms`, {
      method,
      timeout: budget.timeout,
      cause: budget.reason,
    });
    TRANSIENT.add(error);
    return error;
  }
  return new RequestError(`${method}: ${at} aborted${when}`, {
    method,
    cause: budget.user?.reason,
  });
}

function statusError(method: string, at: string, answer: Answer, secrets: Secrets): RequestError {
  const body = excerpt(secrets.redact(answer.body));
  const hint = answer.status === 404 && isPro(method)
    ? `${method} needs Centrifugo PRO; Centrifugo OSS does not serve it`
    : HINTS[answer.status];
  const status = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ""}`;
  const retryAfter = parseRetryAfter(answer.retryAfter);
  const error = new RequestError(
    `${method}: ${at} answered ${status}${hint ? ` (${hint})` : ""}` + (body ? `: ${body}` : ""),
    { method, status: answer.status, body, ...(retryAfter === undefined ? {} : { retryAfter }) },
  );
  if (RETRY_STATUSES.has(answer.status)) TRANSIENT.add(error);
  return error;
}

/** A Retry-After header (seconds, or an HTTP date) in ms from now; undefined if absent or odd. */
function parseRetryAfter(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The start of a body, on one line, for error messages. */
export function excerpt(text: string): string {
  const flat = text.slice(0, 512).replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** Rejects when `signal` aborts, for a custom fetch that may ignore it. */
function race<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * What went wrong, in words, from any thrown value: a custom fetch may reject
 * with anything, even a value whose conversion to text throws.
 */
export function reason(err: unknown): string {
  try {
    return words(err);
  } catch {
    return `a rejection that cannot be shown as text (${typeof err})`;
  }
}

function words(err: unknown): string {
  if (!is(err, Error)) {
    if (typeof err === "object" && err !== null && Object.getPrototypeOf(err) === null) {
      return `a rejection with an object of no prototype`;
    }
    return String(err);
  }
  const inner = is(err.cause, Error) ? `: ${err.cause.message}` : "";
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
