// Renders the results JSON (written by bench/main.ts) as BENCHMARKS.md plus
// two SVG charts. Pure function of the results, so `deno task bench --report`
// can redo it; the hand-written analysis in bench/analysis.md is appended.

import { type ProxyBench, renderProxy } from "./proxy.ts";
import { type DecomposeBench, renderDecompose } from "./decompose.ts";
import { type InterleaveBench, interleaveTargets, renderInterleave } from "./interleave.ts";
import { renderWeb, type WebBench } from "./web.ts";
import type { ProfileSummary } from "./profile.ts";
import type { Machine } from "./setup.ts";
import { median, type Spread, spread } from "./stats.ts";
import { FETCH_PARTS, WARMUP_CAP_SECONDS } from "./_measure.js";
import { type BarPanel, lineSvg, throughputSvg } from "./svg.ts";

export interface RunResult {
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU time of the load generator's process (all threads) per request, µs; not for wrk. */
  cpuUsPerRequest?: number;
}

export interface Sample {
  contender: string;
  concurrency: number;
  rep: number;
  attempt: number;
  /** Busy CPU share (of all cores) right before and after, with nothing of ours running. */
  busyBefore: number;
  busyAfter: number;
  disturbed: boolean;
  loadavg: number;
  result?: RunResult;
  error?: string;
}

interface Timed {
  seconds: number;
  errors: number;
}

export interface ShapeResult {
  channels: number;
  sequential: Timed;
  batch: Timed;
  broadcast: Timed;
}

export interface ContenderInfo {
  id: string;
  label: string;
  runtime: string;
  kind: string;
  baseline?: string;
  careful?: string;
  color: string;
  skipped?: string;
}

export interface MemoryPoint {
  publishes: number;
  rss: number;
  heapUsed: number;
  seconds: number;
}

export interface Results {
  version: 1;
  generatedAt: string;
  quick: boolean;
  machine: Machine;
  versions: Record<string, string>;
  settings: {
    reps: number;
    concurrencies: number[];
    seconds: number;
    warmupSeconds: number;
    /** Absent in runs made before the warm-up counted requests. */
    warmupRequests?: number;
    shapeChannels: number;
    publication: { prefix: string; channels: number; data: unknown };
  };
  contenders: ContenderInfo[];
  /** A measurement's command line per contender (at concurrency 64). */
  commands: Record<string, string>;
  throughput: Sample[];
  shape: {
    contender: string;
    rep: number;
    busyBefore: number;
    result?: ShapeResult;
    error?: string;
  }[];
  profiles: {
    contender: string;
    concurrency: number;
    path: string;
    result?: RunResult;
    summary?: ProfileSummary;
    error?: string;
  }[];
  /** Raw fetch plus each part of the client's request, and the client (see main.ts). */
  ablation?: {
    runtime: string;
    concurrency: number;
    variant: string;
    rep: number;
    busyBefore: number;
    result?: RunResult;
    error?: string;
  }[];
  memory?: {
    publishes: number;
    concurrency: number;
    command: string;
    /** The code measured (see versions["aiocent-ts"]), when the memory run was separate. */
    source?: string;
    result?: {
      requests: number;
      errors: number;
      firstError?: string;
      seconds: number;
      curve: MemoryPoint[];
    };
    error?: string;
    /** The client on Node and Bun, the same publishes. */
    runtimes?: {
      contender: string;
      result?: { requests: number; errors: number; seconds: number; curve: MemoryPoint[] };
      error?: string;
    }[];
    /** Raw fetch variants over fewer publishes, for comparison. */
    comparisons?: {
      variant: string;
      publishes: number;
      result?: { requests: number; errors: number; seconds: number; curve: MemoryPoint[] };
      error?: string;
    }[];
  };
  durationSeconds: number;
  /** The proxy handler benchmark (bench/proxy.ts), when it ran. */
  proxy?: ProxyBench;
  /** Apps publishing once per incoming request (bench/web.ts), when it ran. */
  web?: WebBench;
  /** The client's cost on Deno taken apart (bench/decompose.ts), when it ran. */
  decompose?: DecomposeBench;
  /** The client, raw and careful requests taking turns in one process (bench/interleave.ts). */
  interleave?: InterleaveBench;
}

export interface Layout {
  markdown: string;
  json: string;
  svgDir: string;
  /** Prefix of the SVG files as linked from the markdown file. */
  svgLink: string;
}

/** Medians over the repetitions of one contender at one concurrency. */
export interface Cell {
  rps: Spread;
  p50: number;
  p99: number;
  /** Median CPU µs per request of the load generator (NaN for wrk). */
  cpu: number;
  errors: number;
  runs: number;
  disturbed: number;
  failed: number;
}

export function aggregate(results: Results): Map<string, Cell> {
  const groups = new Map<string, Sample[]>();
  for (const sample of results.throughput) {
    const key = `${sample.contender}@${sample.concurrency}`;
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  const cells = new Map<string, Cell>();
  for (const [key, samples] of groups) {
    const ok = samples.filter((s) => s.result).map((s) => s.result!);
    cells.set(key, {
      rps: spread(ok.map((r) => r.rps)),
      p50: median(ok.map((r) => r.p50)),
      p99: median(ok.map((r) => r.p99)),
      cpu: median(ok.map((r) => r.cpuUsPerRequest ?? NaN)),
      errors: ok.reduce((a, r) => a + r.errors, 0),
      runs: ok.length,
      disturbed: samples.filter((s) => s.disturbed).length,
      failed: samples.length - ok.length,
    });
  }
  return cells;
}

/** Per rep, the ratio of two contenders measured in the same round. */
function pairedRatios(results: Results, a: string, b: string, concurrency: number): number[] {
  const of = (id: string) =>
    new Map(
      results.throughput
        .filter((s) => s.contender === id && s.concurrency === concurrency && s.result)
        .map((s) => [s.rep, s.result!.rps]),
    );
  const left = of(a);
  const right = of(b);
  return [...left].filter(([rep]) => right.has(rep)).map(([rep, v]) => v / right.get(rep)!);
}

export interface Ratio {
  contender: string;
  versus: string;
  concurrency: number;
  /** Ratio of the median throughputs. */
  ratio: number;
  /** Range of the same-round ratios. */
  paired: Spread;
}

export function ratio(
  results: Results,
  cells: Map<string, Cell>,
  contender: string,
  versus: string,
  concurrency: number,
): Ratio | undefined {
  const a = cells.get(`${contender}@${concurrency}`)?.rps.median;
  const b = cells.get(`${versus}@${concurrency}`)?.rps.median;
  if (!a || !b || !Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  return {
    contender,
    versus,
    concurrency,
    ratio: a / b,
    paired: spread(pairedRatios(results, contender, versus, concurrency)),
  };
}

/** This client against raw fetch in its runtime, at each concurrency. */
export function clientRatios(results: Results): Ratio[] {
  const cells = aggregate(results);
  const out: Ratio[] = [];
  for (const c of results.contenders.filter((c) => c.kind === "client" && c.baseline)) {
    for (const concurrency of results.settings.concurrencies) {
      const r = ratio(results, cells, c.id, c.baseline!, concurrency);
      if (r) out.push(r);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Formatting

const PEERS = [
  { id: "py-cent", short: "cent (Py)" },
  { id: "py-aiocent", short: "aiocent 4.1.2 (Py)" },
  { id: "node-centjs", short: "cent.js (Node)" },
  { id: "wrk", short: "wrk" },
] as const;

function int(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–";
}
function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}
function x(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? `${value.toFixed(2)}×` : "–";
}
/** A ratio checked against `goal`, with enough digits that the verdict never looks wrong. */
function verdict(value: number, goal: number): string {
  const digits = value.toFixed(2) === goal.toFixed(2) ? 3 : 2;
  return `${value >= goal ? "**holds**" : "**misses**"} (lowest ${value.toFixed(digits)}×)`;
}
function pct(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}
function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
/** A markdown table; columns after the first are right-aligned unless `left` says otherwise. */
/** min–max of a memory figure over the second half of a curve, in MiB. */
function rangeOf(curve: MemoryPoint[], key: "rss" | "heapUsed"): string {
  const half = curve.slice(Math.floor(curve.length / 2)).map((p) => p[key]);
  return `${mib(Math.min(...half))}–${mib(Math.max(...half))}`;
}

function table(head: string[], rows: string[][], left = 1): string {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map((_, i) => (i < left ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

function labelOf(results: Results, id: string): string {
  return results.contenders.find((c) => c.id === id)?.label ?? id;
}

// ---------------------------------------------------------------------------

export async function render(results: Results, layout: Layout): Promise<void> {
  const cells = aggregate(results);
  const s = results.settings;
  const measured = results.contenders.filter((c) => !c.skipped);
  const clients = measured.filter((c) => c.kind === "client");
  const md: string[] = [];
  const svgThroughput = "throughput.svg";
  const svgMemory = "memory.svg";

  md.push(
    "# Benchmarks",
    "",
    `Publish throughput and latency of this client (\`aiocent-ts\`, one request per call) on Deno, ` +
      `Node and Bun, against the bare \`fetch\` of the same runtime sending the identical request ` +
      `(the client's own ceiling), \`wrk\` (the server's ceiling), and the other server-API ` +
      `clients: \`cent\` 5 \`AsyncClient\` and \`aiocent\` 4.1.2 (Python), \`cent.js\` (Node). ` +
      `All of them talk to one real, local Centrifugo ${
        results.versions.centrifugo ?? ""
      } (memory engine, history on for the channels used).`,
    "",
    `Generated by \`deno task bench\` (bench/main.ts) on ${results.generatedAt.slice(0, 10)}${
      results.quick ? " — **quick mode: tiny, noisy run, not for conclusions**" : ""
    }. The raw figures are in \`${
      layout.svgLink ? "bench/results.json" : "results.json"
    }\`; \`deno task bench --report\` renders this file again from them.`,
    "",
    `> **Read the figures as a comparison on one machine, not as capacity.** The machine has ` +
      `${results.machine.cores} cores, and the load generator and Centrifugo share them: a ` +
      `contender that spends less CPU per request leaves more for the server, so client ` +
      `efficiency shows up as throughput. Other processes (test runs of other sessions) also ` +
      `used this machine at times; see [Noise](#noise).`,
    "",
  );

  // Targets.
  if (results.throughput.length > 0) {
    md.push("## Targets", "");
    const rows: string[][] = [];
    for (const c of clients) {
      const vsRaw = s.concurrencies.map((k) => ratio(results, cells, c.id, c.baseline!, k));
      const peerCheck = (peer: string, goal: number) => {
        const rs = s.concurrencies.map((k) => ratio(results, cells, c.id, peer, k));
        if (rs.some((r) => !r)) return "not measured";
        return verdict(Math.min(...rs.map((r) => r!.ratio)), goal);
      };
      const worstRaw = vsRaw.every(Boolean) ? Math.min(...vsRaw.map((r) => r!.ratio)) : NaN;
      const vsCareful = c.careful
        ? s.concurrencies.map((k) => ratio(results, cells, c.id, c.careful!, k))
        : [];
      const worstCareful = vsCareful.length && vsCareful.every(Boolean)
        ? Math.min(...vsCareful.map((r) => r!.ratio))
        : NaN;
      const cpuPair = s.concurrencies.map((k) => {
        const mine = cells.get(`${c.id}@${k}`)?.cpu;
        const raw = cells.get(`${c.baseline}@${k}`)?.cpu;
        return `${Number.isFinite(mine) ? mine!.toFixed(0) : "–"} / ${
          Number.isFinite(raw) ? raw!.toFixed(0) : "–"
        }`;
      });
      const cpuRatiosTo = (base: string | undefined) =>
        s.concurrencies.map((k) => {
          const mine = cells.get(`${c.id}@${k}`)?.cpu;
          const theirs = base ? cells.get(`${base}@${k}`)?.cpu : undefined;
          return mine && theirs ? theirs / mine : NaN;
        });
      const cpuRatios = cpuRatiosTo(c.baseline);
      const cpuCareful = cpuRatiosTo(c.careful);
      rows.push([
        c.label,
        Number.isFinite(worstRaw) ? verdict(worstRaw, 0.95) : "not measured",
        Number.isFinite(worstCareful) ? verdict(worstCareful, 1) : "not measured",
        cpuRatios.every(Number.isFinite) ? `lowest ${x(Math.min(...cpuRatios))}` : "–",
        cpuCareful.every(Number.isFinite) ? `lowest ${x(Math.min(...cpuCareful))}` : "–",
        cpuPair.join(", "),
        peerCheck("py-cent", 2),
        peerCheck("py-aiocent", 2),
        peerCheck("node-centjs", 1),
      ]);
    }
    md.push(
      table(
        [
          "client",
          "≥ 0.95× raw, every concurrency",
          "≥ 1.00× raw with a timeout",
          "CPU efficiency × raw",
          "CPU efficiency × raw with a timeout",
          `CPU µs/req, client / raw (c = ${s.concurrencies.join(", ")})`,
          "≥ 2× cent AsyncClient",
          "≥ 2× aiocent 4.1.2",
          "≥ 1× cent.js",
        ],
        rows,
      ),
      "",
      `Ratios are of median throughputs at each of the concurrencies ${
        s.concurrencies.join(", ")
      }; "lowest" is the worst concurrency. "Raw" is the bare request of the client's ` +
        'runtime (Deno, Bun: `fetch`; Node: `node:http`, which the client uses there); "raw ' +
        'with a timeout" the same request as a careful user writes it (`fetch` with ' +
        '`AbortSignal.timeout`; `node:http` with a timer cleared at the end). "CPU efficiency" ' +
        "is raw's CPU time per request over the client's (see below), and the same for raw with a " +
        "timeout: the same comparison, " +
        "measured in a way that other load on the machine barely moves. The tables below give " +
        "every figure.",
      "",
    );
    const interleaved = results.interleave ? interleaveTargets(results.interleave) : [];
    if (interleaved.length) {
      md.push(
        "The same targets with the client and both requests taking turns in one process " +
          "(see [Interleaved in one process](#interleaved-in-one-process)): the ratio of " +
          "throughputs at each of the concurrencies " +
          `${results.interleave!.concurrencies.join(", ")}, judged by its 95 % interval ` +
          "(met: all of it at or above the target; missed: all below; unresolved: it spans the " +
          "target). The A/A column is the client against a second instance of itself: what " +
          "this run cannot tell apart; where its interval leaves out 1, nothing is judged " +
          "(A/A off).",
        "",
        table(
          ["runtime", "client × raw (≥ 0.95)", "client × careful (≥ 1.00)", "A/A"],
          interleaved,
        ),
        "",
      );
    }
  }

  // Machine.
  const m = results.machine;
  md.push(
    "## Machine",
    "",
    table(["", ""], [
      ["CPU", `${m.cpu}, ${m.cores} cores (shared by the load generator and Centrifugo)`],
      ["memory", `${m.memoryGiB} GiB`],
      ["OS", `${m.os} (${m.kernel})`],
      ...Object.entries(results.versions).map(([k, v]) => [k, v]),
    ], 2),
    "",
  );

  // How to run.
  md.push(
    "## How to run",
    "",
    "```sh",
    "deno task bench              # throughput + shape (+ CPU profile if the client is below 0.95× fetch)",
    "deno task bench --memory     # memory curve: 1 000 000 publishes through one client",
    "deno task bench --quick      # a tiny run of every part, written to ~/.cache/aiocent/bench-quick",
    "deno task bench --report     # render BENCHMARKS.md again from bench/results.json",
    "deno task bench --help       # options: --reps, --concurrency, --seconds, --only, --out, …",
    "```",
    "",
    "It builds Centrifugo 6.9.1 once if needed (as the tests do), installs `wrk` with apt-get when " +
      "it is missing, creates two throwaway venvs under `~/.cache/aiocent/bench-venv/` (`cent` and " +
      "`aiocent` cannot share one: aiocent 4.1.2 ships its own top-level `cent` package, which " +
      "overwrites cent 5's), installs `cent.js` under `~/.cache/aiocent/bench-node/`, and builds " +
      "the package for Node/Bun with `buildNpm()`. A peer that cannot be had is skipped and named " +
      "in the report.",
    "",
    "Each measurement is one fresh process; the command lines (at concurrency 64; `$SNAPSHOT` " +
      "is a copy of `mod.ts` + `src/` taken when the run starts, and Node/Bun load a copy of the " +
      "`buildNpm()` output, so edits made during a run do not change the code measured):",
    "",
    "```sh",
    ...measured.map((c) => results.commands[c.id]).filter((cmd): cmd is string => !!cmd),
    "```",
    "",
  );

  // Method.
  md.push(
    "## Method",
    "",
    `- Every contender sends the same request: \`POST /api/publish\` with \`X-API-Key\` and ` +
      `\`{"channel":"${s.publication.prefix}<i mod ${s.publication.channels}>","data":${
        JSON.stringify(s.publication.data)
      }}\` (aiocent 4.1.2 speaks only the legacy format: \`POST /api\` with ` +
      `\`{"method":"publish","params":{…,"skip_history":false}}\` and \`Authorization: apikey\`). ` +
      `The channels have history (size 1000, TTL 300 s), so every publish also writes history.`,
    `- \`concurrency\` workers take request numbers from one counter (asyncio tasks in Python); ` +
      `each measurement warms up for ${s.warmupSeconds} s at the same concurrency` +
      (s.warmupRequests
        ? ` and, on the JavaScript runtimes, until ${
          s.warmupRequests.toLocaleString("en-US")
        } requests are done (at most ${WARMUP_CAP_SECONDS} s more): their JIT optimizes a function only after ` +
          "thousands of calls, and a shorter warm-up at concurrency 1 measures the lower tiers " +
          "(Python and wrk have no such tiers and warm up by time only)"
        : "") +
      `, then runs for ${s.seconds} s; requests in flight at the deadline complete and count. ` +
      "wrk runs for the same time with one thread and `concurrency` connections, after a " +
      "separate 1 s warm-up.",
    `- Contenders alternate round-robin (the order rotates every round), each measurement ` +
      `${s.reps}×; tables give the median, the min–max range and the interquartile range of ` +
      `req/s, and the medians of the per-run p50 and p99 latencies. Ratios are of medians; ` +
      `"paired" ratios compare runs of the same round.`,
    "- Clients run with a 10 s timeout. Raw fetch (and raw node:http) is as bare as it gets: no " +
      'timeout, no signal, status and Centrifugo\'s `error` checked. "With a timeout" adds a ' +
      "10 s timeout the way a careful user writes one: `signal: AbortSignal.timeout(10_000)` " +
      "for fetch, a `setTimeout` destroying the request (cleared at the end) for node:http. " +
      "node:http requests take their options as a plain object made once, with the body's " +
      "length in the headers, as a careful user writes them. Python uses the standard asyncio loop; aiohttp " +
      "sessions keep their default pool of 100 connections, so at concurrency 256 the Python " +
      "contenders queue in their pool (that is what their users get). HTTP/1.1 keep-alive " +
      "everywhere.",
    "- Before each measurement the bench waits until the machine is idle (< 25 % CPU busy with " +
      "nothing of ours running; at most 20 s each time and 5 min over the run) and checks again " +
      "right after; a measurement that found it busy is run once more while that budget lasts.",
    "",
  );

  // Throughput tables.
  if (results.throughput.length > 0) {
    md.push("## Throughput and latency", "");
    md.push(`![publish throughput](${layout.svgLink}${svgThroughput})`, "");
    for (const k of s.concurrencies) {
      md.push(`### Concurrency ${k}`, "");
      const rows = measured.map((c) => {
        const cell = cells.get(`${c.id}@${k}`);
        if (!cell || cell.runs === 0) {
          return [
            c.label,
            "–",
            "–",
            "–",
            "–",
            "–",
            "–",
            "–",
            "–",
            "–",
            "–",
            ...PEERS.map(() => "–"),
            "–",
          ];
        }
        const raw = c.baseline ? cells.get(`${c.baseline}@${k}`) : undefined;
        const vsRaw = c.baseline ? ratio(results, cells, c.id, c.baseline, k) : undefined;
        const vsCareful = c.careful ? ratio(results, cells, c.id, c.careful, k) : undefined;
        return [
          c.kind === "client" ? `**${c.label}**` : c.label,
          int(cell.rps.median),
          `${int(cell.rps.min)}–${int(cell.rps.max)}`,
          `${int(cell.rps.q1)}–${int(cell.rps.q3)}`,
          ms(cell.p50),
          ms(cell.p99),
          vsRaw
            ? `${x(vsRaw.ratio)} (paired ${x(vsRaw.paired.min)}–${x(vsRaw.paired.max)})`
            : c.kind === "raw"
            ? "1.00×"
            : "–",
          vsCareful ? x(vsCareful.ratio) : "–",
          raw ? `${x(cell.p50 / raw.p50)} / ${x(cell.p99 / raw.p99)}` : "–",
          Number.isFinite(cell.cpu) ? cell.cpu.toFixed(0) : "–",
          raw && Number.isFinite(cell.cpu)
            ? x(raw.cpu / cell.cpu)
            : c.kind === "raw"
            ? "1.00×"
            : "–",
          ...PEERS.map((p) =>
            p.id === c.id ? "1.00×" : x(ratio(results, cells, c.id, p.id, k)?.ratio)
          ),
          `${cell.runs}${cell.errors ? `, ${cell.errors} errors` : ""}${
            cell.failed ? `, ${cell.failed} failed` : ""
          }`,
        ];
      });
      md.push(
        table(
          [
            "contender",
            "req/s",
            "min–max",
            "IQR",
            "p50 ms",
            "p99 ms",
            "× raw (same runtime)",
            "× raw with a timeout",
            "p50 / p99 ÷ raw",
            "CPU µs/req",
            "CPU efficiency × raw",
            ...PEERS.map((p) => `× ${p.short}`),
            "runs",
          ],
          rows,
        ),
        "",
      );
    }
    md.push(
      '"× raw": this contender\'s median req/s over the raw HTTP of its runtime (fetch; ' +
        'node:http for this client on Node; aiohttp for Python); "× raw with a timeout": over ' +
        'the same request with a timeout, as a careful user writes it. "p50 / p99 ÷ raw": its latencies over raw\'s (above 1 = slower). ' +
        '"CPU µs/req": CPU time (user + system, all threads) of the load generator\'s process ' +
        "per request, median over the runs; it hardly depends on what else runs on the machine, " +
        "so it is the steadier measure of a client's own cost. \"CPU efficiency × raw\": raw's " +
        'CPU per request over this one\'s (1.00× = costs the same as bare HTTP). "× peer": its ' +
        "median req/s over the peer's.",
      "",
    );
  }

  // Shape.
  const shapeRows = results.shape.filter((r) => r.result);
  if (shapeRows.length > 0) {
    const ids = [...new Set(shapeRows.map((r) => r.contender))];
    const channels = shapeRows[0]!.result!.channels;
    md.push(
      `## ${channels.toLocaleString("en-US")} channels: sequential, one batch, one broadcast`,
      "",
      `The shape from the Python client's README: publish the same data into ` +
        `${channels.toLocaleString("en-US")} channels (\`shape_0\` …) one request at a time, ` +
        `then in one batch (\`Batch\` + \`client.send\`; cent: \`BatchRequest\`), then in one ` +
        `\`broadcast\`. Seconds, median of ${
          Math.max(...ids.map((id) => shapeRows.filter((r) => r.contender === id).length))
        } runs (min–max).`,
      "",
    );
    const phases = ["sequential", "batch", "broadcast"] as const;
    const med = (id: string, phase: (typeof phases)[number]) =>
      spread(shapeRows.filter((r) => r.contender === id).map((r) => r.result![phase].seconds));
    const rows = ids.map((id) => {
      const errors = shapeRows.filter((r) => r.contender === id).reduce(
        (a, r) =>
          a + r.result!.sequential.errors + r.result!.batch.errors + r.result!.broadcast.errors,
        0,
      );
      return [
        labelOf(results, id),
        ...phases.map((p) => {
          const v = med(id, p);
          return `${v.median.toFixed(3)} (${v.min.toFixed(3)}–${v.max.toFixed(3)})`;
        }),
        x(med(id, "sequential").median / med(id, "batch").median),
        x(med(id, "sequential").median / med(id, "broadcast").median),
        String(errors),
      ];
    });
    md.push(
      table(
        [
          "client",
          "sequential s",
          "batch s",
          "broadcast s",
          "batch speed-up",
          "broadcast speed-up",
          "errors",
        ],
        rows,
      ),
      "",
    );
    if (ids.includes("deno-client") && ids.includes("py-cent")) {
      md.push(
        `aiocent-ts (Deno) over cent: ${
          phases.map((p) => `${p} ${x(med("py-cent", p).median / med("deno-client", p).median)}`)
            .join(", ")
        } (time ratio: above 1 = aiocent-ts is faster).`,
        "",
      );
    }
  }

  // Memory.
  const mem = results.memory;
  if (mem?.result) {
    const curve = mem.result.curve;
    const first = curve[1] ?? curve[0]!;
    const last = curve[curve.length - 1]!;
    md.push(
      "## Memory",
      "",
      `One Deno client${mem.source ? ` (aiocent-ts ${mem.source})` : ""} publishing ${
        mem.result.requests.toLocaleString("en-US")
      } times at concurrency ${mem.concurrency} (${
        (mem.result.requests / mem.result.seconds).toFixed(0)
      } req/s over ${mem.result.seconds.toFixed(0)} s, ${mem.result.errors} errors), ` +
        "`Deno.memoryUsage()` sampled every 1/20 of the run:",
      "",
      "```sh",
      `deno task bench --memory${
        mem.publishes !== 1_000_000 ? ` --publishes ${mem.publishes}` : ""
      }   # runs: ${mem.command}`,
      "```",
      "",
      `![RSS over publishes](${layout.svgLink}${svgMemory})`,
      "",
      table(
        ["publishes", "RSS MiB", "heap used MiB", "elapsed s"],
        curve.map((p) => [int(p.publishes), mib(p.rss), mib(p.heapUsed), p.seconds.toFixed(1)]),
      ),
      "",
      `RSS after the first sample: ${mib(first.rss)} MiB; at the end: ${mib(last.rss)} MiB (${
        last.rss >= first.rss ? "+" : ""
      }${(((last.rss - first.rss) / first.rss) * 100).toFixed(1)} %). Heap used at the end: ${
        mib(last.heapUsed)
      } MiB. Over the second half of the run: RSS ${rangeOf(curve, "rss")} MiB, heap used ${
        rangeOf(curve, "heapUsed")
      } MiB.`,
      "",
    );
    const others = mem.runtimes ?? [];
    if (others.length > 0) {
      const growth = (c: MemoryPoint[], at: number) => {
        const from = c[Math.max(1, Math.floor(at * (c.length - 1)))] ?? c[0]!;
        const to = c[c.length - 1]!;
        return `${to.rss >= from.rss ? "+" : ""}${
          (((to.rss - from.rss) / from.rss) * 100).toFixed(1)
        } %`;
      };
      md.push(
        `The same client on the other runtimes (the npm build, \`process.memoryUsage()\`), ` +
          `${mem.publishes.toLocaleString("en-US")} publishes at concurrency ${mem.concurrency}, ` +
          "each beside the hand-written request with a timeout of its runtime:",
        "",
        table(
          [
            "runtime",
            "req/s",
            "errors",
            "RSS MiB, second half",
            "heap used MiB, second half",
            "RSS first sample → end",
            "RSS half → end",
          ],
          others.map((o) =>
            o.result
              ? [
                labelOf(results, o.contender),
                int(o.result.requests / o.result.seconds),
                String(o.result.errors),
                rangeOf(o.result.curve, "rss"),
                rangeOf(o.result.curve, "heapUsed"),
                growth(o.result.curve, 0),
                growth(o.result.curve, 0.5),
              ]
              : [labelOf(results, o.contender), "–", "–", "–", "–", "–", `failed: ${o.error}`]
          ),
        ),
        "",
      );
    }
    const comparisons = (mem.comparisons ?? []).filter((c) => c.result);
    if (comparisons.length > 0) {
      const names: Record<string, string> = {
        "fetch": "raw fetch, no timeout",
        "fetch:signal": "raw fetch + `AbortSignal.timeout(10 s)` per request",
        "fetch:cleared":
          "raw fetch + 10 s timer (`AbortController` + `setTimeout`) cleared on completion",
      };
      md.push(
        `For comparison, raw fetch in the same process setup, ${
          comparisons[0]!.publishes.toLocaleString("en-US")
        } publishes at concurrency ${mem.concurrency}, over the second half of each run ` +
          "(the client above uses a 10 s timeout too):",
        "",
        table(
          ["request", "req/s", "RSS MiB", "heap used MiB"],
          comparisons.map((c) => [
            names[c.variant] ?? c.variant,
            int(c.result!.requests / c.result!.seconds),
            rangeOf(c.result!.curve, "rss"),
            rangeOf(c.result!.curve, "heapUsed"),
          ]),
        ),
        "",
      );
    }
  } else if (mem?.error) {
    md.push("## Memory", "", `The memory run failed: ${mem.error}`, "");
  } else {
    md.push("## Memory", "", "Not measured yet: run `deno task bench --memory`.", "");
  }

  // Profiles.
  const profiles = results.profiles.filter((p) => p.summary);
  if (profiles.length > 0) {
    md.push(
      "## CPU profile",
      "",
      "V8 CPU profiles (node:inspector, 100 µs sampling, timed part only) of this client and raw " +
        "HTTP in the same runtime (fetch; on Node `node:http`, which the client sends over " +
        "there), at the concurrency where the client fell furthest below raw fetch. Shares are of the busy (non-idle) time of the load generator's main thread; " +
        "`op_*` are Deno's native (Rust) ops, whose own threads are not sampled. The profiles " +
        "are kept under `~/.cache/aiocent/bench-profiles/`.",
      "",
    );
    const byRuntime = new Map<string, typeof profiles>();
    for (const p of profiles) {
      const runtime = results.contenders.find((c) => c.id === p.contender)?.runtime ?? "?";
      byRuntime.set(runtime, [...(byRuntime.get(runtime) ?? []), p]);
    }
    for (const [runtime, list] of byRuntime) {
      md.push(`### ${runtime}, concurrency ${list[0]!.concurrency}`, "");
      md.push(
        table(
          ["", ...list.map((p) => labelOf(results, p.contender))],
          [
            ["req/s while profiled", ...list.map((p) => int(p.result?.rps ?? NaN))],
            [
              "busy ms per 1 000 requests",
              ...list.map((p) =>
                p.result ? (p.summary!.busyMs / p.result.requests * 1000).toFixed(1) : "–"
              ),
            ],
          ],
        ),
        "",
      );
      const areas = [...new Set(list.flatMap((p) => p.summary!.areas.map((a) => a.area)))];
      md.push(
        "Busy time per area, in ms per 1 000 requests (share of busy time):",
        "",
        table(
          ["area", ...list.map((p) => labelOf(results, p.contender))],
          areas.map((area) => [
            area,
            ...list.map((p) => {
              const a = p.summary!.areas.find((e) => e.area === area);
              if (!a || !p.result) return "–";
              return `${(a.ms / p.result.requests * 1000).toFixed(1)} (${pct(a.share)})`;
            }),
          ]),
        ),
        "",
      );
      for (const p of list) {
        md.push(
          `Top self time, ${labelOf(results, p.contender)}:`,
          "",
          table(
            ["function", "where", "area", "share"],
            p.summary!.self.slice(0, 12).map((e) => [
              `\`${e.name}\``,
              e.where ? `\`${e.where}\`` : "",
              e.area,
              pct(e.share),
            ]),
            3,
          ),
          "",
        );
        if (p.summary!.library.length > 0) {
          md.push(
            `This library's functions by total (inclusive) time, ${labelOf(results, p.contender)}:`,
            "",
            table(
              ["function", "where", "share"],
              p.summary!.library.slice(0, 10).map((e) => [
                `\`${e.name}\``,
                `\`${e.where}\``,
                pct(e.share),
              ]),
              2,
            ),
            "",
          );
        }
      }
    }
  }

  // Ablation.
  const ablation = (results.ablation ?? []).filter((a) => a.result);
  if (ablation.length > 0) {
    md.push(
      "## What each part of the request costs",
      "",
      "Raw fetch, then raw fetch plus one thing the client adds to each request, then all of " +
        "them (the client's request written by hand), other ways of writing it, then the client " +
        "itself: what separates the client from bare fetch, and how much of that is its own " +
        "code. On Node, where the client sends over `node:http`, the same against bare " +
        "`node:http`. Round-robin, median req/s (min–max) at the concurrency where the client " +
        "fell furthest below raw.",
      "",
    );
    const describe: Record<string, string> = {
      "fetch": "bare fetch (plain headers object, `response.json()`)",
      "fetch:controller": "+ `signal` of an `AbortController` made per request, never aborted",
      "fetch:manual": '+ `redirect: "manual"`',
      "fetch:text": "+ `JSON.parse(await response.text())` instead of `response.json()`",
      "fetch:length": "+ the response's `content-length` read",
      [`fetch:${FETCH_PARTS.join(",")}`]:
        "+ all four of the above: **the client's request, written by hand**",
      "fetch:signal": "what-if: `signal: AbortSignal.timeout(10 s)` instead (a careful user's)",
      "fetch:headers": "what-if: one prebuilt `Headers` instance instead of a plain object",
      "fetch:cleared":
        "what-if: the 10 s timeout through an `AbortController` + `setTimeout` cleared when the response is read",
      "client": "**the client** (`client.publish`)",
      "http": "bare `node:http` with a keep-alive agent (the client's transport on Node)",
      "http:timer": "`node:http` + a 10 s timer cleared at the end (the client's request by hand)",
      "transport": "the client's own `node:http` transport alone, with its 10 s deadline",
    };
    // One table per runtime and concurrency: runs at another concurrency are not comparable.
    const groups = [...new Set(ablation.map((a) => `${a.runtime} ${a.concurrency}`))];
    for (const group of groups) {
      const list = ablation.filter((a) => `${a.runtime} ${a.concurrency}` === group);
      const runtime = list[0]!.runtime;
      const variants = [...new Set(list.map((a) => a.variant))];
      const rps = (variant: string) =>
        spread(list.filter((a) => a.variant === variant).map((a) => a.result!.rps));
      const base = variants.includes("fetch") ? "fetch" : variants[0]!;
      const bare = rps(base).median;
      const bareCpu = median(
        list.filter((a) => a.variant === base).map((a) => a.result!.cpuUsPerRequest ?? NaN),
      );
      md.push(
        `### ${runtime}, concurrency ${list[0]!.concurrency}`,
        "",
        table(
          [
            "request",
            "req/s",
            "min–max",
            base === "fetch" ? "× bare fetch" : "× bare",
            "p50 ms",
            "CPU µs/req",
            "CPU vs bare",
          ],
          variants.map((variant) => {
            const r = rps(variant);
            const runs = list.filter((a) => a.variant === variant).map((a) => a.result!);
            const p50 = median(runs.map((a) => a.p50));
            const cpu = median(runs.map((a) => a.cpuUsPerRequest ?? NaN));
            return [
              describe[variant] ?? variant,
              int(r.median),
              `${int(r.min)}–${int(r.max)}`,
              x(r.median / bare),
              ms(p50),
              Number.isFinite(cpu) ? cpu.toFixed(0) : "–",
              Number.isFinite(cpu) && Number.isFinite(bareCpu)
                ? `${cpu >= bareCpu ? "+" : "−"}${Math.abs(cpu - bareCpu).toFixed(0)} µs`
                : "–",
            ];
          }),
        ),
        "",
      );
    }
  }

  // The client, raw and careful requests taking turns in one process (bench/interleave.ts).
  if (results.interleave || results.throughput.length > 0) {
    md.push(...renderInterleave(results.interleave));
  }

  // The client's cost on Deno taken apart in real runs (bench/decompose.ts).
  if (results.decompose || results.throughput.length > 0) {
    md.push(...renderDecompose(results.decompose));
  }

  // How users call it: a web server publishing once per request (bench/web.ts).
  if (results.web || results.throughput.length > 0) md.push(...renderWeb(results.web));

  // The proxy handler against a bare Deno.serve handler (bench/proxy.ts).
  if (results.proxy || results.throughput.length > 0) md.push(...renderProxy(results.proxy));

  // Noise.
  if (results.throughput.length > 0) {
    const disturbed = results.throughput.filter((t) => t.disturbed);
    const retried = results.throughput.filter((t) => t.attempt > 1);
    md.push(
      "## Noise",
      "",
      `${results.throughput.length} measurements; ${retried.length} ${
        retried.length === 1 ? "was" : "were"
      } run a second time because ` +
        `the machine was busy with something else before or after, and ${disturbed.length} of ` +
        `the kept ones still saw a busy machine (more than 25 % CPU with nothing of ours ` +
        `running). Median 1-minute load average during the run: ${
          median(results.throughput.map((t) => t.loadavg)).toFixed(2)
        }. Whole run: ${(results.durationSeconds / 60).toFixed(1)} min.`,
      "",
    );
    const skipped = results.contenders.filter((c) => c.skipped);
    if (skipped.length) {
      md.push("Skipped contenders:", "", ...skipped.map((c) => `- ${c.label}: ${c.skipped}`), "");
    }
    const failed = results.throughput.filter((t) => t.error);
    if (failed.length) {
      md.push(
        "Failed measurements:",
        "",
        ...failed.slice(0, 10).map((t) =>
          `- ${t.contender} c=${t.concurrency} rep ${t.rep}: ${t.error?.split("\n")[0]}`
        ),
        "",
      );
    }
  }

  // Hand-written analysis.
  const analysis = await Deno.readTextFile(new URL("./analysis.md", import.meta.url)).catch(
    () => "",
  );
  if (analysis.trim() && !results.quick) md.push(analysis.trim(), "");

  await Deno.mkdir(layout.svgDir, { recursive: true });
  await Deno.writeTextFile(layout.markdown, md.join("\n"));

  // Charts.
  if (results.throughput.length > 0) {
    const panels: BarPanel[] = s.concurrencies.map((k) => ({
      title: `concurrency ${k}`,
      rows: measured.map((c) => ({
        label: c.label,
        color: c.color,
        spread: cells.get(`${c.id}@${k}`)?.rps,
      })),
    }));
    await Deno.writeTextFile(
      `${layout.svgDir}/${svgThroughput}`,
      throughputSvg(
        panels,
        `Publish throughput, req/s (median; whisker: min–max of ${s.reps} runs)`,
      ),
    );
  }
  if (mem?.result) {
    const curve = mem.result.curve;
    await Deno.writeTextFile(
      `${layout.svgDir}/${svgMemory}`,
      lineSvg(
        [
          {
            label: "RSS",
            color: "#1f6feb",
            points: curve.map((p) => ({ x: p.publishes, y: p.rss / 2 ** 20 })),
          },
          {
            label: "heap used",
            color: "#bf8700",
            points: curve.map((p) => ({ x: p.publishes, y: p.heapUsed / 2 ** 20 })),
          },
        ],
        `One Deno client, ${
          mem.result.requests.toLocaleString("en-US")
        } publishes at concurrency ${mem.concurrency}`,
        "publishes",
        "MiB",
      ),
    );
  }
  await formatFiles([
    layout.markdown,
    layout.json,
    `${layout.svgDir}/${svgThroughput}`,
    `${layout.svgDir}/${svgMemory}`,
  ]);
}

/** Runs `deno fmt` on the written files so the repository stays formatted. */
async function formatFiles(paths: string[]): Promise<void> {
  const existing: string[] = [];
  for (const path of paths) {
    if (await Deno.stat(path).then(() => true, () => false)) existing.push(path);
  }
  if (existing.length === 0) return;
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", ...existing],
    cwd: new URL("../", import.meta.url).pathname,
    stdout: "null",
    stderr: "null",
  }).output().catch(() => {});
}
