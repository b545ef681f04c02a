// `deno task soak [N]`: the load runs of tests/load_test.ts and
// tests/failover_test.ts with a million messages (or N, or $SOAK_N), every
// variant, printing the figures:
// throughput, resolved and rejected calls by class, duplicates, losses and the
// time each restart took. Exits with 1 if any guarantee broke.
//
// Needs redis-server (apt-get install redis-server) and Centrifugo (built
// like for the tests). See tests/_load.ts for why Centrifugo's history and
// idempotency windows hold a run of this size.

import { formatReport, RETRY, RETRY_TIMEOUT, runLoad } from "./_load.ts";

const arg = Deno.args[0] ?? Deno.env.get("SOAK_N") ?? "1000000";
const n = Number(arg.replaceAll("_", ""));
if (!Number.isInteger(n) || n < 1) {
  console.error(`usage: deno task soak [N]  (N a positive integer, got ${arg})`);
  Deno.exit(2);
}
const log = (line: string) => console.log(`  [${new Date().toISOString().slice(11, 19)}] ${line}`);

let failed = false;
const variants = [
  { title: "without retries", options: { pauseAfterReject: 100 }, allResolve: false },
  { title: "with retries", options: { retry: RETRY, timeout: RETRY_TIMEOUT }, allResolve: true },
  {
    title: "3 nodes, each killed in turn, failover",
    options: { nodes: 3, concurrency: 64, restarts: ["SIGKILL", "SIGKILL", "SIGKILL"] as const },
    allResolve: true,
  },
];
const started = performance.now();
for (const { title, options, allResolve } of variants) {
  console.log(`\n${title}: ${n} messages`);
  const report = await runLoad({
    n,
    log,
    ...options,
    restarts: options.restarts && [...options.restarts],
  });
  console.log(formatReport(title, report));
  if (report.problems.length > 0) failed = true;
  if (allResolve && report.resolved !== n) failed = true;
}
console.log(
  `\nsoak ${failed ? "FAILED" : "passed"} in ${
    ((performance.now() - started) / 1000).toFixed(0)
  } s`,
);
if (failed) Deno.exit(1);
