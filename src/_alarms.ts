// One timer for every deadline in flight. A timer per call costs more than
// anything else the client does per call on Deno, and nearly every call ends
// long before its deadline. The single timer is armed for the earliest.
// Alarms wait in two places: a list in time order that a new alarm joins at
// its end when it is not earlier than the list's last (the calls of a client
// with one timeout come in the order they are due), and a min-heap by time
// for the others. Joining and leaving the list is a few pointer writes,
// whatever the calls in flight; a heap would reorder itself on each (log2 of
// them: eight levels at 256), in memory the runtime's own work between two
// calls has pushed out of the caches. A cancelled alarm leaves at once, so
// both hold the live alarms only (one left waiting for its time would make
// them as large as the calls of a whole timeout).
//
// The timer keeps the process alive only while an alarm that asked for it
// is live. A call's deadline over the runtime's own request does not ask:
// the request in flight keeps the process alive until it settles, so the
// timer never needs to, and a call pays nothing to take the hold and drop it.
// A deadline over the caller's code (a custom fetch, a token function) asks:
// the process must stay alive for it to fire.
//
// On Deno the timer is an `AbortSignal.timeout`, which keeps no process
// alive and which no test's ops sanitizer sees. Its abort rings the alarms
// through a listener added with EventTarget's own addEventListener, not the
// signal's, which would ref the timer. So it stays listened while no alarm
// is live, and the next call, even after an idle spell (a server publishing
// once per incoming request), finds it armed instead of creating a timer,
// which is what costs there. While an alarm holds, a signal following it
// (`AbortSignal.any`) is listened to the ordinary way: that refs the timer,
// and dropping the listener unrefs it.
//
// Elsewhere (Node, Bun) it is a setTimeout, ref'd while an alarm holds and
// unref'd otherwise, not cleared: the next call, even after an idle spell,
// finds it armed (a later deadline needs no re-arming) instead of creating a
// timer, which is what costs there. Where a timer cannot be unref'd
// (workerd, browsers) it is cleared a few microtask turns after the last
// alarm instead: a caller awaiting one call and making the next does so
// within those turns. (An AbortSignal.timeout would not do on Node: it never
// keeps the process alive, and a deadline that holds must.)

/** A scheduled callback; `cancel` it once it is no longer needed. */
export interface Alarm {
  readonly at: number;
  fire: (() => void) | undefined;
  /** Its place in the heap, IN_LIST in the list, LEFT once it left both. */
  index: number;
  /** Whether it keeps the process alive while it is live. */
  holds: boolean;
  /** Its neighbours in the list. */
  prev: Alarm | undefined;
  next: Alarm | undefined;
}

const LEFT = -1;
const IN_LIST = -2;
const heap: Alarm[] = [];
/** The list in time order: its first and last alarm, and how many it holds. */
let first: Alarm | undefined;
let last: Alarm | undefined;
let listed = 0;
let armedAt = Infinity;
/** Live alarms that hold the process. */
let holding = 0;

/** Whether the timer is an AbortSignal.timeout (Deno) rather than a setTimeout. */
const SIGNALLED = typeof (globalThis as { Deno?: unknown }).Deno === "object" &&
  typeof AbortSignal.timeout === "function";
const { addEventListener: listenPlainly, removeEventListener: unlistenPlainly } =
  EventTarget.prototype;
let timer: ReturnType<typeof setTimeout> | undefined;
/** Whether `timer` keeps the process alive (it is unref'd while no alarm holds). */
let held = false;
let signal: AbortSignal | undefined;
/** Follows `signal`; listened to while an alarm holds, which refs the signal's timer. */
let follower: AbortSignal | undefined;
let following = false;

/**
 * Calls `fire` at `at` (a `performance.now()` time) unless cancelled first.
 * `holds`: the timer keeps the process alive until then (see the top).
 */
export function schedule(at: number, fire: () => void, holds = true): Alarm {
  const alarm: Alarm = { at, fire, index: IN_LIST, holds, prev: last, next: undefined };
  if (last === undefined || last.at <= at) {
    if (last === undefined) first = alarm;
    else last.next = alarm;
    last = alarm;
    listed++;
  } else {
    alarm.prev = undefined;
    alarm.index = heap.length;
    heap.push(alarm);
    up(alarm.index);
  }
  if (holds) holding++;
  if (at < armedAt) arm(at);
  else if (holds) take();
  return alarm;
}

/** Makes a live alarm hold the process from now on. */
export function hold(alarm: Alarm): void {
  if (alarm.index === LEFT || alarm.holds) return;
  alarm.holds = true;
  holding++;
  take();
}

/** The alarms waiting: live ones only (for tests). */
export function waiting(): number {
  return heap.length + listed;
}

/** Cancels an alarm; cancelling a fired or cancelled one does nothing. */
export function cancel(alarm: Alarm): void {
  if (alarm.index === LEFT) return;
  alarm.fire = undefined;
  if (alarm.index === IN_LIST) unlist(alarm);
  else remove(alarm.index);
  if (alarm.holds && --holding === 0) drop();
  if (idle() && timer !== undefined && !unrefable(timer)) disarmWhenIdle();
}

/** No alarm is live. */
function idle(): boolean {
  return listed === 0 && heap.length === 0;
}

/** The earliest live alarm. */
function earliest(): Alarm | undefined {
  const top = heap[0];
  return first === undefined || (top !== undefined && top.at < first.at) ? top : first;
}

interface Unrefable {
  ref(): void;
  unref(): void;
}

function unrefable(t: unknown): t is Unrefable {
  return typeof (t as Partial<Unrefable> | undefined)?.unref === "function";
}

function keep(): void {}

/** An alarm holds: the armed timer keeps the process alive. */
function take(): void {
  if (signal) {
    if (following) return;
    follower ??= AbortSignal.any([signal]);
    follower.addEventListener("abort", keep);
    following = true;
  } else if (!held && unrefable(timer)) {
    timer.ref();
    held = true;
  }
}

/** No alarm holds any longer: the timer keeps nothing alive. */
function drop(): void {
  if (following) {
    follower!.removeEventListener("abort", keep);
    following = false;
  } else if (held && unrefable(timer)) {
    timer.unref();
    held = false;
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
    if (!idle()) {
      disarming = false;
    } else if (--turns > 0) {
      queueMicrotask(turn);
    } else {
      disarming = false;
      clearTimeout(timer);
      timer = undefined;
      armedAt = Infinity;
      held = false;
    }
  };
  queueMicrotask(turn);
}

function arm(at: number): void {
  disown();
  armedAt = at;
  const delay = Math.max(0, at - performance.now());
  if (SIGNALLED) {
    signal = AbortSignal.timeout(delay);
    listenPlainly.call(signal, "abort", ring);
  } else {
    clearTimeout(timer);
    timer = setTimeout(ring, delay);
    held = true;
  }
  if (holding > 0) take();
  else drop();
}

/** Lets go of the armed timer: it rang, or another replaces it. */
function disown(): void {
  drop();
  if (signal) unlistenPlainly.call(signal, "abort", ring);
  signal = follower = undefined;
  armedAt = Infinity;
}

function ring(): void {
  disown();
  timer = undefined;
  held = false;
  const now = performance.now();
  for (let alarm = earliest(); alarm !== undefined && alarm.at <= now; alarm = earliest()) {
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
  const next = earliest();
  if (next !== undefined && next.at < armedAt) arm(next.at);
}

/** Takes an alarm out of the list. */
function unlist(alarm: Alarm): void {
  const { prev, next } = alarm;
  if (prev === undefined) first = next;
  else prev.next = next;
  if (next === undefined) last = prev;
  else next.prev = prev;
  alarm.prev = alarm.next = undefined;
  alarm.index = LEFT;
  listed--;
}

/** Takes the alarm at `i` out of the heap. */
function remove(i: number): void {
  const gone = heap[i]!;
  gone.index = LEFT;
  const moved = heap.pop()!;
  if (moved === gone) return;
  heap[i] = moved;
  moved.index = i;
  if (i > 0 && heap[(i - 1) >> 1]!.at > moved.at) up(i);
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
