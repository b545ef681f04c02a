// The shared alarm queue behind every call's deadline: alarms fire in time
// order, never before their time, never after being cancelled, and nothing
// stays armed once no alarm is live (the ops sanitizer fails a test that
// leaves a timer behind).

import assert from "node:assert/strict";
import { cancel, schedule } from "../src/_alarms.ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("alarms", async (t) => {
  await t.step("fire in time order, not before their time; cancelled ones never", async () => {
    const start = performance.now();
    const fired: { id: number; late: number }[] = [];
    const offsets = Array.from({ length: 300 }, (_, id) => ({ id, ms: (id * 37) % 120 }));
    const alarms = offsets.map(({ id, ms }) =>
      schedule(start + ms, () => fired.push({ id, late: performance.now() - (start + ms) }))
    );
    const cancelled = new Set(offsets.filter(({ id }) => id % 3 === 0).map(({ id }) => id));
    for (const id of cancelled) cancel(alarms[id]!);
    await wait(250);
    const expected = offsets.filter(({ id }) => !cancelled.has(id))
      .sort((a, b) => a.ms - b.ms || a.id - b.id)
      .map(({ ms }) => ms);
    assert.deepEqual(fired.map(({ id }) => offsets[id]!.ms), expected);
    assert.ok(fired.every(({ late }) => late >= 0), "an alarm fired before its time");
  });

  await t.step("an alarm scheduled by a firing one, and an earlier one added later", async () => {
    const order: string[] = [];
    const now = performance.now();
    schedule(now + 40, () => {
      order.push("late");
      schedule(performance.now() + 5, () => order.push("chained"));
    });
    await wait(5);
    schedule(now + 15, () => order.push("early"));
    await wait(120);
    assert.deepEqual(order, ["early", "late", "chained"]);
  });

  await t.step("cancelling every alarm disarms the timer at once", () => {
    const now = performance.now();
    const alarms = Array.from({ length: 10 }, (_, i) =>
      schedule(now + 60_000 + i, () => {
        throw new Error("must not fire");
      }));
    for (const alarm of alarms) cancel(alarm);
    cancel(alarms[0]!); // twice is harmless
    // The step ends here: a timer still armed would fail it (ops sanitizer).
  });

  await t.step("an alarm already due fires on the next turn, not synchronously", async () => {
    let fired = false;
    schedule(performance.now() - 10, () => fired = true);
    assert.equal(fired, false);
    await wait(5);
    assert.equal(fired, true);
  });
});

Deno.test("an alarm that throws does not stop the others", async () => {
  const { promise: thrown, resolve: caught } = Promise.withResolvers<unknown>();
  // The error surfaces as an uncaught one, as from a timer's own callback.
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    caught(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    const fired: string[] = [];
    const now = performance.now();
    schedule(now + 5, () => {
      throw new Error("boom");
    });
    schedule(now + 5, () => fired.push("same turn"));
    schedule(now + 30, () => fired.push("later"));
    assert.equal(((await thrown) as Error).message, "boom");
    await wait(60);
    assert.deepEqual(fired, ["same turn", "later"]);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});
