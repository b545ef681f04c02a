// The client's cost on Deno taken apart in real runs: the client, the client
// without a timeout, and the same request written by hand with and without the
// AbortController signal the client hands fetch (and the careful request with
// AbortSignal.timeout, for reference), each in a fresh process beside one
// Centrifugo, alternating. Per request: CPU time, the synchronous part of the
// call (until it returns its promise: everything before the request is handed
// to the runtime), and V8's garbage-collection pauses (--trace-gc) inside the
// timed part. Over an instant fetch the client's own JavaScript costs well
// under a microsecond; beside a real request it costs several, and this is
// where a change to its common path is judged. Part of `deno task bench`
// (bench/main.ts); `deno task bench --decompose` runs only this.

import type { RunnerConfig, RunResult } from "./_measure.js";
import { median } from "./stats.ts";

/** What runs: the runner's impl (bench/deno_client.ts) of each variant. */
export const DECOMPOSE_VARIANTS = {
  byHand: "fetch:manual,text,length",
  byHandSignal: "fetch:controller,manual,text,length",
  careful: "fetch:signal",
  untimed: "untimed",
  client: "client",
} as const;

export type DecomposeVariant = keyof typeof DECOMPOSE_VARIANTS;

const WHAT: Record<DecomposeVariant, string> = {
  byHand: 'the client\'s request by hand: `redirect: "manual"`, `JSON.parse(await ' +
    "response.text())`, the content-length read; no signal",
  byHandSignal: "the same with the signal of an AbortController made per request",
  careful: "fetch with `signal: AbortSignal.timeout(10 s)` (the careful request)",
  untimed: "the client with `timeout: Infinity` (no deadline, no signal)",
  client: "the client (its default 10 s timeout)",
};

/** Per request, in µs, of one timed run. */
export interface DecomposeResult {
  rps: number;
  cpu: number;
  sync: number;
  gc: number;
  /** Garbage collections inside the timed part. */
  collections: number;
}

export interface DecomposeSample {
  variant: DecomposeVariant;
  concurrency: number;
  rep: number;
  result?: DecomposeResult;
  error?: string;
}

/** The decompose part of results.json. */
export interface DecomposeBench {
  concurrencies: number[];
  reps: number;
  seconds: number;
  samples: DecomposeSample[];
}

export interface DecomposeOptions {
  /** Everything of the runner's config but the variant's impl and the concurrency. */
  job: Omit<RunnerConfig, "impl" | "concurrency">;
  /** Where the library snapshot lives (read permission). */
  sourceDir: string | undefined;
  concurrencies: number[];
  reps: number;
}

const BENCH = new URL(".", import.meta.url).pathname;

/**
 * The pauses of V8's --trace-gc lines stamped inside [begin, end] (the
 * isolate's ms, the runner's performance.now()): their sum in ms and count.
 */
export function gcPauses(trace: string, begin: number, end: number): { ms: number; count: number } {
  let ms = 0;
  let count = 0;
  for (const line of trace.split("\n")) {
    const m = /^\[[^\]]*\]\s+(\d+) ms: .*?, ([\d.]+) \/ [\d.]+ ms/.exec(line);
    if (!m || Number(m[1]) < begin || Number(m[1]) > end) continue;
    ms += Number(m[2]);
    count++;
  }
  return { ms, count };
}

async function runOnce(
  options: DecomposeOptions,
  variant: DecomposeVariant,
  concurrency: number,
): Promise<DecomposeResult> {
  const resultFile = await Deno.makeTempFile({ prefix: "aiocent-decompose-" });
  try {
    const config: RunnerConfig = {
      ...options.job,
      impl: DECOMPOSE_VARIANTS[variant],
      concurrency,
      timing: true,
      resultFile,
    };
    const read = options.sourceDir ? [`--allow-read=${options.sourceDir}`] : [];
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--v8-flags=--trace-gc",
        "--allow-net=127.0.0.1",
        ...read,
        `--allow-write=${resultFile}`,
        `${BENCH}deno_client.ts`,
        JSON.stringify(config),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`exit ${out.code}: ${new TextDecoder().decode(out.stderr).slice(-300)}`);
    }
    const result = JSON.parse(await Deno.readTextFile(resultFile)) as RunResult;
    if (result.errors > 0) throw new Error(`${result.errors} errors: ${result.firstError}`);
    const gc = gcPauses(new TextDecoder().decode(out.stdout), result.begin!, result.end!);
    return {
      rps: result.rps,
      cpu: result.cpuUsPerRequest,
      sync: result.syncUsPerRequest!,
      gc: (gc.ms * 1000) / result.requests,
      collections: gc.count,
    };
  } finally {
    await Deno.remove(resultFile).catch(() => {});
  }
}

/** Every variant at each concurrency, `reps` times, alternating. */
export async function decomposeRuns(
  options: DecomposeOptions,
  log: (line: string) => void,
): Promise<DecomposeBench> {
  const samples: DecomposeSample[] = [];
  const variants = Object.keys(DECOMPOSE_VARIANTS) as DecomposeVariant[];
  for (const concurrency of options.concurrencies) {
    for (let rep = 0; rep < options.reps; rep++) {
      for (const variant of variants) {
        try {
          const result = await runOnce(options, variant, concurrency);
          samples.push({ variant, concurrency, rep, result });
          log(
            `decompose c=${concurrency} rep ${rep} ${variant}: ${result.rps.toFixed(0)} req/s, ` +
              `cpu ${result.cpu.toFixed(1)} sync ${result.sync.toFixed(2)} gc ${
                result.gc.toFixed(2)
              } µs`,
          );
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err);
          samples.push({ variant, concurrency, rep, error });
          log(`decompose c=${concurrency} rep ${rep} ${variant}: ${error}`);
        }
      }
    }
  }
  return {
    concurrencies: options.concurrencies,
    reps: options.reps,
    seconds: options.job.seconds,
    samples,
  };
}

/** Medians of one variant at one concurrency (NaN where nothing was measured). */
export function decomposeCell(
  bench: DecomposeBench,
  variant: DecomposeVariant,
  concurrency: number,
): DecomposeResult {
  const results = bench.samples
    .filter((s) => s.variant === variant && s.concurrency === concurrency && s.result)
    .map((s) => s.result!);
  const of = (key: keyof DecomposeResult) =>
    results.length ? median(results.map((r) => r[key])) : NaN;
  return {
    rps: of("rps"),
    cpu: of("cpu"),
    sync: of("sync"),
    gc: of("gc"),
    collections: of("collections"),
  };
}

/** The report's section. */
export function renderDecompose(bench: DecomposeBench | undefined): string[] {
  const md = ["## The client's cost taken apart (Deno)", ""];
  if (!bench) return [...md, "Not measured yet: run `deno task bench --decompose`.", ""];
  md.push(
    "The client against the same request written by hand, on Deno, each in a fresh process " +
      `beside one Centrifugo, alternating; ${bench.reps} run(s) of ${bench.seconds} s per ` +
      "variant and concurrency. Per request: CPU time (user + system), the synchronous part of " +
      "the call (until it returns its promise: everything before the request is in the " +
      "runtime's hands; every variant is timed by the same wrapper), and V8's garbage-collection " +
      "pauses inside the timed part (`--trace-gc`). Medians over the runs.",
    "",
    ...(Object.keys(WHAT) as DecomposeVariant[]).map((v) => `- ${v}: ${WHAT[v]}`),
    "",
    "| concurrency | variant | req/s | µs CPU/req | µs sync/req | µs GC/req | GCs in the timed part |",
    "| ---: | :--- | ---: | ---: | ---: | ---: | ---: |",
  );
  const f = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : "–");
  for (const c of bench.concurrencies) {
    for (const v of Object.keys(DECOMPOSE_VARIANTS) as DecomposeVariant[]) {
      const cell = decomposeCell(bench, v, c);
      md.push(
        `| ${c} | ${v} | ${f(cell.rps, 0)} | ${f(cell.cpu, 1)} | ${f(cell.sync, 2)} | ${
          f(cell.gc, 2)
        } | ${f(cell.collections, 0)} |`,
      );
    }
  }
  md.push(
    "",
    "What the client adds over the request by hand with its signal (client − byHandSignal), " +
      "and what the runtime's Request following a signal costs (byHandSignal − byHand), in µs " +
      "per request:",
    "",
    "| concurrency | client CPU | of it sync | of it GC | signal CPU | of it GC |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  const d = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(2)}` : "–");
  for (const c of bench.concurrencies) {
    const client = decomposeCell(bench, "client", c);
    const signal = decomposeCell(bench, "byHandSignal", c);
    const hand = decomposeCell(bench, "byHand", c);
    md.push(
      `| ${c} | ${d(client.cpu - signal.cpu)} | ${d(client.sync - signal.sync)} | ${
        d(client.gc - signal.gc)
      } | ${d(signal.cpu - hand.cpu)} | ${d(signal.gc - hand.gc)} |`,
    );
  }
  const failed = bench.samples.filter((s) => s.error);
  if (failed.length) {
    md.push("", `${failed.length} run(s) failed; the first: ${failed[0]!.error}`);
  }
  md.push("");
  return md;
}
