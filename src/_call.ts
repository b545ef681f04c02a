// The path requests take — a call, a batch sent with send(), an auto-batch —
// once their body is encoded: within the call's deadline, send it (retried
// per the policy), then decode the answer with the wire format. Only what
// differs between them is passed in: the body, and how to decode. The common
// call (one node, no retry, no hook) goes to requestOnly() from the client
// instead, and decodes its answer with decodeAnswer() from here.

import { RequestError, ResponseError } from "./errors.ts";
import type { Deadline } from "./_deadline.ts";
import { type Encoded, Malformed, type Outcome } from "./_format.ts";
import {
  asText,
  type Endpoint,
  excerpt,
  reason,
  report,
  request,
  type Trace,
  where,
} from "./_request.ts";
import { type RetryPolicy, withRetries } from "./_retry.ts";

/** What an exchange sends and how its answer is read: one call's result, or a batch's outcomes. */
interface Exchange {
  readonly endpoint: Endpoint;
  /** The URL's method: the API method, or `batch`. */
  readonly method: string;
  /** The methods of the commands carried (a batch's; for one call, undefined). */
  readonly batch: readonly string[] | undefined;
  readonly body: string;
  readonly budget: Deadline;
  readonly attemptTimeout: number | undefined;
  /** Only a client with a request hook pays for what the hook is told. */
  readonly trace: Trace | undefined;
}

/**
 * Sends the exchange once and decodes its 2xx answer: the result of one
 * call (its API error thrown), or the outcome of each command of a batch.
 * Decoded in the request's own frame (see request()), unless a hook is told.
 */
function attempt(x: Exchange): Promise<unknown> {
  if (x.trace) return traced(x, x.trace);
  return request(
    x.endpoint,
    x.method,
    x.body,
    x.budget,
    x.attemptTimeout,
    undefined,
    (text) => decode(x, text),
  );
}

/** attempt() for a client with a request hook: the hook is told of each outcome. */
async function traced(x: Exchange, trace: Trace): Promise<unknown> {
  const { endpoint, method } = x;
  trace.attempt++;
  trace.started = performance.now();
  trace.status = undefined;
  let text: string;
  try {
    text = await request(
      endpoint,
      method,
      x.body,
      x.budget,
      x.attemptTimeout,
      trace,
      asText,
    ) as string;
  } catch (err) {
    report(endpoint, method, trace, err instanceof ResponseError ? 1 : 0, err);
    throw err;
  }
  let result: unknown;
  try {
    result = decode(x, text);
  } catch (err) {
    report(endpoint, method, trace, err instanceof ResponseError ? 1 : 0, err);
    throw err;
  }
  report(endpoint, method, trace, x.batch ? failures(result as Outcome[]) : 0);
  return result;
}

/** The exchange's 2xx answer decoded; an answer that is not Centrifugo's reply is a RequestError. */
function decode(x: Exchange, text: string): unknown {
  return decodeAnswer(x.endpoint, x.method, x.batch, text);
}

/** A 2xx answer's text decoded: one call's result, or a batch's outcomes. */
export function decodeAnswer(
  endpoint: Endpoint,
  method: string,
  batch: readonly string[] | undefined,
  text: string,
): unknown {
  try {
    return batch ? endpoint.format.replies(text, batch) : endpoint.format.result(text, method);
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    throw new RequestError(
      `${method}: ${where(endpoint, method)} answered ${err.message}, not Centrifugo's reply`,
      { method, body: excerpt(endpoint.secrets.redact(text)), cause: err.cause ?? err },
    );
  }
}

/**
 * Sends an exchange, retried per the policy: each attempt sends and decodes,
 * so an API error the policy finds worth retrying (Centrifugo's "too many
 * requests") is retried too.
 */
function exchange(x: Exchange, policy: RetryPolicy | undefined): Promise<unknown> {
  if (!policy) return attempt(x);
  return withRetries(policy, x.budget, x.method, where(x.endpoint, x.method), () => attempt(x));
}

function traceOf(methods: readonly string[]): Trace {
  return { methods, attempt: 0, url: "", status: undefined, started: 0 };
}

/** One command: resolves with its raw result, rejects with its error. */
export function sendOne(
  endpoint: Endpoint,
  method: string,
  params: string,
  budget: Deadline,
  policy: RetryPolicy | undefined,
): Promise<unknown> {
  return exchange({
    endpoint,
    method,
    batch: undefined,
    body: endpoint.format.single(method, params),
    budget,
    attemptTimeout: policy?.attemptTimeout,
    trace: endpoint.onRequest ? traceOf([method]) : undefined,
  }, policy);
}

/** Many commands in one request: resolves with one outcome per command, in order. */
export function sendMany(
  endpoint: Endpoint,
  commands: readonly Encoded[],
  parallel: boolean,
  budget: Deadline,
  policy: RetryPolicy | undefined,
): Promise<Outcome[]> {
  const methods = commands.map((c) => c.method);
  return exchange({
    endpoint,
    method: "batch",
    batch: methods,
    body: endpoint.format.batch(commands, parallel),
    budget,
    attemptTimeout: policy?.attemptTimeout,
    trace: endpoint.onRequest ? traceOf(methods) : undefined,
  }, policy) as Promise<Outcome[]>;
}

/** A RequestError for a result that is not the method's (see _results.ts). */
export function malformedResult(endpoint: Endpoint, method: string, err: unknown): RequestError {
  return new RequestError(
    `${method}: ${where(endpoint, method)} answered an unexpected result: ${reason(err)}`,
    { method, cause: err },
  );
}

/** How many commands of a batch failed. */
function failures(outcomes: readonly Outcome[]): number {
  let failed = 0;
  for (const outcome of outcomes) if (!outcome.ok) failed++;
  return failed;
}
