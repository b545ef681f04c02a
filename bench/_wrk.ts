// What the wrk-driven benchmarks share (bench/proxy.ts, bench/web.ts): a free
// port, a server process started and stopped, a process's CPU time, and one
// wrk run whose Lua script prints its summary as one JSON line.

/** One wrk run's summary, as the bench/wrk_*.lua scripts print it. */
export interface WrkSummary {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  /** Latency percentiles and maximum, ms. */
  p50: number;
  p99: number;
  max: number;
}

import { WARMUP_CAP_SECONDS } from "./_measure.js";

/** A port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** CPU seconds (user + system) a process has used so far, from /proc (NaN elsewhere). */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the parenthesized command name; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** One wrk run (one thread, `connections` connections) of a bench/wrk_*.lua script. */
export async function wrkRun(
  wrk: string,
  script: string,
  url: string,
  connections: number,
  seconds: number,
): Promise<WrkSummary> {
  const out = await new Deno.Command(wrk, {
    args: ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "5s", "-s", script, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const last = text.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`wrk: ${text.slice(-300)}${new TextDecoder().decode(out.stderr).slice(-300)}`);
  }
}

/** A server process that printed "LISTENING"; `stop()` kills it and waits. */
export interface ServerProcess {
  pid: number;
  stop(): Promise<void>;
}

/** Starts `command args…` and waits until it prints "LISTENING". */
export async function startServer(
  command: string,
  args: string[],
  what: string,
): Promise<ServerProcess> {
  const child = new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  // Its stderr, kept for the error of a server that does not start.
  let errors = "";
  const drained = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      errors = (errors + text).slice(-500);
    }
  })().catch(() => {});
  const stop = async () => {
    reader.releaseLock();
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await drained;
  };
  try {
    let seen = "";
    while (!seen.includes("LISTENING")) {
      const { value, done } = await reader.read();
      if (done) {
        await child.status;
        await drained;
        throw new Error(`the ${what} server exited before listening: ${errors.trim()}`);
      }
      seen += value;
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: child.pid, stop };
}

/** The median of paired ratios: `pick(a) / pick(b)` for runs `a` and `b` of the same rep. */
export function pairedRatio<S extends { rep: number }>(
  as: readonly S[],
  bs: readonly S[],
  pick: (s: S) => number,
): number {
  const ratios: number[] = [];
  for (const a of as) {
    const b = bs.find((s) => s.rep === a.rep);
    if (b) ratios.push(pick(a) / pick(b));
  }
  if (!ratios.length) return NaN;
  ratios.sort((x, y) => x - y);
  const mid = Math.floor(ratios.length / 2);
  return ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
}

/** How a wrk measurement warms up and how long it runs. */
export interface WrkTiming {
  /** wrk's timed part, whole seconds. */
  seconds: number;
  /** 0: no warm-up. */
  warmupSeconds: number;
  /** The warm-up goes on until the server has served this many requests (see wrkWarmup). */
  warmupRequests: number;
}

/**
 * Warms `server` up, then one timed wrk run against it, with the server
 * process's CPU time per request (NaN without /proc).
 */
export async function wrkMeasure(
  wrk: string,
  script: string,
  url: string,
  connections: number,
  server: ServerProcess,
  timing: WrkTiming,
): Promise<WrkSummary & { cpuUsPerRequest: number }> {
  if (timing.warmupSeconds > 0) {
    await wrkWarmup(wrk, script, url, connections, timing.warmupSeconds, timing.warmupRequests);
  }
  const before = await cpuSeconds(server.pid);
  const run = await wrkRun(wrk, script, url, connections, timing.seconds);
  const after = await cpuSeconds(server.pid);
  return { ...run, cpuUsPerRequest: ((after - before) * 1e6) / run.requests };
}

/**
 * Warms a server up: wrk for `seconds`, then more runs until `requests`
 * were served (for at most WARMUP_CAP_SECONDS more), so that a JavaScript
 * server measured at low concurrency runs its optimized code, not its JIT's
 * lower tiers.
 */
async function wrkWarmup(
  wrk: string,
  script: string,
  url: string,
  connections: number,
  seconds: number,
  requests: number,
): Promise<void> {
  const first = Math.max(1, Math.round(seconds));
  let served = (await wrkRun(wrk, script, url, connections, first)).requests;
  let spent = 0;
  let rate = served / first;
  while (served < requests && spent < WARMUP_CAP_SECONDS && rate > 0) {
    const more = Math.min(
      WARMUP_CAP_SECONDS - spent,
      Math.max(1, Math.ceil((requests - served) / rate)),
    );
    const run = await wrkRun(wrk, script, url, connections, more);
    served += run.requests;
    spent += more;
    rate = run.requests / more;
  }
}
