// Opt-in auto-batching: calls made close together are queued and sent as one
// parallel `/batch` request (a call that finds itself alone, as its own plain
// request). Each call keeps its own promise, deadline and
// signal: it settles with its own reply (a ResponseError for its own error),
// or with the failure of the request it travelled in, or on its own timeout or
// abort, whichever comes first; it never settles twice.

import { RequestError } from "./errors.ts";
import { sendMany, sendOne } from "./_call.ts";
import { Deadline } from "./_deadline.ts";
import type { Outcome } from "./_format.ts";
import { abortError, type Endpoint, where } from "./_request.ts";
import { mayRetry, type RetryPolicy } from "./_retry.ts";

/** One queued call. */
interface Pending {
  method: string;
  /** The encoded params of the command. */
  params: string;
  budget: Deadline;
  resolve(result: unknown): void;
  reject(error: unknown): void;
  settled: boolean;
  onAbort?: () => void;
}

/** Queues calls and flushes them in batches. */
export class AutoBatcher {
  #queue: Pending[] = [];
  #scheduled = false;
  readonly #maxSize: number;
  readonly #maxDelay: number;
  readonly #endpoint: Endpoint;
  readonly #retry: RetryPolicy | undefined;
  readonly #where: string;

  /**
   * @param endpoint Where batches go.
   * @param retry The client's retry policy, for batches of calls all safe to repeat.
   * @param maxSize Commands per batch at most; a full queue is sent at once.
   * @param maxDelay How long the first queued call waits for others, in ms.
   */
  constructor(
    endpoint: Endpoint,
    retry: RetryPolicy | undefined,
    maxSize: number,
    maxDelay: number,
  ) {
    this.#endpoint = endpoint;
    this.#retry = retry;
    this.#maxSize = maxSize;
    this.#maxDelay = maxDelay;
    this.#where = where(endpoint, "batch");
  }

  /** Queues a call; resolves with its raw result, rejects with its error. */
  enqueue(method: string, params: string, budget: Deadline): Promise<unknown> {
    if (budget.aborted) {
      return Promise.reject(abortError(method, this.#where, budget, " before it was sent"));
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = { method, params, budget, resolve, reject, settled: false };
      if (budget.signal) {
        pending.onAbort = () =>
          this.#settle(pending, abortError(method, this.#where, budget), false);
        budget.signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.#queue.push(pending);
      if (this.#queue.length >= this.#maxSize) this.#flush();
      else if (!this.#scheduled) this.#schedule();
    });
  }

  /**
   * Flushes the queue later: with no delay, once the code that is running now
   * and the promise reactions it queued have run (a microtask queued behind
   * them), so calls made together share a request and a lone call waits for
   * no timer; with a delay, after it.
   */
  #schedule(): void {
    this.#scheduled = true;
    if (this.#maxDelay === 0) queueMicrotask(() => this.#flush());
    else setTimeout(() => this.#flush(), this.#maxDelay);
  }

  #settle(pending: Pending, outcome: unknown, ok: boolean): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.onAbort) pending.budget.signal?.removeEventListener("abort", pending.onAbort);
    if (ok) pending.resolve(outcome);
    else pending.reject(outcome);
  }

  #flush(): void {
    this.#scheduled = false;
    // Calls that gave up while queued are dropped: they were never sent.
    const batch = this.#queue.splice(0, this.#maxSize).filter((p) => !p.settled);
    if (this.#queue.length > 0 && !this.#scheduled) this.#schedule();
    if (batch.length === 0) return;
    // The request lives as long as the most patient of its calls.
    const now = performance.now();
    const timeout = Math.max(
      ...batch.map((p) => p.budget.timeout - (now - p.budget.started)),
    );
    this.#send(batch, timeout > 0 ? timeout : 1).then(
      (outcomes) => {
        batch.forEach((pending, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) this.#settle(pending, outcome.result, true);
          else if ("error" in outcome) this.#settle(pending, outcome.error, false);
          else {this.#settle(
              pending,
              malformed(this.#where, pending.method, outcome.malformed),
              false,
            );}
        });
      },
      (error: RequestError) => {
        for (const pending of batch) this.#settle(pending, error, false);
      },
    );
  }

  /**
   * Sends queued calls in one request, retried when every call is safe to
   * repeat, and resolves with one outcome per call. A lone call gains nothing
   * from a batch: it goes as the plain request it would have been.
   */
  async #send(calls: readonly Pending[], timeout: number): Promise<Outcome[]> {
    const budget = new Deadline(timeout, undefined);
    const retry = this.#retry;
    const policy = retry && calls.every((c) => mayRetry(c.method)) ? retry : undefined;
    try {
      if (calls.length === 1) {
        const { method, params } = calls[0]!;
        return [{
          ok: true,
          result: await sendOne(this.#endpoint, method, params, budget, policy),
        }];
      }
      return await sendMany(this.#endpoint, calls, true, budget, policy);
    } finally {
      budget.end();
    }
  }
}

/** The error of a call whose own reply in a batch is not what Centrifugo sends. */
function malformed(at: string, method: string, why: string): RequestError {
  return new RequestError(`${method}: ${at} answered ${why}, not Centrifugo's reply`, { method });
}
