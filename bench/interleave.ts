// The client against its runtime's raw and careful requests, taking turns in
// one process: per runtime and concurrency, one load-generator process beside
// one Centrifugo runs the raw request, the careful one (with a timeout written
// by hand), the client and a second client (an A/A pair that shows how finely
// the run can tell two contenders apart) in slices of a fraction of a second,
// in a balanced order (bench/_measure.js, interleave). Fresh processes a few
// minutes apart differ by far more than 5 % on a shared machine, which is what
// the targets are about; slices a fraction of a second apart see the same
// machine. Part of `deno task bench` (bench/main.ts); `deno task bench
// --interleave` runs only this.

import { type InterleavedVariant, type Slice, WARMUP_CAP_SECONDS } from "./_measure.js";
import { commandOf, CONTENDERS, type Job, type Resolved } from "./contenders.ts";
import { runJson } from "./_run_json.ts";

/** What takes turns on each runtime, by variant name: the runner's impl. */
export const INTERLEAVE_SETS = {
  deno: { contender: "deno-client", raw: "fetch", careful: "fetch:signal" },
  node: { contender: "node-client", raw: "http", careful: "http:timer" },
  bun: { contender: "bun-client", raw: "fetch", careful: "fetch:signal" },
} as const;

export type InterleaveRuntime = keyof typeof INTERLEAVE_SETS;

/** The variants of one run, in the runner's terms. */
export function variantsOf(runtime: InterleaveRuntime): InterleavedVariant[] {
  const set = INTERLEAVE_SETS[runtime];
  return [
    { name: "raw", impl: set.raw },
    { name: "careful", impl: set.careful },
    { name: "client", impl: "client" },
    { name: "client again", impl: "client" },
  ];
}

/** One run: one runtime at one concurrency, in one process. */
export interface InterleaveRun {
  runtime: InterleaveRuntime;
  concurrency: number;
  slices: Slice[];
  firstError?: string;
  error?: string;
}

/** The interleave part of results.json. */
export interface InterleaveBench {
  concurrencies: number[];
  rounds: number;
  sliceSeconds: number;
  runs: InterleaveRun[];
  /** Per runtime, what an `AbortSignal.timeout` costs to make and to fire (CPU µs each). */
  timeoutSignal?: Partial<Record<InterleaveRuntime, TimeoutSignalCost>>;
}

/** What an `AbortSignal.timeout` costs apart from the request (bench/_measure.js). */
export interface TimeoutSignalCost {
  count: number;
  makeUs: number;
  fireUs: number;
}

export interface InterleaveOptions {
  /** The runner settings of a concurrency (mode, URL, key, warm-up). */
  job: (concurrency: number) => Job;
  resolved: Resolved;
  runtimes: InterleaveRuntime[];
  concurrencies: number[];
  rounds: number;
  sliceSeconds: number;
}

/** Every runtime at each concurrency, one process each. */
export async function interleaveRuns(
  options: InterleaveOptions,
  log: (line: string) => void,
): Promise<InterleaveBench> {
  const runs: InterleaveRun[] = [];
  for (const concurrency of options.concurrencies) {
    for (const runtime of options.runtimes) {
      const run = await runOnce(options, runtime, concurrency);
      runs.push(run);
      const s = summarize(run);
      log(
        `interleave ${runtime} c=${concurrency}: ${
          run.error ?? VARIANT_NAMES.map((v) =>
            `${v} ${s.variants[v].rps.toFixed(0)} req/s ${s.variants[v].cpu.toFixed(1)} µs`
          ).join(", ")
        }`,
      );
    }
  }
  const timeoutSignal: Partial<Record<InterleaveRuntime, TimeoutSignalCost>> = {};
  // Only where the careful request uses AbortSignal.timeout; Node's clears its timer.
  for (
    const runtime of options.runtimes.filter((r) => INTERLEAVE_SETS[r].careful === "fetch:signal")
  ) {
    const cost = await timeoutSignalCostOf(options, runtime);
    if (cost) {
      timeoutSignal[runtime] = cost;
      log(
        `interleave ${runtime}: AbortSignal.timeout made ${cost.makeUs.toFixed(2)} µs, ` +
          `fired ${cost.fireUs.toFixed(2)} µs`,
      );
    } else log(`interleave ${runtime}: the AbortSignal.timeout measurement failed`);
  }
  return {
    concurrencies: options.concurrencies,
    rounds: options.rounds,
    sliceSeconds: options.sliceSeconds,
    runs,
    timeoutSignal,
  };
}

/** The cost of the careful request's timer, which the interleaved runs leave out (see runOnce). */
async function timeoutSignalCostOf(
  options: InterleaveOptions,
  runtime: InterleaveRuntime,
): Promise<TimeoutSignalCost | undefined> {
  const job: Job = { ...options.job(1), mode: "timers", maxSeconds: 60 };
  const contender = CONTENDERS.find((c) => c.id === INTERLEAVE_SETS[runtime].contender)!;
  const outcome = await runJson(commandOf(contender, job, options.resolved, 0, "timers"), 120_000);
  return outcome.ok ? outcome.value as unknown as TimeoutSignalCost : undefined;
}

async function runOnce(
  options: InterleaveOptions,
  runtime: InterleaveRuntime,
  concurrency: number,
): Promise<InterleaveRun> {
  const variants = variantsOf(runtime);
  const base = options.job(concurrency);
  const perVariantWarmup = base.warmupSeconds + WARMUP_CAP_SECONDS;
  const maxSeconds = variants.length *
      (perVariantWarmup + options.rounds * options.sliceSeconds * 2) + 60;
  const job: Job = {
    ...base,
    mode: "interleave",
    variants,
    rounds: options.rounds,
    sliceSeconds: options.sliceSeconds,
    maxSeconds,
    // The careful request's AbortSignal.timeout cannot be cancelled: with 10 s, each of its
    // timers would fire 10 s later in whichever slice runs then, a cost the balanced order
    // does not spread (it balances only what a slice leaves to the next), and that fell on
    // one of the A/A pair. Timing out after the process has ended, none fires inside it;
    // what a firing costs is measured apart (timeoutSignalCost in bench/_measure.js).
    timeoutMs: (maxSeconds + 120) * 1000,
  };
  const contender = CONTENDERS.find((c) => c.id === INTERLEAVE_SETS[runtime].contender)!;
  const argv = commandOf(contender, job, options.resolved, 0, "interleave");
  const outcome = await runJson(argv, (job.maxSeconds + 60) * 1000);
  if (!outcome.ok) return { runtime, concurrency, slices: [], error: outcome.error };
  const result = outcome.value as unknown as { slices: Slice[]; firstError?: string };
  const errors = result.slices.reduce((n, s) => n + s.errors, 0);
  if (errors > 0) {
    return { runtime, concurrency, slices: [], error: `${errors} errors: ${result.firstError}` };
  }
  return { runtime, concurrency, slices: result.slices };
}

const VARIANT_NAMES = ["raw", "careful", "client", "client again"] as const;
type VariantName = typeof VARIANT_NAMES[number];

/** One variant's totals over its slices. */
export interface VariantTotals {
  requests: number;
  rps: number;
  /** CPU µs per request. */
  cpu: number;
  /** The synchronous part of a call, µs. */
  sync: number;
}

/** A throughput ratio over all rounds, with a 95 % interval from resampling the rounds. */
export interface RoundsRatio {
  ratio: number;
  low: number;
  high: number;
}

export interface InterleaveSummary {
  variants: Record<VariantName, VariantTotals>;
  vsRaw: RoundsRatio;
  vsCareful: RoundsRatio;
  /** The A/A pair: client over client again. */
  aa: RoundsRatio;
}

function totals(slices: Slice[]): VariantTotals {
  let requests = 0;
  let seconds = 0;
  let cpuMs = 0;
  let syncMs = 0;
  for (const s of slices) {
    requests += s.requests;
    seconds += s.seconds;
    cpuMs += s.cpuMs;
    syncMs += s.syncMs;
  }
  return {
    requests,
    rps: requests / seconds,
    cpu: (cpuMs * 1000) / requests,
    sync: (syncMs * 1000) / requests,
  };
}

/** A small deterministic generator, so that a report renders the same intervals every time. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `a`'s throughput over `b`'s, both summed over all rounds, and the 2.5 and
 * 97.5 percentiles of the same ratio over 2 000 resamplings of the rounds
 * (with replacement): how far the rounds' own spread lets the ratio move.
 */
export function roundsRatio(slices: Slice[], a: string, b: string): RoundsRatio {
  const byRound = new Map<number, { a: [number, number]; b: [number, number] }>();
  for (const s of slices) {
    if (s.variant !== a && s.variant !== b) continue;
    const r = byRound.get(s.round) ?? { a: [0, 0], b: [0, 0] };
    const side = s.variant === a ? r.a : r.b;
    side[0] += s.requests;
    side[1] += s.seconds;
    byRound.set(s.round, r);
  }
  const rounds = [...byRound.values()].filter((r) => r.a[1] > 0 && r.b[1] > 0);
  const ratioOf = (picked: typeof rounds) => {
    let ra = 0, sa = 0, rb = 0, sb = 0;
    for (const r of picked) {
      ra += r.a[0];
      sa += r.a[1];
      rb += r.b[0];
      sb += r.b[1];
    }
    return ra / sa / (rb / sb);
  };
  if (rounds.length === 0) return { ratio: NaN, low: NaN, high: NaN };
  const random = mulberry32(rounds.length * 7919 + a.length * 31 + b.length);
  const resampled: number[] = [];
  for (let k = 0; k < 2000; k++) {
    const pick = Array.from(
      { length: rounds.length },
      () => rounds[Math.floor(random() * rounds.length)]!,
    );
    resampled.push(ratioOf(pick));
  }
  resampled.sort((x, y) => x - y);
  return {
    ratio: ratioOf(rounds),
    low: resampled[Math.floor(0.025 * resampled.length)]!,
    high: resampled[Math.ceil(0.975 * resampled.length) - 1]!,
  };
}

/** Totals per variant and the client's ratios, for one run. */
export function summarize(run: InterleaveRun): InterleaveSummary {
  const variants = Object.fromEntries(
    VARIANT_NAMES.map((v) => [v, totals(run.slices.filter((s) => s.variant === v))]),
  ) as Record<VariantName, VariantTotals>;
  return {
    variants,
    vsRaw: roundsRatio(run.slices, "client", "raw"),
    vsCareful: roundsRatio(run.slices, "client", "careful"),
    aa: roundsRatio(run.slices, "client", "client again"),
  };
}

const LABEL: Record<InterleaveRuntime, string> = {
  deno: "Deno (raw: fetch; careful: fetch + `AbortSignal.timeout`)",
  node: "Node (raw: `node:http`; careful: `node:http` + a timer)",
  bun: "Bun (raw: fetch; careful: fetch + `AbortSignal.timeout`)",
};

/** "0.97× (0.95–0.99)", or "–". */
function shown(r: RoundsRatio): string {
  if (!Number.isFinite(r.ratio)) return "–";
  return `${r.ratio.toFixed(3)}× (${r.low.toFixed(3)}–${r.high.toFixed(3)})`;
}

/**
 * The verdict of one target from its interval: met, missed, or too close to
 * tell. A run whose A/A pair's interval leaves out 1 failed its own control:
 * its intervals are narrower than what moved it, so nothing is judged there.
 */
export function judged(r: RoundsRatio, goal: number, aa: RoundsRatio): string {
  if (!Number.isFinite(r.ratio)) return "–";
  if (!(aa.low <= 1 && aa.high >= 1)) return "unresolved (A/A off)";
  if (r.low >= goal) return "met";
  if (r.high < goal) return "missed";
  return "unresolved";
}

/** The rows of the Targets section (bench/report.ts): per runtime, the verdicts. */
export function interleaveTargets(bench: InterleaveBench): string[][] {
  const rows: string[][] = [];
  for (const runtime of Object.keys(INTERLEAVE_SETS) as InterleaveRuntime[]) {
    const runs = bench.runs.filter((r) => r.runtime === runtime && !r.error);
    if (runs.length === 0) continue;
    const summaries = bench.concurrencies.map((c) => {
      const run = runs.find((r) => r.concurrency === c);
      return run ? summarize(run) : undefined;
    });
    const at = (f: (s: InterleaveSummary) => RoundsRatio, goal: number) =>
      summaries.map((s) => s ? `${f(s).ratio.toFixed(2)} ${judged(f(s), goal, s.aa)}` : "–")
        .join(", ");
    rows.push([
      runtime,
      at((s) => s.vsRaw, 0.95),
      at((s) => s.vsCareful, 1),
      summaries.map((s) => s ? shown(s.aa) : "–").join(", "),
    ]);
  }
  return rows;
}

/** The report's section. */
export function renderInterleave(bench: InterleaveBench | undefined): string[] {
  const md = ["## Interleaved in one process", ""];
  if (!bench) return [...md, "Not measured yet: run `deno task bench --interleave`.", ""];
  md.push(
    "Per runtime and concurrency, one load-generator process beside one Centrifugo holds four " +
      "variants and runs them in turns: the raw request, the careful request, the client, and a " +
      "second instance of the client (an A/A pair: how finely this run tells two contenders " +
      `apart). ${bench.rounds} rounds of one ${bench.sliceSeconds} s slice per variant, in a ` +
      "balanced order (each variant at each place of a round and after each other variant " +
      "equally often); a slice's calls still in flight at its end complete inside it. Every " +
      "variant warms up first, as in the fresh-process runs. Throughput and CPU per request are " +
      "totals over a variant's slices; the ratios' intervals are the 2.5–97.5 percentiles over " +
      "2 000 resamplings of the rounds. A target is **met** when its whole interval is at or " +
      "above it, **missed** when the whole interval is below, **unresolved** otherwise; where " +
      "the A/A pair's own interval leaves out 1, the run failed its control (something moved " +
      "it more than its rounds' spread shows) and nothing is judged (**A/A off**).",
    "",
  );
  for (const runtime of Object.keys(INTERLEAVE_SETS) as InterleaveRuntime[]) {
    const runs = bench.runs.filter((r) => r.runtime === runtime);
    if (runs.length === 0) continue;
    md.push(
      `### ${LABEL[runtime]}`,
      "",
      "| concurrency | req/s raw / careful / client / client again | CPU µs/req | sync µs/call " +
        "| client × raw (≥ 0.95) | client × careful (≥ 1.00) | A/A |",
      "| ---: | ---: | ---: | ---: | :--- | :--- | :--- |",
    );
    for (const run of runs) {
      if (run.error) {
        md.push(`| ${run.concurrency} | failed: ${run.error.replace(/\|/g, "/")} | | | | | |`);
        continue;
      }
      const s = summarize(run);
      const each = (f: (t: VariantTotals) => string) =>
        VARIANT_NAMES.map((v) => f(s.variants[v])).join(" / ");
      md.push(
        `| ${run.concurrency} | ${each((t) => t.rps.toFixed(0))} | ${
          each((t) => t.cpu.toFixed(1))
        } | ${each((t) => t.sync.toFixed(2))} | ${shown(s.vsRaw)} ${
          judged(s.vsRaw, 0.95, s.aa)
        } | ${shown(s.vsCareful)} ${judged(s.vsCareful, 1, s.aa)} | ${shown(s.aa)} |`,
      );
    }
    md.push("");
  }
  const costs = bench.timeoutSignal ?? {};
  const measured = (Object.keys(INTERLEAVE_SETS) as InterleaveRuntime[]).filter((r) => costs[r]);
  if (measured.length > 0) {
    md.push(
      "The careful request's `AbortSignal.timeout` cannot be cancelled: in a server it fires " +
        "after every call, long after the call has settled. Here its timeout is set past the " +
        "end of the process, so that no timer of it fires in another variant's slice; its " +
        "figures above leave that firing out, a cost the client, which cancels its timer, " +
        "never leaves behind. Measured apart (CPU µs per signal, made then left to fire):",
      "",
      "| runtime | made | fired |",
      "| --- | ---: | ---: |",
      ...measured.map((r) =>
        `| ${r} | ${costs[r]!.makeUs.toFixed(2)} | ${costs[r]!.fireUs.toFixed(2)} |`
      ),
      "",
    );
  }
  return md;
}
