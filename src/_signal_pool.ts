// The timeout signals of one client's calls. A call over fetch must hand it a
// signal that aborts at its deadline, and on Bun an AbortController per call
// is a large part of what that costs (Transport.shareSignals says where the
// client shares; on Deno following a shared signal costs more). Calls whose
// deadlines fall within the same millisecond share one: it aborts at the end
// of that millisecond, so no call is stopped early and none more than a
// millisecond late (timers are no finer). Its alarm is cancelled once the
// last of its calls has settled, but it stays the pool's share for its
// millisecond: calls one after another (a server publishing once per
// incoming request, a loop awaiting each call) take it again, re-arming the
// alarm, instead of making a controller and reading its signal each time.
//
// A pool belongs to one client, so the one event that aborts a shared signal
// before its time, the client's close() giving up on its calls, concerns
// every call that shares it.

import { type Alarm, cancel, hold, schedule } from "./_alarms.ts";

/** One shared signal: the calls whose deadlines end in the millisecond before `at`. */
export class Share {
  /** `performance.now()` at which it aborts: a whole millisecond. */
  readonly at: number;
  readonly #controller = new AbortController();
  readonly #pool: SignalPool;
  #alarm: Alarm | undefined;
  readonly #fire = () => this.#expire();
  /** Calls holding it that have not settled. */
  #members = 0;
  /** The TimeoutError it aborted with, once its time has come. */
  #reason: DOMException | undefined;

  constructor(pool: SignalPool, at: number) {
    this.#pool = pool;
    this.at = at;
  }

  /** Aborts at `at` with a TimeoutError, or when the client closes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once its time has come. */
  get expired(): boolean {
    return this.#reason !== undefined;
  }

  /** The TimeoutError it aborted with. */
  get reason(): unknown {
    return this.#reason;
  }

  /** A call takes it; `holds`: the call needs the timer to keep the process alive. */
  join(holds: boolean): void {
    if (this.#members++ === 0) this.#alarm = schedule(this.at, this.#fire, holds);
    else if (holds) this.hold();
  }

  /** From now on the timer keeps the process alive until `at` (see _alarms.ts). */
  hold(): void {
    if (this.#alarm) hold(this.#alarm);
  }

  /** A call that took it has settled; the last one cancels the alarm (the next to join re-arms it). */
  leave(): void {
    if (--this.#members > 0) return;
    if (this.#alarm) cancel(this.#alarm);
    this.#alarm = undefined;
  }

  /** The client gave up on its calls: every call sharing it is being closed. */
  close(reason: unknown): void {
    this.#pool.retire(this);
    this.#controller.abort(reason);
  }

  #expire(): void {
    this.#alarm = undefined;
    this.#reason = new DOMException("The call timed out.", "TimeoutError");
    this.#pool.retire(this);
    this.#controller.abort(this.#reason);
  }
}

/** The shared timeout signals of one client. */
export class SignalPool {
  #current: Share | undefined;

  /** The share for a call due at `until` (a `performance.now()` time), joined. */
  take(until: number, holds: boolean): Share {
    const at = Math.ceil(until);
    let share = this.#current;
    if (share === undefined || share.at !== at) share = this.#current = new Share(this, at);
    share.join(holds);
    return share;
  }

  /** A share no call may join any longer: it fired, or the client gave up on its calls. */
  retire(share: Share): void {
    if (this.#current === share) this.#current = undefined;
  }
}
