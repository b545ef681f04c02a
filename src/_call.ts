// The one path every request takes — a call, a batch sent with send(), an
// auto-batch — once its body is encoded: within the call's deadline, send it
// (retried per the policy), then decode the answer with the wire format.
// Only what differs between them is passed in: the body, and how to decode.

import { RequestError } from "./errors.ts";
import type { Deadline } from "./_deadline.ts";
import { type Encoded, Malformed, type Outcome } from "./_format.ts";
import { type Endpoint, excerpt, reason, request, where } from "./_request.ts";
import { type RetryPolicy, withRetries } from "./_retry.ts";

/**
 * Sends `body` for `method` (`batch` for a batch) and decodes the 2xx answer
 * with `decode`; each attempt sends and decodes, so an API error the policy
 * finds worth retrying (Centrifugo's "too many requests") is retried too.
 */
export async function exchange<T>(
  endpoint: Endpoint,
  method: string,
  body: string,
  budget: Deadline,
  policy: RetryPolicy | undefined,
  decode: (text: string) => T,
): Promise<T> {
  const attempt = async (): Promise<T> => {
    const text = await request(endpoint, method, body, budget, policy?.attemptTimeout);
    try {
      return decode(text);
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      throw new RequestError(
        `${method}: ${where(endpoint, method)} answered ${err.message}, not Centrifugo's reply`,
        { method, body: excerpt(endpoint.secrets.redact(text)), cause: err.cause ?? err },
      );
    }
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
