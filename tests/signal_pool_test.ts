// The timeout signals a client's calls share where that pays (Bun): calls due
// in the same millisecond get one signal, which aborts at the end of that
// millisecond (never before a call's deadline); its alarm is cancelled once
// its calls settle, and the next call in that millisecond takes it again. That two clients never share one (closing one stops none of the
// other's calls) and that shared calls time out, against real servers on
// Bun, is in tests/runtimes/suite.mjs.

import assert from "node:assert/strict";
import { SignalPool } from "../src/_signal_pool.ts";
import { Deadline } from "../src/_deadline.ts";
import { waiting } from "../src/_alarms.ts";

Deno.test("shared timeout signals", async (t) => {
  await t.step("deadlines in the same millisecond share one; another millisecond does not", () => {
    const pool = new SignalPool();
    const base = Math.floor(performance.now()) + 60_000;
    const [a, b, c] = [base + 0.1, base + 0.9, base + 1.1].map((due) => pool.take(due, false));
    assert.equal(a, b);
    assert.notEqual(b, c);
    assert.equal(a!.at, base + 1, "a share aborts at the end of its millisecond");
    for (const share of [a, b, c]) share!.leave();
    assert.equal(waiting(), 0, "settled shares leave no alarm behind");
  });

  await t.step("a share never aborts before the deadline of a call in it", async () => {
    const pool = new SignalPool();
    const results: { late: number; reason: unknown }[] = [];
    await Promise.all([13.05, 13.4, 13.95, 21.5].map((ms) => {
      const due = performance.now() + ms;
      const share = pool.take(due, true);
      return new Promise<void>((resolve) =>
        share.signal.addEventListener("abort", () => {
          results.push({ late: performance.now() - due, reason: share.signal.reason });
          resolve();
        })
      );
    }));
    for (const { late, reason } of results) {
      assert.ok(late >= 0, `aborted ${-late} ms before the deadline`);
      assert.ok(reason instanceof DOMException && reason.name === "TimeoutError");
    }
    assert.equal(waiting(), 0);
  });

  await t.step(
    "a deadline over a share: expired, with the share's reason, also after end()",
    async () => {
      const pool = new SignalPool();
      const budgets = [new Deadline(60, undefined, pool), new Deadline(60, undefined, pool)];
      const signals = budgets.map((b) => b.signalFor(true)!);
      assert.ok(waiting() >= 1 && waiting() <= 2, "one alarm per share, not per call");
      await new Promise((resolve) => signals[0]!.addEventListener("abort", resolve));
      for (const [i, budget] of budgets.entries()) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        assert.ok(signals[i]!.aborted);
        assert.ok(performance.now() >= budget.until, "aborted before the deadline");
        assert.ok(budget.expired && budget.aborted && !budget.closed);
        assert.equal((budget.reason as DOMException).name, "TimeoutError");
        assert.equal(budget.reason, signals[i]!.reason);
        budget.end();
        assert.ok(budget.expired, "end() forgot that the call timed out");
        assert.equal(budget.reason, signals[i]!.reason);
      }
      assert.equal(waiting(), 0);
    },
  );

  await t.step("the last call to settle lets the share's alarm go; close() aborts it", () => {
    const pool = new SignalPool();
    const a = new Deadline(60_000, undefined, pool);
    const signal = a.signalFor(false)!;
    assert.equal(waiting(), 1);
    a.close();
    assert.ok(a.closed && a.aborted && !a.expired);
    assert.ok(signal.aborted);
    assert.equal((signal.reason as DOMException).name, "AbortError");
    const late = new Deadline(60_000, undefined, pool);
    assert.ok(!late.signalFor(false)!.aborted, "a call joined a share its client closed");
    late.end();
    a.end();
    assert.equal(waiting(), 0);
    // A share that was closed takes no new calls; one whose calls all settled does.
    const b = new Deadline(60_000, undefined, pool);
    assert.ok(!b.signalFor(false)!.aborted);
    b.end();
    assert.equal(waiting(), 0);
  });

  await t.step("a share whose calls all settled is taken again in its millisecond", async () => {
    const pool = new SignalPool();
    const due = performance.now() + 20;
    const first = pool.take(due, true);
    first.leave();
    assert.equal(waiting(), 0, "a share whose calls all settled kept its alarm");
    const again = pool.take(due, true);
    assert.equal(again, first, "the next call in the millisecond made a share of its own");
    assert.equal(waiting(), 1, "taken again, the share's alarm was not re-armed");
    await new Promise((resolve) => again.signal.addEventListener("abort", resolve));
    assert.ok(performance.now() >= due, "aborted before the deadline");
    assert.equal((again.signal.reason as DOMException).name, "TimeoutError");
    assert.equal(waiting(), 0);
    const after = pool.take(due, false);
    assert.notEqual(after, again, "a call joined a share that had fired");
    assert.ok(!after.signal.aborted);
    after.leave();
    assert.equal(waiting(), 0);
  });

  await t.step(
    "one alarm per share, however many calls; a deadline without a pool has its own",
    () => {
      const pool = new SignalPool();
      const shared = Array.from({ length: 50 }, () => new Deadline(60_000, undefined, pool));
      const own = new Deadline(60_000, undefined);
      const signals = new Set(shared.map((budget, i) => budget.signalFor(i % 2 === 0)));
      assert.notEqual(own.signalFor(false), undefined);
      assert.ok(!signals.has(own.signalFor(false)));
      assert.ok(signals.size < 50, "calls made in one go shared no signal");
      assert.equal(waiting(), signals.size + 1);
      for (const budget of [...shared, own]) budget.end();
      assert.equal(waiting(), 0);
    },
  );
});
