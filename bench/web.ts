// The web-server benchmark: how users call the library. An app serves HTTP
// and publishes once per incoming request (bench/web_server.ts on Deno.serve,
// bench/web_server_node.mjs on node:http); wrk loads the app at each
// concurrency (bench/wrk_web.lua) while it publishes into the benchmark's
// Centrifugo. Per runtime three apps, each in a fresh process, round-robin:
//
//   baseline   the hand-written call (Deno: fetch + AbortSignal.timeout;
//              Node: node:http + a timer), reading and checking the reply
//   client     client.publish()
//   autobatch  client.publish() with autoBatch: true (the defaults)
//
// Measures the app's throughput, latency and CPU time per request (from
// /proc). Part of `deno task bench` (bench/main.ts); `--web` runs only this.

import {
  freePort,
  pairedRatio,
  startServer,
  wrkMeasure,
  type WrkSummary,
  type WrkTiming,
} from "./_wrk.ts";
import { median } from "./stats.ts";

export type WebRuntime = "deno" | "node";
export type WebVariant = "baseline" | "client" | "autobatch";
const VARIANTS: readonly WebVariant[] = ["baseline", "client", "autobatch"];

/** One measurement of one app at one concurrency. */
export interface WebSample {
  runtime: WebRuntime;
  variant: WebVariant;
  concurrency: number;
  rep: number;
  result?: WrkSummary & {
    /** CPU time of the app process per incoming request, µs (NaN without /proc). */
    cpuUsPerRequest: number;
  };
  error?: string;
}

/** The web-server part of results.json. */
export interface WebBench {
  /** What each app does per request, for the report. */
  variants: Record<WebRuntime, Record<WebVariant, string>>;
  runtimes: WebRuntime[];
  concurrencies: number[];
  reps: number;
  seconds: number;
  samples: WebSample[];
  /** Runtimes left out and why. */
  missing: Partial<Record<WebRuntime, string>>;
  /** Why it did not run at all, if it did not. */
  skipped?: string;
}

export interface WebOptions extends WrkTiming {
  apiUrl: string;
  apiKey: string;
  /** The Deno source to load the client from (the run's snapshot of mod.ts). */
  denoModule: string;
  /** Node's command and the npm build's mod.js, or why Node is left out. */
  node: { command: string; module: string } | { reason: string };
  concurrencies: number[];
  reps: number;
  /** wrk's command (undefined: not installed). */
  wrk: string | undefined;
  wrkReason?: string;
}

const VARIANT_TEXT: WebBench["variants"] = {
  deno: {
    baseline: "fetch(url, { method, headers, body, signal: AbortSignal.timeout(5000) }), " +
      "response.json(), status and error checked",
    client: "client.publish(channel, data)",
    autobatch: "client.publish(channel, data) with autoBatch: true",
  },
  node: {
    baseline: "http.request() on a keep-alive Agent with a 5 s timer, body read, JSON.parse, " +
      "status and error checked",
    client: "client.publish(channel, data) (the npm build)",
    autobatch: "client.publish(channel, data) with autoBatch: true (the npm build)",
  },
};

const here = new URL("./", import.meta.url).pathname;

function command(options: WebOptions, runtime: WebRuntime, variant: WebVariant, port: number) {
  const common = [String(port), options.apiUrl, options.apiKey];
  if (runtime === "deno") {
    const mode = variant === "baseline" ? "fetch" : variant;
    return {
      cmd: Deno.execPath(),
      args: ["run", "-A", `${here}web_server.ts`, mode, ...common, options.denoModule],
    };
  }
  const node = options.node as { command: string; module: string };
  const mode = variant === "baseline" ? "http" : variant;
  return {
    cmd: node.command,
    args: [`${here}web_server_node.mjs`, mode, ...common, node.module],
  };
}

/** One app process, one wrk run against it (after a warm-up run). */
async function measure(
  options: WebOptions,
  runtime: WebRuntime,
  variant: WebVariant,
  concurrency: number,
): Promise<WebSample["result"]> {
  const port = freePort();
  const { cmd, args } = command(options, runtime, variant, port);
  const server = await startServer(cmd, args, `${runtime} ${variant}`);
  try {
    const url = `http://127.0.0.1:${port}/`;
    const script = `${here}wrk_web.lua`;
    return await wrkMeasure(options.wrk!, script, url, concurrency, server, options);
  } finally {
    await server.stop();
  }
}

/** Every app at every concurrency, `reps` times, rotating which goes first. */
export async function webRuns(options: WebOptions, log: (line: string) => void): Promise<WebBench> {
  const runtimes: WebRuntime[] = ["deno"];
  const missing: WebBench["missing"] = {};
  if ("reason" in options.node) missing.node = options.node.reason;
  else runtimes.push("node");
  const bench: WebBench = {
    variants: VARIANT_TEXT,
    runtimes,
    concurrencies: options.concurrencies,
    reps: options.reps,
    seconds: options.seconds,
    samples: [],
    missing,
  };
  if (!options.wrk) return { ...bench, skipped: options.wrkReason ?? "wrk is not installed" };
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const concurrency of options.concurrencies) {
      for (const runtime of runtimes) {
        const shift = (rep + concurrency) % VARIANTS.length;
        const order = [...VARIANTS.slice(shift), ...VARIANTS.slice(0, shift)];
        for (const variant of order) {
          const sample: WebSample = { runtime, variant, concurrency, rep };
          try {
            sample.result = await measure(options, runtime, variant, concurrency);
            const r = sample.result!;
            log(
              `web rep ${rep} c=${concurrency} ${runtime} ${variant}: ${r.rps.toFixed(0)} req/s, ` +
                `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ` +
                `${r.cpuUsPerRequest.toFixed(1)} µs CPU/req` +
                (r.errors ? `, ${r.errors} errors` : ""),
            );
          } catch (err) {
            sample.error = err instanceof Error ? err.message : String(err);
            log(`web rep ${rep} c=${concurrency} ${runtime} ${variant}: failed: ${sample.error}`);
          }
          bench.samples.push(sample);
        }
      }
    }
  }
  return bench;
}

/** Median figures of one app at one concurrency. */
export interface WebStats {
  rps: number;
  p50: number;
  p99: number;
  cpu: number;
}

/** Per runtime and concurrency: each app's medians and the ratios to the baseline. */
export interface WebRow {
  runtime: WebRuntime;
  concurrency: number;
  stats: Record<WebVariant, WebStats>;
  /** Throughput over the baseline's (median of paired reps). */
  rps: { client: number; autobatch: number };
  /** The baseline's CPU per request over each app's: above 1, cheaper than the baseline. */
  cpu: { client: number; autobatch: number };
}

export function webRows(bench: WebBench): WebRow[] {
  const rows: WebRow[] = [];
  for (const runtime of bench.runtimes) {
    for (const concurrency of bench.concurrencies) {
      const of = (variant: WebVariant) =>
        bench.samples.filter((s) =>
          s.runtime === runtime && s.variant === variant && s.concurrency === concurrency &&
          s.result && !s.result.errors
        );
      const stats = (variant: WebVariant): WebStats => {
        const samples = of(variant).map((s) => s.result!);
        return {
          rps: median(samples.map((r) => r.rps)),
          p50: median(samples.map((r) => r.p50)),
          p99: median(samples.map((r) => r.p99)),
          cpu: median(samples.map((r) => r.cpuUsPerRequest)),
        };
      };
      const base = of("baseline");
      const rps = (v: WebVariant) => pairedRatio(of(v), base, (s) => s.result!.rps);
      const cpu = (v: WebVariant) => pairedRatio(base, of(v), (s) => s.result!.cpuUsPerRequest);
      rows.push({
        runtime,
        concurrency,
        stats: {
          baseline: stats("baseline"),
          client: stats("client"),
          autobatch: stats("autobatch"),
        },
        rps: { client: rps("client"), autobatch: rps("autobatch") },
        cpu: { client: cpu("client"), autobatch: cpu("autobatch") },
      });
    }
  }
  return rows;
}

/**
 * The goals, per row: the client at least 0.95× the baseline's throughput;
 * auto-batching at least 3× at concurrency 256 with a p99 no worse, and not
 * below 0.95× at concurrency 1 (where there is nothing to batch).
 */
export function webGoals(row: WebRow): { client: boolean; autobatch: boolean } {
  const { rps, stats, concurrency } = row;
  const autobatch = concurrency >= 256
    ? rps.autobatch >= 3 && stats.autobatch.p99 <= stats.baseline.p99
    : concurrency <= 1
    ? rps.autobatch >= 0.95
    : rps.autobatch >= 0.95 && stats.autobatch.p99 <= stats.baseline.p99 * 1.1;
  return { client: rps.client >= 0.95, autobatch };
}

/** The report's section (Markdown lines). */
export function renderWeb(bench: WebBench | undefined): string[] {
  const md = ["## A web server publishing once per request", ""];
  if (!bench) return [...md, "Not measured yet: run `deno task bench --web`.", ""];
  if (bench.skipped) return [...md, `Not measured: ${bench.skipped}.`, ""];
  md.push(
    "How applications call the library: an HTTP app publishes once per incoming request and " +
      "answers when the publish is done; `wrk` (one thread, plain GETs, bench/wrk_web.lua) loads " +
      "the app at each concurrency, the app publishes into the benchmark's Centrifugo (64 " +
      "channels in turn). Every app runs in a fresh process; " +
      `${bench.reps} run(s) of ${bench.seconds} s per app and concurrency, rotating the order. ` +
      "Deno apps use `Deno.serve`, Node apps `node:http`.",
    "",
  );
  for (const runtime of bench.runtimes) {
    md.push(`- ${runtime} baseline: ${bench.variants[runtime].baseline}`);
  }
  for (const [runtime, reason] of Object.entries(bench.missing)) {
    md.push(`- ${runtime}: not measured (${reason})`);
  }
  md.push(
    "",
    "| runtime | concurrency | baseline req/s | client req/s | client × baseline (≥ 0.95×) | " +
      "autobatch req/s | autobatch × baseline | p99 ms baseline / client / autobatch | " +
      "µs CPU/req baseline / client / autobatch |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "–");
  const f = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : "–");
  for (const row of webRows(bench)) {
    const goals = webGoals(row);
    const s = row.stats;
    md.push(
      `| ${row.runtime} | ${row.concurrency} | ${f(s.baseline.rps, 0)} | ${f(s.client.rps, 0)} | ${
        x(row.rps.client)
      }${goals.client ? " ✅" : " ❌"} | ${f(s.autobatch.rps, 0)} | ${x(row.rps.autobatch)}${
        goals.autobatch ? " ✅" : " ❌"
      } | ${f(s.baseline.p99, 2)} / ${f(s.client.p99, 2)} / ${f(s.autobatch.p99, 2)} | ${
        f(s.baseline.cpu, 1)
      } / ${f(s.client.cpu, 1)} / ${f(s.autobatch.cpu, 1)} |`,
    );
  }
  const failed = bench.samples.filter((s) => s.error || s.result?.errors);
  md.push(
    "",
    "Ratios are medians over the reps of each rep's runs side by side. The autobatch goal: at " +
      "least 3× the baseline at concurrency 256 with a p99 no worse, at least 0.95× at " +
      "concurrency 1, and in between at least 0.95× with a p99 within 10 %. CPU per request is " +
      "the app process's user + system time over the requests it answered (it includes the " +
      "runtime's HTTP server)." +
      (failed.length ? ` ${failed.length} run(s) failed or had errors and are left out.` : ""),
    "",
  );
  return md;
}
