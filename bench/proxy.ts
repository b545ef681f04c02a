// The proxy handler benchmark: the connect proxy handler of
// @aiocent/aiocent/proxy against a bare Deno.serve JSON handler doing the
// same work (bench/proxy_server.ts), each in a fresh Deno process, loaded by
// wrk posting the connect request Centrifugo sends (bench/wrk_proxy.lua),
// round-robin, at each concurrency. Measures throughput, latency and the
// server process's CPU time per request (from /proc: the comparison that
// other load on the machine moves least). Part of `deno task bench`
// (bench/main.ts); `deno task bench --proxy` runs only this.

import {
  freePort,
  pairedRatio,
  startServer,
  wrkMeasure,
  type WrkSummary,
  type WrkTiming,
} from "./_wrk.ts";
import { median } from "./stats.ts";

/** One measurement of one server at one concurrency. */
export type ProxyVariant = "bare" | "handler" | "bareAuth" | "handlerAuth";

export interface ProxySample {
  variant: ProxyVariant;
  concurrency: number;
  rep: number;
  result?: WrkSummary & {
    /** CPU time of the server process per request, µs (NaN without /proc). */
    cpuUsPerRequest: number;
  };
  error?: string;
}

/** The proxy part of results.json. */
export interface ProxyBench {
  /** What was compared, for the report. */
  variants: Partial<Record<ProxyVariant, string>>;
  concurrencies: number[];
  reps: number;
  seconds: number;
  samples: ProxySample[];
  /** Why it did not run, if it did not. */
  skipped?: string;
}

export interface ProxyOptions extends WrkTiming {
  concurrencies: number[];
  /** Also the pair whose functions read a header (as an authenticating connect proxy does). */
  auth: boolean;
  reps: number;
  /** wrk's command (undefined: not installed). */
  wrk: string | undefined;
  wrkReason?: string;
}

const VARIANTS: Record<ProxyVariant, string> = {
  bare: "Deno.serve(async (request) => Response.json({ result: { user: (await request.json())" +
    ".client } }))",
  handler: "Deno.serve(connectHandler((req) => ({ user: req.client })))",
  bareAuth: 'the same, with user: request.headers.get("authorization") ?? body.client',
  handlerAuth: 'the same, with user: request.headers.get("authorization") ?? req.client',
};

/** Each pair compared: the baseline, then the library. */
const PAIRS: [ProxyVariant, ProxyVariant][] = [["bare", "handler"], ["bareAuth", "handlerAuth"]];

const here = new URL("./", import.meta.url).pathname;

/** One server process, one wrk run against it. */
async function measure(
  options: ProxyOptions,
  variant: ProxyVariant,
  concurrency: number,
): Promise<ProxySample["result"]> {
  const port = freePort();
  const server = await startServer(
    Deno.execPath(),
    ["run", "--allow-net", `${here}proxy_server.ts`, variant, String(port)],
    variant,
  );
  try {
    const url = `http://127.0.0.1:${port}/centrifugo/connect`;
    const script = `${here}wrk_proxy.lua`;
    return await wrkMeasure(options.wrk!, script, url, concurrency, server, options);
  } finally {
    await server.stop();
  }
}

/** Both servers at every concurrency, `reps` times, alternating which goes first. */
export async function proxyRuns(
  options: ProxyOptions,
  log: (line: string) => void,
): Promise<ProxyBench> {
  const pairs = options.auth ? PAIRS : PAIRS.slice(0, 1);
  const bench: ProxyBench = {
    variants: Object.fromEntries(pairs.flat().map((v) => [v, VARIANTS[v]])),
    concurrencies: options.concurrencies,
    reps: options.reps,
    seconds: options.seconds,
    samples: [],
  };
  if (!options.wrk) return { ...bench, skipped: options.wrkReason ?? "wrk is not installed" };
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const concurrency of options.concurrencies) {
      const order = pairs.flatMap(([base, mine]) =>
        (rep + concurrency) % 2 ? [base, mine] : [mine, base]
      );
      for (const variant of order) {
        const sample: ProxySample = { variant, concurrency, rep };
        try {
          sample.result = await measure(options, variant, concurrency);
          const r = sample.result!;
          log(
            `proxy rep ${rep} c=${concurrency} ${variant}: ${r.rps.toFixed(0)} req/s, ` +
              `p50 ${r.p50.toFixed(2)} ms, ${r.cpuUsPerRequest.toFixed(2)} µs CPU/req` +
              (r.errors ? `, ${r.errors} errors` : ""),
          );
        } catch (err) {
          sample.error = err instanceof Error ? err.message : String(err);
          log(`proxy rep ${rep} c=${concurrency} ${variant}: failed: ${sample.error}`);
        }
        bench.samples.push(sample);
      }
    }
  }
  return bench;
}

/** Per pair and concurrency: median rps and CPU/req of each variant, and the handler's ratios. */
export function proxyRatios(bench: ProxyBench, pair: [ProxyVariant, ProxyVariant] = PAIRS[0]!): {
  concurrency: number;
  bare: { rps: number; cpu: number; p50: number };
  handler: { rps: number; cpu: number; p50: number };
  /** Throughput of the handler over the bare handler's (median of paired reps). */
  rpsRatio: number;
  /** CPU per request of the bare handler over the handler's. */
  cpuRatio: number;
}[] {
  return bench.concurrencies.map((concurrency) => {
    const [base, mine] = pair;
    const of = (variant: string) =>
      bench.samples.filter((s) =>
        s.variant === variant && s.concurrency === concurrency && s.result && !s.result.errors
      );
    const stats = (variant: string) => {
      const samples = of(variant);
      return {
        rps: median(samples.map((s) => s.result!.rps)),
        cpu: median(samples.map((s) => s.result!.cpuUsPerRequest)),
        p50: median(samples.map((s) => s.result!.p50)),
      };
    };
    return {
      concurrency,
      bare: stats(base),
      handler: stats(mine),
      // Each rep's runs, which ran next to each other, paired.
      rpsRatio: pairedRatio(of(mine), of(base), (s) => s.result!.rps),
      cpuRatio: pairedRatio(of(base), of(mine), (s) => s.result!.cpuUsPerRequest),
    };
  });
}

/** The report's section for the proxy benchmark (Markdown lines). */
export function renderProxy(bench: ProxyBench | undefined): string[] {
  const md = ["## Proxy handler", ""];
  if (!bench) return [...md, "Not measured yet: run `deno task bench --proxy`.", ""];
  if (bench.skipped) return [...md, `Not measured: ${bench.skipped}.`, ""];
  md.push(
    "The connect proxy handler of `@aiocent/aiocent/proxy` against a bare `Deno.serve` JSON " +
      "handler answering the same request, each served by a fresh Deno process on loopback and " +
      "loaded by `wrk` (one thread) with the connect request Centrifugo sends its connect proxy " +
      `(bench/wrk_proxy.lua); ${bench.reps} run(s) of ${bench.seconds} s per server and ` +
      "concurrency, alternating. The handler also checks the method, the declared size (to " +
      "refuse a large body unread), the request's shape against `ConnectRequest` and the " +
      "answer against `ConnectResult`.",
    "",
    ...Object.entries(bench.variants).map(([name, what]) => `- ${name}: \`${what}\``),
    "",
  );
  const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "–");
  for (const pair of PAIRS.filter(([b, m]) => bench.variants[b] && bench.variants[m])) {
    const [base, mine] = pair;
    md.push(
      `| ${mine} vs ${base}, concurrency | ${base} req/s | ${mine} req/s | × ${base} ` +
        `(≥ 0.9×) | ${base} µs CPU/req | ${mine} µs CPU/req | CPU efficiency × ${base} |`,
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const r of proxyRatios(bench, pair)) {
      md.push(
        `| ${r.concurrency} | ${r.bare.rps.toFixed(0)} | ${r.handler.rps.toFixed(0)} | ${
          x(r.rpsRatio)
        }${r.rpsRatio >= 0.9 ? " ✅" : " ❌"} | ${r.bare.cpu.toFixed(2)} | ${
          r.handler.cpu.toFixed(2)
        } | ${x(r.cpuRatio)} |`,
      );
    }
    md.push("");
  }
  const failed = bench.samples.filter((s) => s.error || s.result?.errors);
  md.push(
    'Ratios are medians over the reps of each rep\'s pair of runs. "CPU efficiency" is the ' +
      "baseline server's CPU time per request over the handler's (user + system time of the " +
      "server process, which includes Deno's HTTP stack): the same comparison, moved less by " +
      "other load on the machine. On Deno, reading one request header makes the runtime build " +
      "them all: the bare handler never does, the handler must (`content-length`, to refuse a " +
      "large body unread), and a connect proxy that authenticates reads one anyway" +
      (bench.variants.handlerAuth ? ", which the second pair shows." : ".") +
      (failed.length ? ` ${failed.length} run(s) failed or had errors and are left out.` : ""),
    "",
  );
  return md;
}
