// Opt-in retries: exponential backoff with jitter, bounded by the call's
// deadline. Which errors are worth another attempt is isRetryable's call
// (errors.ts); which methods may be sent twice, the method table's (their
// effect), read here.

import { type CentError, isRetryable } from "./errors.ts";
import type { RetryOptions } from "./options.ts";
import type { Deadline } from "./_deadline.ts";
import { abortError } from "./_request.ts";
import { describe, MAX_TIMER_MS } from "./_validate.ts";

/** A checked retry policy. */
export interface RetryPolicy {
  attempts: number;
  minDelay: number;
  maxDelay: number;
  attemptTimeout: number | undefined;
}

export { effectOf, mayRetry, withKey } from "./_effects.ts";

const MAX_ATTEMPTS = 100;

/** Checks a `retry` option; `false` and `undefined` mean no retries. */
export function retryPolicy(what: string, value: unknown): RetryPolicy | undefined {
  if (value === undefined || value === false) return undefined;
  const fail = (detail: string): never => {
    throw new TypeError(`${what}: retry ${detail}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(
      `must be false or { attempts, minDelay?, maxDelay?, attemptTimeout? }, got ${
        describe(value)
      }`,
    );
  }
  const { attempts, minDelay = 100, maxDelay = 5000, attemptTimeout, ...rest } =
    value as RetryOptions;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) fail(`has unknown option ${unknown[0]}`);
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > MAX_ATTEMPTS) {
    fail(`attempts must be an integer from 1 to ${MAX_ATTEMPTS}, got ${describe(attempts)}`);
  }
  if (typeof minDelay !== "number" || !(minDelay >= 0) || !Number.isFinite(minDelay)) {
    fail(`minDelay must be a non-negative number of ms, got ${describe(minDelay)}`);
  }
  if (typeof maxDelay !== "number" || !(maxDelay >= minDelay) || !(maxDelay <= MAX_TIMER_MS)) {
    fail(
      `maxDelay must be a number of ms from minDelay to ${MAX_TIMER_MS}, got ${describe(maxDelay)}`,
    );
  }
  if (
    attemptTimeout !== undefined &&
    (typeof attemptTimeout !== "number" || !(attemptTimeout > 0 && attemptTimeout <= MAX_TIMER_MS))
  ) {
    fail(
      `attemptTimeout must be a positive number of ms up to ${MAX_TIMER_MS}, got ${
        describe(attemptTimeout)
      }`,
    );
  }
  return attempts === 1 ? undefined : { attempts, minDelay, maxDelay, attemptTimeout };
}

/**
 * Runs `attempt` until it succeeds, fails with an error not worth retrying,
 * runs out of attempts, or the next backoff would overrun the deadline. The
 * error thrown records how many attempts were made.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  budget: Deadline,
  method: string,
  where: string,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let n = 1;; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= policy.attempts || !isRetryable(err)) {
        throw counted(err, n);
      }
      // The server's own Retry-After wins over the backoff.
      const asked = (err as { retryAfter?: unknown }).retryAfter;
      const delay = typeof asked === "number" ? asked : backoff(policy, n);
      const left = budget.timeout - (performance.now() - budget.started);
      if (delay >= left) throw counted(err, n);
      if (!await sleep(delay, budget.signal)) throw counted(abortError(method, where, budget), n);
    }
  }
}

/**
 * The wait after failed attempt `n` (from 1): random between minDelay and a
 * cap that doubles per retry (2×, 4×, … minDelay, at most maxDelay). The
 * floor makes minDelay mean what it says; the spread keeps many clients that
 * failed together from retrying together.
 */
export function backoff(policy: RetryPolicy, n: number): number {
  const cap = Math.min(policy.maxDelay, policy.minDelay * 2 ** n);
  return policy.minDelay + Math.random() * (cap - policy.minDelay);
}

/** Sets the attempt count on a CentError. */
function counted(err: unknown, attempts: number): unknown {
  if (err instanceof Error && "attempts" in err) {
    (err as { attempts: number } & CentError).attempts = attempts;
  }
  return err;
}

/** Waits `ms`; resolves false instead if `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
