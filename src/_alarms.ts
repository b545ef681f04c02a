// One timer for every deadline in flight. A timer per call costs more than
// anything else the client does per call on Deno (about 15 µs of CPU to arm
// and clear one there), and nearly every call ends long before its deadline.
// Deadlines wait in a min-heap by time; the single timer is armed for the
// earliest. A cancelled alarm only drops its callback (its slot leaves the
// heap when it reaches the top).
//
// When no alarm is live, the heap is emptied and the timer cleared — a few
// microtask turns later, not at once: a caller awaiting one call and making
// the next does so within those turns, and its alarm then reuses the timer
// (a later deadline needs no re-arming) instead of clearing and arming one
// per call. Nothing outlives the calls in flight by more than those turns,
// so no timer is left behind when the caller's task is done.

/** A scheduled callback; `cancel` it once it is no longer needed. */
export interface Alarm {
  readonly at: number;
  fire: (() => void) | undefined;
}

const heap: Alarm[] = [];
let live = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let armedAt = Infinity;

/** Calls `fire` at `at` (a `performance.now()` time) unless cancelled first. */
export function schedule(at: number, fire: () => void): Alarm {
  const alarm: Alarm = { at, fire };
  push(alarm);
  live++;
  if (at < armedAt) arm(at);
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
      clearTimeout(timer);
      timer = undefined;
      armedAt = Infinity;
    }
  };
  queueMicrotask(turn);
}

function arm(at: number): void {
  clearTimeout(timer);
  armedAt = at;
  timer = setTimeout(ring, Math.max(0, at - performance.now()));
}

function ring(): void {
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
