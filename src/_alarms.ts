// One timer for every deadline in flight. A timer per call costs more than
// anything else the client does per call on Deno, and nearly every call ends
// long before its deadline. Deadlines wait in a min-heap by time; the single
// timer is armed for the earliest. A cancelled alarm leaves the heap at once,
// so the heap holds the live alarms only (one left waiting for its time
// would make the heap as large as the calls of a whole timeout, and every
// push slower).
//
// On Deno the timer is an `AbortSignal.timeout` whose abort event rings the
// alarms. When no alarm is live it is only no longer listened to: it keeps
// no process alive and no test's ops sanitizer sees it, and it stays
// pending, so the next call, even after an idle spell (a server publishing
// once per incoming request), listens to it again instead of creating a
// timer, which is what costs there.
//
// Elsewhere (Node, Bun) it is a setTimeout. When no alarm is live it is
// unref'd, not cleared: it keeps no process alive, and the next call, even
// after an idle spell, refs it again (a later deadline needs no re-arming)
// instead of creating a timer, which is what costs there. Where a timer
// cannot be unref'd (workerd, browsers) it is cleared a few microtask turns
// after the last alarm instead: a caller awaiting one call and making the
// next does so within those turns. (An AbortSignal.timeout would not do on
// Node: it never keeps the process alive, and a call's deadline must.)

/** A scheduled callback; `cancel` it once it is no longer needed. */
export interface Alarm {
  readonly at: number;
  fire: (() => void) | undefined;
  /** Its place in the heap (-1 once it left it). */
  index: number;
}

const heap: Alarm[] = [];
let armedAt = Infinity;

/** Whether the timer is an AbortSignal.timeout (Deno) rather than a setTimeout. */
const SIGNALLED = typeof (globalThis as { Deno?: unknown }).Deno === "object" &&
  typeof AbortSignal.timeout === "function";
let timer: ReturnType<typeof setTimeout> | undefined;
/** Whether `timer` keeps the process alive (it is unref'd while no alarm is live). */
let held = false;
let signal: AbortSignal | undefined;
let listening = false;

/** Calls `fire` at `at` (a `performance.now()` time) unless cancelled first. */
export function schedule(at: number, fire: () => void): Alarm {
  const alarm: Alarm = { at, fire, index: heap.length };
  heap.push(alarm);
  up(alarm.index);
  if (at < armedAt || signal?.aborted) arm(at);
  else if (signal) {
    if (!listening) listen(signal);
  } else if (!held) hold(true);
  return alarm;
}

/** The alarms waiting: live ones only (for tests). */
export function waiting(): number {
  return heap.length;
}

/** Cancels an alarm; cancelling a fired or cancelled one does nothing. */
export function cancel(alarm: Alarm): void {
  if (alarm.index < 0) return;
  alarm.fire = undefined;
  remove(alarm.index);
  // Releasing a signal costs a listener, and unref'ing a timer a flag, so they are done at once.
  if (heap.length === 0) {
    if (signal) unlisten(signal);
    else if (unrefable(timer)) hold(false);
    else disarmWhenIdle();
  }
}

interface Unrefable {
  ref(): void;
  unref(): void;
}

function unrefable(t: unknown): t is Unrefable {
  return typeof (t as Partial<Unrefable> | undefined)?.unref === "function";
}

/** Refs or unrefs the timer: whether it keeps the process alive. */
function hold(on: boolean): void {
  if (!unrefable(timer)) return;
  if (on) timer.ref();
  else timer.unref();
  held = on;
}

/** Microtask turns the timer is kept after the last alarm, for the caller's next one. */
const IDLE_TURNS = 16;
let disarming = false;

function disarmWhenIdle(): void {
  if (disarming) return;
  disarming = true;
  let turns = IDLE_TURNS;
  const turn = () => {
    if (heap.length > 0) {
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
  held = false;
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
    held = true;
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
  held = false;
  armedAt = Infinity;
  const now = performance.now();
  while (heap.length > 0 && heap[0]!.at <= now) {
    const alarm = heap[0]!;
    const fire = alarm.fire!;
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
  if (heap.length > 0 && heap[0]!.at < armedAt) arm(heap[0]!.at);
}

/** Takes the alarm at `i` out of the heap. */
function remove(i: number): void {
  const gone = heap[i]!;
  gone.index = -1;
  const last = heap.pop()!;
  if (last === gone) return;
  heap[i] = last;
  last.index = i;
  if (i > 0 && heap[(i - 1) >> 1]!.at > last.at) up(i);
  else down(i);
}

function up(i: number): void {
  const alarm = heap[i]!;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const above = heap[parent]!;
    if (above.at <= alarm.at) break;
    heap[i] = above;
    above.index = i;
    i = parent;
  }
  heap[i] = alarm;
  alarm.index = i;
}

function down(i: number): void {
  const alarm = heap[i]!;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
    const below = heap[child]!;
    if (below.at >= alarm.at) break;
    heap[i] = below;
    below.index = i;
    i = child;
  }
  heap[i] = alarm;
  alarm.index = i;
}
