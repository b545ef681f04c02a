// Opt-in auto-batching: calls made close together are queued and sent as one
// parallel `/batch` request (a call that finds itself alone, as its own plain
// request). Each call keeps its own promise, deadline and
// signal: it settles with its own reply (a ResponseError for its own error),
// or with the failure of the request it travelled in, or on its own timeout or
// abort, whichever comes first; it never settles twice.

import type { RequestError } from "./errors.ts";
import { toResponseError } from "./_commands.ts";
import { RETRY_SAFE, type RetryPolicy, withRetries } from "./_retry.ts";
import { abortError, type Endpoint, malformedResult, post, urlOf } from "./_transport.ts";
import { Deadline } from "./_deadline.ts";

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

/** Sends encoded commands as one batch; resolves with the raw replies. */
export type SendBatch = (
  commands: readonly { method: string; params: string }[],
  timeout: number,
) => Promise<unknown[]>;

/** Queues calls and flushes them in batches. */
export class AutoBatcher {
  #queue: Pending[] = [];
  #scheduled = false;
  readonly #maxSize: number;
  readonly #maxDelay: number;
  readonly #send: SendBatch;
  readonly #where: string;

  /**
   * @param endpoint Where batches go.
   * @param send Posts one batch (see batchSender).
   * @param maxSize Commands per batch at most; a full queue is sent at once.
   * @param maxDelay How long the first queued call waits for others, in ms.
   */
  constructor(endpoint: Endpoint, send: SendBatch, maxSize: number, maxDelay: number) {
    this.#send = send;
    this.#maxSize = maxSize;
    this.#maxDelay = maxDelay;
    this.#where = `POST ${urlOf(endpoint, "batch")}`;
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
      (replies) => {
        batch.forEach((pending, i) => {
          const reply = replies[i] as Record<string, unknown>;
          if (reply.error !== undefined) {
            this.#settle(pending, toResponseError(pending.method, reply.error), false);
          } else this.#settle(pending, reply[pending.method], true);
        });
      },
      (error: RequestError) => {
        for (const pending of batch) this.#settle(pending, error, false);
      },
    );
  }
}

/**
 * Sends queued commands as one parallel batch to `endpoint`, retried with
 * `retry` when every command is safe to repeat; checks that the replies match
 * the commands before anyone is settled with them.
 */
export function batchSender(endpoint: Endpoint, retry: RetryPolicy | undefined): SendBatch {
  const where = `POST ${urlOf(endpoint, "batch")}`;
  return async (commands, timeout) => {
    const budget = new Deadline(timeout, undefined);
    const policy = retry && commands.every((c) => RETRY_SAFE.has(c.method)) ? retry : undefined;
    // A lone call gains nothing from a batch: it goes as the plain request it
    // would have been, and its reply is shaped like a batch reply.
    const lone = commands.length === 1 ? commands[0]! : undefined;
    const method = lone ? lone.method : "batch";
    const body = lone
      ? lone.params
      : `{"commands":[${
        commands.map((c) => `{"${c.method}":${c.params}}`).join(",")
      }],"parallel":true}`;
    const attempt = () => post(endpoint, method, body, budget, policy?.attemptTimeout);
    let envelope: Record<string, unknown>;
    try {
      envelope = policy
        ? await withRetries(
          policy,
          budget,
          method,
          lone ? `POST ${urlOf(endpoint, method)}` : where,
          attempt,
        )
        : await attempt();
    } finally {
      budget.end();
    }
    const replies = lone ? [{ [method]: envelope.result }] : envelope.replies;
    const valid = Array.isArray(replies) && replies.length === commands.length &&
      replies.every((reply, i) =>
        typeof reply === "object" && reply !== null &&
        (reply.error !== undefined || reply[commands[i]!.method] !== undefined)
      );
    if (!valid) {
      throw malformedResult(
        method,
        endpoint,
        new SyntaxError(lone ? "no result and no error" : "replies do not match the commands"),
      );
    }
    return replies as unknown[];
  };
}
