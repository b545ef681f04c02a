// One timer for every deadline in flight. A timer per call costs more than
// anything else the client does per call on Deno (about 15 µs of CPU to arm
// and clear one there), and nearly every call ends long before its deadline.
// Deadlines wait in a min-heap by time; the single timer is armed for the
// earliest. A cancelled alarm only drops its callback (its slot leaves the
// heap when it reaches the top).
//
// When no alarm is live, the heap is emptied and the timer released — a few
// microtask turns later, not at once: a caller awaiting one call and making
// the next does so within those turns, and its alarm then reuses the timer
// (a later deadline needs no re-arming) instead of releasing and arming one
// per call. Nothing outlives the calls in flight by more than those turns,
// so no timer is left behind when the caller's task is done.
//
// On Deno the timer is an `AbortSignal.timeout` whose abort event rings the
// alarms. Released, it is only no longer listened to: it keeps no process
// alive and no test's ops sanitizer sees it, and it stays pending, so the
// next call after an idle spell (a server publishing once per incoming
// request) listens to it again instead of creating a timer, which is what
// costs there. Elsewhere (Node, Bun) it is a setTimeout, cleared when
// released: an unlistened AbortSignal.timeout does not keep Node alive either,
// but neither does a listened one, and a call's deadline must.

/** A scheduled callback; `cancel` it once it is no longer needed. */
export interface Alarm {
  readonly at: number;
  fire: (() => void) | undefined;
}

const heap: Alarm[] = [];
let live = 0;
let armedAt = Infinity;

/** Whether the timer is an AbortSignal.timeout (Deno) rather than a setTimeout. */
const SIGNALLED = typeof (globalThis as { Deno?: unknown }).Deno === "object" &&
  typeof AbortSignal.timeout === "function";
let timer: ReturnType<typeof setTimeout> | undefined;
let signal: AbortSignal | undefined;
let listening = false;

/** Calls `fire` at `at` (a `performance.now()` time) unless cancelled first. */
export function schedule(at: number, fire: () => void): Alarm {
  const alarm: Alarm = { at, fire };
  push(alarm);
  live++;
  if (at < armedAt || signal?.aborted) arm(at);
  else if (signal && !listening) listen(signal);
  return alarm;
}

/** Cancels an alarm; cancelling a fired or cancelled one does nothing. */
export function cancel(alarm: Alarm): void {
  if (alarm.fire === undefined) return;
  alarm.fire = undefined;
  if (--live === 0) {
    heap.length = 0;
    disarmWhenIdle();
  }
}

/** Microtask turns the timer is kept after the last alarm, for the caller's next one. */
const IDLE_TURNS = 16;
let disarming = false;

function disarmWhenIdle(): void {
  if (disarming) return;
  disarming = true;
  let turns = IDLE_TURNS;
  const turn = () => {
    if (live > 0) {
      disarming = false;
    } else if (--turns > 0) {
      queueMicrotask(turn);
    } else {
      disarming = false;
      release();
    }
  };
  queueMicrotask(turn);
}

/** No alarm is live: the timer stops holding anything (see the top). */
function release(): void {
  if (signal) {
    unlisten(signal);
    return;
  }
  clearTimeout(timer);
  timer = undefined;
  armedAt = Infinity;
}

function arm(at: number): void {
  armedAt = at;
  const delay = Math.max(0, at - performance.now());
  if (SIGNALLED) {
    if (signal) unlisten(signal);
    signal = AbortSignal.timeout(delay);
    listen(signal);
  } else {
    clearTimeout(timer);
    timer = setTimeout(ring, delay);
  }
}

function listen(on: AbortSignal): void {
  on.addEventListener("abort", ring);
  listening = true;
}

function unlisten(on: AbortSignal): void {
  on.removeEventListener("abort", ring);
  listening = false;
}

function ring(): void {
  if (signal) unlisten(signal);
  signal = undefined;
  timer = undefined;
  armedAt = Infinity;
  const now = performance.now();
  // Fired and cancelled alarms leave from the top; live ones when due.
  while (heap.length > 0 && (heap[0]!.fire === undefined || heap[0]!.at <= now)) {
    const alarm = pop();
    const fire = alarm.fire;
    if (fire !== undefined) {
      cancel(alarm);
      try {
        fire();
      } catch (err) {
        // Thrown where a timer's own callback would throw it, without
        // leaving the other alarms unarmed.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
  if (heap.length > 0 && heap[0]!.at < armedAt) arm(heap[0]!.at);
}

function push(alarm: Alarm): void {
  let i = heap.push(alarm) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.at <= alarm.at) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = alarm;
}

function pop(): Alarm {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= last.at) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
  return top;
}
