// The one path every request takes — a call, a batch sent with send(), an
// auto-batch — once its body is encoded: within the call's deadline, send it
// (retried per the policy), then decode the answer with the wire format.
// Only what differs between them is passed in: the body, and how to decode.

import { RequestError, ResponseError } from "./errors.ts";
import type { Deadline } from "./_deadline.ts";
import { type Encoded, Malformed, type Outcome } from "./_format.ts";
import { type Endpoint, excerpt, reason, report, request, type Trace, where } from "./_request.ts";
import { type RetryPolicy, withRetries } from "./_retry.ts";

/**
 * Sends `body` for `method` (`batch` for a batch) and decodes the 2xx answer
 * with `decode`; each attempt sends and decodes, so an API error the policy
 * finds worth retrying (Centrifugo's "too many requests") is retried too.
 */
export async function exchange<T>(
  endpoint: Endpoint,
  method: string,
  methods: readonly string[],
  body: string,
  budget: Deadline,
  policy: RetryPolicy | undefined,
  decode: (text: string) => T,
): Promise<T> {
  // Only a client with a request hook pays for what the hook is told.
  const trace: Trace | undefined = endpoint.onRequest
    ? { methods, attempt: 0, url: "", status: undefined, started: 0 }
    : undefined;
  const attempt = async (): Promise<T> => {
    if (trace) {
      trace.attempt++;
      trace.started = performance.now();
      trace.status = undefined;
    }
    let text: string;
    try {
      text = await request(endpoint, method, body, budget, policy?.attemptTimeout, trace);
    } catch (err) {
      if (trace) report(endpoint, method, trace, err instanceof ResponseError ? 1 : 0, err);
      throw err;
    }
    let result: T;
    try {
      result = decode(text);
    } catch (err) {
      const error = err instanceof Malformed
        ? new RequestError(
          `${method}: ${where(endpoint, method)} answered ${err.message}, not Centrifugo's reply`,
          { method, body: excerpt(endpoint.secrets.redact(text)), cause: err.cause ?? err },
        )
        : err;
      if (trace) report(endpoint, method, trace, error instanceof ResponseError ? 1 : 0, error);
      throw error;
    }
    if (trace) report(endpoint, method, trace, failures(result));
    return result;
  };
  return policy
    ? await withRetries(policy, budget, method, where(endpoint, method), attempt)
    : await attempt();
}

/** One command: resolves with its raw result, rejects with its error. */
export function sendOne(
  endpoint: Endpoint,
  method: string,
  params: string,
  budget: Deadline,
  policy: RetryPolicy | undefined,
): Promise<unknown> {
  const { format } = endpoint;
  return exchange(
    endpoint,
    method,
    [method],
    format.single(method, params),
    budget,
    policy,
    (text) => format.result(text, method),
  );
}

/** Many commands in one request: resolves with one outcome per command, in order. */
export function sendMany(
  endpoint: Endpoint,
  commands: readonly Encoded[],
  parallel: boolean,
  budget: Deadline,
  policy: RetryPolicy | undefined,
): Promise<Outcome[]> {
  const { format } = endpoint;
  const methods = commands.map((c) => c.method);
  return exchange(
    endpoint,
    "batch",
    methods,
    format.batch(commands, parallel),
    budget,
    policy,
    (text) => format.replies(text, methods),
  );
}

/** A RequestError for a result that is not the method's (see _results.ts). */
export function malformedResult(endpoint: Endpoint, method: string, err: unknown): RequestError {
  return new RequestError(
    `${method}: ${where(endpoint, method)} answered an unexpected result: ${reason(err)}`,
    { method, cause: err },
  );
}

/** How many commands of a decoded answer failed: the failed outcomes of a batch. */
function failures(result: unknown): number {
  if (!Array.isArray(result)) return 0;
  let failed = 0;
  for (const outcome of result as Outcome[]) if (!outcome.ok) failed++;
  return failed;
}
