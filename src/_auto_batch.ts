// Opt-in auto-batching, paced by requests in flight, not by a timer: while
// fewer than `maxInFlight` requests of the client are in flight, a call
// leaves at once (a lone call as its own plain request); once that many are,
// calls queue, and each request that completes sends the queue as one batch.
// So at low load nothing waits, and under load calls from separate events —
// the requests a web server serves — share requests.
//
// Order: calls into the same channel reach Centrifugo in the order they were
// made. A call waits while an earlier call into one of its channels is in
// flight; in a batch, channels with one command run in parallel, and the
// commands of channels with more go in a second batch that runs in order.
//
// Each call keeps its own promise, deadline and signal: it settles with its
// own reply (a ResponseError for its own error), the failure of the request
// it travelled in, or its own timeout or abort, whichever comes first; it
// never settles twice. A call that gave up while queued is never sent.

import { RequestError } from "./errors.ts";
import { type Alarm, cancel, schedule } from "./_alarms.ts";
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
  /** The channels the command is about, whose order it keeps. */
  keys: readonly string[];
  budget: Deadline;
  resolve(result: unknown): void;
  reject(error: unknown): void;
  settled: boolean;
  alarm?: Alarm;
  onAbort?: () => void;
}

/** How the batcher paces and sizes its requests. */
export interface Pacing {
  /** Commands per request at most. */
  maxSize: number;
  /** Requests in flight at most; past it, calls queue. */
  maxInFlight: number;
  /** How long a queued call waits for company before its flush, in ms (0: none). */
  maxDelay: number;
}

/** Queues calls and sends them in batches. */
export class AutoBatcher {
  #queue: Pending[] = [];
  #scheduled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = 0;
  /** Channels with a call in flight, and how many. */
  #busy = new Map<string, number>();
  #idle: (() => void)[] = [];
  /** The budgets of the requests in flight, for abandon(). */
  #budgets = new Set<Deadline>();
  #abandoned = false;
  readonly #pacing: Pacing;
  readonly #endpoint: Endpoint;
  readonly #retry: RetryPolicy | undefined;
  readonly #where: string;

  /**
   * @param endpoint Where batches go.
   * @param retry The client's retry policy, for batches of calls all safe to repeat.
   * @param pacing Sizes and pace.
   */
  constructor(endpoint: Endpoint, retry: RetryPolicy | undefined, pacing: Pacing) {
    this.#endpoint = endpoint;
    this.#retry = retry;
    this.#pacing = pacing;
    this.#where = where(endpoint, "batch");
  }

  /** Queues a call; resolves with its raw result, rejects with its error. */
  enqueue(
    method: string,
    params: string,
    keys: readonly string[],
    budget: Deadline,
  ): Promise<unknown> {
    if (budget.aborted) {
      return Promise.reject(abortError(method, this.#where, budget, " before it was sent"));
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = { method, params, keys, budget, resolve, reject, settled: false };
      // The call's own deadline while it waits: an alarm and the caller's
      // signal, no AbortController per call.
      if (Number.isFinite(budget.timeout)) {
        // It waits for a flush, which a microtask or a timer of its own brings.
        pending.alarm = schedule(budget.until, () => {
          budget.expire();
          this.#settle(pending, abortError(method, this.#where, budget), false);
        }, false);
      }
      if (budget.user) {
        pending.onAbort = () =>
          this.#settle(pending, abortError(method, this.#where, budget), false);
        budget.user.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.#queue.push(pending);
      if (!this.#scheduled) this.#schedule();
    });
  }

  /**
   * Gives up on every call queued or in flight: their requests are stopped
   * and they reject with "the client was closed".
   */
  abandon(): void {
    this.#abandoned = true;
    for (const budget of this.#budgets) budget.close();
    for (const pending of this.#queue) {
      pending.budget.close();
      this.#settle(pending, abortError(pending.method, this.#where, pending.budget), false);
    }
    this.#queue = [];
  }

  /** Resolves once nothing is queued or in flight; sends what is queued at once. */
  drain(): Promise<void> {
    this.#flush();
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Flushes the queue later: with no delay, once the code that is running now
   * and the promise reactions it queued have run (a microtask queued behind
   * them), so calls made together share a request; with a delay, after it.
   */
  #schedule(): void {
    this.#scheduled = true;
    if (this.#pacing.maxDelay === 0) queueMicrotask(() => this.#flush());
    else this.#timer = setTimeout(() => this.#flush(), this.#pacing.maxDelay);
  }

  #settle(pending: Pending, outcome: unknown, ok: boolean): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.alarm) cancel(pending.alarm);
    if (pending.onAbort) pending.budget.user?.removeEventListener("abort", pending.onAbort);
    if (ok) pending.resolve(outcome);
    else pending.reject(outcome);
  }

  /** Sends batches while requests may be added in flight and calls can go. */
  #flush(): void {
    this.#scheduled = false;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#inFlight < this.#pacing.maxInFlight) {
      const taken = this.#take();
      if (taken.length === 0) break;
      if (taken.length === 1) this.#sendAlone(taken[0]!);
      else for (const group of groups(taken)) this.#send(group.calls, group.parallel);
    }
    if (this.#queue.length === 0 && this.#inFlight === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  /**
   * The next calls to send, in order, at most maxSize: calls that gave up are
   * dropped, and a call waits (with every later call into its channels) while
   * one of its channels has a call in flight.
   */
  #take(): Pending[] {
    const taken: Pending[] = [];
    const kept: Pending[] = [];
    let blocked: Set<string> | undefined;
    for (const pending of this.#queue) {
      if (pending.settled) continue;
      if (taken.length >= this.#pacing.maxSize) {
        kept.push(pending);
        continue;
      }
      const waits = pending.keys.some((key) => this.#busy.has(key) || blocked?.has(key));
      if (waits) {
        blocked ??= new Set();
        for (const key of pending.keys) blocked.add(key);
        kept.push(pending);
      } else taken.push(pending);
    }
    this.#queue = kept;
    return taken;
  }

  /** Marks channels as having a call in flight. */
  #hold(keys: readonly string[]): void {
    for (const key of keys) this.#busy.set(key, (this.#busy.get(key) ?? 0) + 1);
  }

  #release(keys: readonly string[]): void {
    for (const key of keys) {
      const left = this.#busy.get(key)! - 1;
      if (left === 0) this.#busy.delete(key);
      else this.#busy.set(key, left);
    }
  }

  #send(calls: Pending[], parallel: boolean): void {
    this.#inFlight++;
    for (const call of calls) this.#hold(call.keys);
    // The request lives as long as the most patient of its calls.
    const now = performance.now();
    let timeout = 1;
    for (const call of calls) {
      timeout = Math.max(timeout, call.budget.timeout - (now - call.budget.started));
    }
    this.#request(calls, parallel, timeout).then(
      (outcomes) => {
        calls.forEach((pending, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) this.#settle(pending, outcome.result, true);
          else if ("error" in outcome) this.#settle(pending, outcome.error, false);
          else {
            this.#settle(pending, malformed(this.#where, pending.method, outcome.malformed), false);
          }
        });
      },
      (error: unknown) => {
        for (const pending of calls) {
          if (this.#abandoned) pending.budget.close();
          this.#settle(
            pending,
            this.#abandoned ? abortError(pending.method, this.#where, pending.budget) : error,
            false,
          );
        }
      },
    ).finally(() => {
      this.#inFlight--;
      for (const call of calls) this.#release(call.keys);
      this.#flush();
    });
  }

  /**
   * A call taken alone: the plain request it would have been without
   * auto-batching, under its own deadline and signal (no second deadline
   * made for the request), retried as the client's policy allows. The light
   * load case, so it skips the batch's bookkeeping.
   */
  async #sendAlone(pending: Pending): Promise<void> {
    this.#inFlight++;
    this.#hold(pending.keys);
    const { method, params, budget } = pending;
    const policy = this.#retry && mayRetry(method) ? this.#retry : undefined;
    this.#budgets.add(budget);
    try {
      this.#settle(pending, await sendOne(this.#endpoint, method, params, budget, policy), true);
    } catch (error) {
      if (this.#abandoned) budget.close();
      this.#settle(
        pending,
        this.#abandoned ? abortError(method, this.#where, budget) : error,
        false,
      );
    } finally {
      this.#budgets.delete(budget);
      this.#inFlight--;
      this.#release(pending.keys);
      this.#flush();
    }
  }

  /** One request for `calls` (more than one), retried when every call is safe to repeat. */
  async #request(calls: Pending[], parallel: boolean, timeout: number): Promise<Outcome[]> {
    const retry = this.#retry;
    const policy = retry && calls.every((c) => mayRetry(c.method)) ? retry : undefined;
    const budget = new Deadline(timeout, undefined);
    if (this.#abandoned) budget.close();
    this.#budgets.add(budget);
    try {
      return await sendMany(this.#endpoint, calls, parallel, budget, policy);
    } finally {
      this.#budgets.delete(budget);
      budget.end();
    }
  }
}

/**
 * Splits calls taken together into requests that keep each channel's order:
 * calls whose channels no other call shares run in parallel; the calls of
 * channels with several go in one more request, in order.
 */
function groups(calls: Pending[]): { calls: Pending[]; parallel: boolean }[] {
  if (calls.length === 1) return [{ calls, parallel: true }];
  const count = new Map<string, number>();
  for (const call of calls) {
    for (const key of call.keys) count.set(key, (count.get(key) ?? 0) + 1);
  }
  const alone: Pending[] = [];
  const ordered: Pending[] = [];
  for (const call of calls) {
    if (call.keys.some((key) => count.get(key)! > 1)) ordered.push(call);
    else alone.push(call);
  }
  const out: { calls: Pending[]; parallel: boolean }[] = [];
  if (alone.length > 0) out.push({ calls: alone, parallel: true });
  if (ordered.length > 0) out.push({ calls: ordered, parallel: false });
  return out;
}

/** The error of a call whose own reply in a batch is not what Centrifugo sends. */
function malformed(at: string, method: string, why: string): RequestError {
  return new RequestError(`${method}: ${at} answered ${why}, not Centrifugo's reply`, { method });
}
