// No loss and no duplicate under load and restarts, against a real Centrifugo
// on the Redis engine: 10 000 unique messages (LOAD_N to change it) at
// concurrency 256 into one history channel, Centrifugo killed (SIGKILL) and
// stopped (SIGTERM) and restarted on the same port during the run, then the
// whole history read back. See tests/_load.ts for the run and the accounting,
// and `deno task soak` for the same with a million messages.
//
// Needs redis-server (apt-get install redis-server): without it these tests
// fail, they are not skipped.

import assert from "node:assert/strict";
import { formatReport, RETRY, RETRY_TIMEOUT, runLoad } from "./_load.ts";

const N = Number(Deno.env.get("LOAD_N") ?? 10_000);
const TYPED = ["RequestError", "RequestTimeoutError", "ResponseError"];

Deno.test("load without retries: every resolved call stored once, every other one a typed rejection", async () => {
  // A producer whose call failed waits 100 ms before its next message, so the
  // producers do not use up all messages on refused connections while
  // Centrifugo is down; every message is still sent exactly once.
  const report = await runLoad({ n: N, pauseAfterReject: 100 });
  const text = formatReport("without retries", report);
  console.log(text);
  assert.deepEqual(report.problems, [], text);
  assert.deepEqual(report.restarts.map((r) => r.signal), ["SIGKILL", "SIGTERM"]);
  // Every call settled, and each rejection is one of the library's classes.
  const rejected = Object.values(report.rejected).reduce((a, b) => a + b, 0);
  assert.equal(report.resolved + rejected, N);
  for (const cls of Object.keys(report.rejected)) assert.ok(TYPED.includes(cls), cls);
  assert.equal(report.pending, 0);
  // What resolved is in history exactly once at its offset; nothing twice,
  // nothing foreign. A rejected write may be there (once) or not.
  assert.equal(report.duplicates, 0);
  assert.equal(report.losses, 0);
  assert.equal(report.wrongOffsets, 0);
  assert.equal(report.unknown, 0);
  assert.equal(report.historyCount, report.resolved + report.rejectedLanded);
  // The run outlived both restarts, and the restarts did cost calls.
  assert.ok(report.resolvedAfterRestarts > 0);
  assert.ok(rejected > 0, "the restarts made some calls fail");
  // Nothing is retried behind the caller's back: no call outlived a SIGKILL.
  assert.equal(report.restarts[0]!.spanned, 0);
});

Deno.test("load with retries: every call resolves, 0 duplicates, 0 losses", async () => {
  const report = await runLoad({ n: N, retry: RETRY, timeout: RETRY_TIMEOUT });
  const text = formatReport("with retries", report);
  console.log(text);
  assert.deepEqual(report.problems, [], text);
  assert.deepEqual(report.restarts.map((r) => r.signal), ["SIGKILL", "SIGTERM"]);
  assert.deepEqual(report.rejected, {}, text);
  assert.equal(report.resolved, N);
  assert.equal(report.duplicates, 0);
  assert.equal(report.losses, 0);
  assert.equal(report.wrongOffsets, 0);
  assert.equal(report.unknown, 0);
  assert.equal(report.historyCount, N);
  assert.ok(report.resolvedAfterRestarts > 0);
  // Calls whose connection died with the killed server were retried and resolved.
  assert.ok(report.restarts[0]!.spanned > 0, "some calls lived through the SIGKILL");
});
