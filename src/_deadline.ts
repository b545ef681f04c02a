// The time budget of one call, shared by all its attempts: the call's timeout
// and the caller's signal. Its AbortSignal is made only when something asks
// for it: a Sender over fetch needs one, the node:http Sender enforces the
// time itself and skips an AbortController and its listeners per call. Where
// the transport says sharing pays, a client's call takes the signal it
// shares with its other calls due in the same millisecond (_signal_pool.ts);
// otherwise, and for an attempt's or an auto-batch's deadline, it makes its own.

import { type Alarm, cancel, hold, schedule } from "./_alarms.ts";
import type { Share, SignalPool } from "./_signal_pool.ts";

/** Rejection of a TimedSender whose deadline passed before its answer was read. */
export class Expired extends Error {
  constructor() {
    super("the deadline passed before the answer was read");
    this.name = "Expired";
  }
}

/** The time budget of one call. */
export class Deadline {
  /** The call's timeout in ms (`Infinity` for none). */
  readonly timeout: number;
  /** The caller's signal. */
  readonly user: AbortSignal | undefined;
  /** `performance.now()` when the call started. */
  readonly started: number = performance.now();
  #signal: AbortSignal | undefined;
  #made = false;
  #alarm: Alarm | undefined;
  #expired = false;
  #reason: unknown;
  #closed = false;
  #controller: AbortController | undefined;
  readonly #pool: SignalPool | undefined;
  #share: Share | undefined;
  /** Links of the client's list of calls in flight (see Live). */
  prev: Deadline | undefined;
  next: Deadline | undefined;

  /** `pool`: the client's shared timeout signals; without it the deadline makes its own. */
  constructor(timeout: number, user: AbortSignal | undefined, pool?: SignalPool) {
    this.timeout = timeout;
    this.user = user;
    this.#pool = pool;
  }

  /** `performance.now()` at which the timeout expires. */
  get until(): number {
    return this.started + this.timeout;
  }

  /** True once the timeout has expired: its timer fired, or a TimedSender saw it pass. */
  get expired(): boolean {
    return this.#expired || this.#share?.expired === true;
  }

  /** Why the timeout stopped the call, for the error's cause. */
  get reason(): unknown {
    return this.#reason ?? this.#share?.reason;
  }

  /** True once the call must stop: the timeout expired, the caller aborted, or the client closed. */
  get aborted(): boolean {
    return this.expired || this.#closed || this.user?.aborted === true;
  }

  /** True once the client's close() gave up waiting for the call. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops the call because its client closed: its signal (if made) aborts. */
  close(): void {
    if (this.#closed || this.expired) return;
    this.#closed = true;
    const reason = new DOMException("The client was closed.", "AbortError");
    this.#controller?.abort(reason);
    this.#share?.close(reason);
  }

  /** Records that the timeout has expired (seen by a Sender's own timer). */
  expire(): void {
    if (this.#expired) return;
    this.#expired = true;
    this.#reason = new DOMException("The call timed out.", "TimeoutError");
  }

  /**
   * Fires on the timeout or the caller's abort. Made on first use, with an
   * alarm (its own, or its share's) that `end()` cancels once no call needs
   * it: `AbortSignal.timeout` cannot be cancelled, so
   * every finished call would leave its timer armed for the whole timeout
   * (tens of thousands of live timers at a few thousand calls per second).
   * Its timer keeps the process alive: for a wait on the caller's code.
   */
  get signal(): AbortSignal | undefined {
    return this.signalFor(true);
  }

  /**
   * The signal, for a wait that keeps the process alive by itself
   * (`holds: false`: the runtime's own request in flight) or may not (the
   * caller's fetch or token function: the deadline's timer then must, to fire).
   */
  signalFor(holds: boolean): AbortSignal | undefined {
    if (this.#made) {
      if (holds) {
        if (this.#alarm) hold(this.#alarm);
        this.#share?.hold();
      }
      return this.#signal;
    }
    this.#made = true;
    let timer: AbortSignal | undefined;
    // Without a timeout there is no controller: close() then cannot stop
    // the call, which ends with its caller's signal or its answer.
    const finite = Number.isFinite(this.timeout);
    if (finite && this.#pool && !this.#closed && !this.expired) {
      this.#share = this.#pool.take(this.until, holds);
      timer = this.#share.signal;
    } else if (finite || this.#closed) {
      const controller = new AbortController();
      this.#controller = controller;
      const fire = () => {
        this.expire();
        controller.abort(this.#reason);
      };
      if (this.#closed) {
        controller.abort(new DOMException("The client was closed.", "AbortError"));
      } else if (this.expired) fire();
      else this.#alarm = schedule(this.until, fire, holds);
      timer = controller.signal;
    }
    return this.#signal = timer && this.user
      ? AbortSignal.any([timer, this.user])
      : timer ?? this.user;
  }

  /** Cancels the alarm; call it once the call has settled. */
  end(): void {
    if (this.#alarm) cancel(this.#alarm);
    const share = this.#share;
    if (share === undefined) return;
    // What it says of the call stays true after it is let go.
    if (share.expired) {
      this.#expired = true;
      this.#reason = share.reason;
    }
    share.leave();
    this.#share = undefined;
  }
}

/**
 * The calls of a client in flight, as a list linked through their budgets:
 * adding and removing cost two pointer writes, no hashing per call.
 */
export class Live {
  #head: Deadline | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(budget: Deadline): void {
    budget.next = this.#head;
    if (this.#head) this.#head.prev = budget;
    this.#head = budget;
    this.#size++;
  }

  delete(budget: Deadline): void {
    if (budget.prev) budget.prev.next = budget.next;
    else if (this.#head === budget) this.#head = budget.next;
    else return;
    if (budget.next) budget.next.prev = budget.prev;
    budget.prev = budget.next = undefined;
    this.#size--;
  }

  /** Each budget in the list. */
  *[Symbol.iterator](): IterableIterator<Deadline> {
    for (let b = this.#head; b; b = b.next) yield b;
  }
}
