// The benchmark: starts a local Centrifugo (memory engine, history on for the
// channels used), brings the peers (bench/setup.ts), measures publish
// throughput and latency of every contender (bench/contenders.ts) at each
// concurrency, round-robin, in a fresh process per measurement, then the
// "10 000 channels" shape, the client against its runtime's raw and careful
// requests taking turns in one process (bench/interleave.ts) and, with
// --memory, the RSS of one client over N publishes. Writes the results as JSON
// and renders BENCHMARKS.md and SVG charts (bench/report.ts).
//
//   deno task bench                 full run (~80 min on 2 cores): throughput, shape, profiles,
//                                   ablation, interleaved, decomposition, web server, proxy
//   deno task bench --memory        memory curve only (1 000 000 publishes by default)
//   deno task bench --quick         tiny run of every part, written outside the repository
//   deno task bench --help          all options

import { API_KEY, CENTRIFUGO_VERSION, startCentrifugo } from "../tests/_centrifugo.ts";
import {
  commandOf,
  type Contender,
  CONTENDERS,
  displayCommand,
  type Job,
  type Resolved,
  SHAPE_CONTENDERS,
} from "./contenders.ts";
import {
  cacheRoot,
  describeMachine,
  ensureCentJs,
  ensureRuntime,
  ensureVenv,
  ensureWrk,
  type Need,
  PINNED,
  prepareNpmBuild,
  pythonPackageVersion,
  pythonVersion,
  snapshotSource,
} from "./setup.ts";
import { summarize } from "./profile.ts";
import { FETCH_PARTS, FETCH_WHAT_IFS, WARMUP_CAP_SECONDS } from "./_measure.js";
import { clientRatios, type Layout, render, type Results, type Sample } from "./report.ts";
import { proxyRuns } from "./proxy.ts";
import { webRuns } from "./web.ts";
import { decomposeRuns } from "./decompose.ts";
import { runJson } from "./_run_json.ts";
import { interleaveRuns, type InterleaveRuntime } from "./interleave.ts";

/**
 * Requests every JavaScript measurement warms up with. Deno's V8 had the
 * client's call path optimized after about 20 000 publishes at concurrency 1
 * (--trace-opt), and its throughput level from about 25 000 on.
 */
const WARMUP_REQUESTS = 30_000;

const USAGE = `deno task bench [options]

  --quick              tiny run of every part (concurrency 1 and 16, 1 repetition, short
                       measurements, 300 channels, 20 000 publishes), written to
                       ~/.cache/aiocent/bench-quick unless --out is given
  --memory             only the memory curve (one Deno client, concurrency 64)
  --proxy              only the proxy handler against a bare Deno.serve JSON handler
                       (bench/proxy.ts; needs wrk)
  --web                only the web-server part: Deno.serve and node:http apps publishing
                       once per incoming request, loaded by wrk (bench/web.ts)
  --interleave         only the client, the raw and the careful request taking turns in one
                       process per runtime and concurrency (bench/interleave.ts)
  --rounds N           interleave: rounds of one slice per variant (default 48; quick 4)
  --slice S            interleave: seconds of one slice (default 0.25; quick 0.1)
  --decompose          only the client's cost on Deno taken apart: CPU, the synchronous part
                       of each call and GC pauses per request, against the request by hand
                       (bench/decompose.ts)
  --publishes N        memory: publishes (default 1000000; quick 20000)
  --reps N             repetitions of each measurement (default 5; quick 1)
  --concurrency LIST   comma-separated (default 1,16,64,256; quick 1,16)
  --seconds S          timed part of each measurement (default 2; quick 0.5; wrk: whole
                       seconds, at least 1)
  --warmup S           warm-up before it, same concurrency (default 1; quick 0.2)
  --warmup-requests N  and the warm-up goes on until N requests are done, for at most
                       ${WARMUP_CAP_SECONDS} s more (default ${WARMUP_REQUESTS}; quick 0): JavaScript runtimes optimize
                       a function only after thousands of calls
  --shape-channels N   channels of the sequential/batch/broadcast shape (default 10000;
                       quick 300); 0 skips it
  --only IDS           comma-separated contender ids (${CONTENDERS.map((c) => c.id).join(", ")})
  --profile / --no-profile
                       CPU-profile this client and raw fetch always / never (default: when
                       the client is below 0.95x raw fetch somewhere)
  --out DIR            write BENCHMARKS.md, results.json and the SVGs into DIR
  --report             only render the report again from the saved results.json
  --help`;

interface Options {
  quick: boolean;
  memory: boolean;
  proxy: boolean;
  web: boolean;
  decompose: boolean;
  interleave: boolean;
  rounds: number;
  slice: number;
  reportOnly: boolean;
  publishes: number;
  reps: number;
  concurrencies: number[];
  seconds: number;
  warmup: number;
  warmupRequests: number;
  shapeChannels: number;
  only?: Set<string>;
  profile: "auto" | "on" | "off";
  out?: string;
}

function parseOptions(args: string[]): Options {
  const quick = args.includes("--quick");
  const options: Options = {
    quick,
    memory: false,
    proxy: false,
    web: false,
    decompose: false,
    interleave: false,
    rounds: quick ? 4 : 48,
    slice: quick ? 0.1 : 0.25,
    reportOnly: false,
    publishes: quick ? 20_000 : 1_000_000,
    reps: quick ? 1 : 5,
    concurrencies: quick ? [1, 16] : [1, 16, 64, 256],
    seconds: quick ? 0.5 : 2,
    warmup: quick ? 0.2 : 1,
    warmupRequests: quick ? 0 : WARMUP_REQUESTS,
    shapeChannels: quick ? 300 : 10_000,
    profile: quick ? "on" : "auto",
  };
  const number = (name: string, value: string | undefined, min: number) => {
    const parsed = Number(value);
    if (value === undefined || !Number.isFinite(parsed) || parsed < min) {
      throw new Error(`${name} needs a number >= ${min}, got ${value}`);
    }
    return parsed;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => args[++i];
    switch (arg) {
      case "--quick":
        break;
      case "--memory":
        options.memory = true;
        break;
      case "--proxy":
        options.proxy = true;
        break;
      case "--web":
        options.web = true;
        break;
      case "--decompose":
        options.decompose = true;
        break;
      case "--interleave":
        options.interleave = true;
        break;
      case "--rounds":
        options.rounds = Math.floor(number(arg, value(), 1));
        break;
      case "--slice":
        options.slice = number(arg, value(), 0.01);
        break;
      case "--report":
        options.reportOnly = true;
        break;
      case "--publishes":
        options.publishes = Math.floor(number(arg, value(), 1));
        break;
      case "--reps":
        options.reps = Math.floor(number(arg, value(), 1));
        break;
      case "--concurrency":
        options.concurrencies = (value() ?? "").split(",").map((c) =>
          Math.floor(number(arg, c, 1))
        );
        break;
      case "--seconds":
        options.seconds = number(arg, value(), 0.1);
        break;
      case "--warmup":
        options.warmup = number(arg, value(), 0);
        break;
      case "--warmup-requests":
        options.warmupRequests = Math.floor(number(arg, value(), 0));
        break;
      case "--shape-channels":
        options.shapeChannels = Math.floor(number(arg, value(), 0));
        break;
      case "--only": {
        const ids = (value() ?? "").split(",").filter(Boolean);
        const unknown = ids.filter((id) => !CONTENDERS.some((c) => c.id === id));
        if (unknown.length) throw new Error(`--only: unknown contenders ${unknown.join(", ")}`);
        options.only = new Set(ids);
        break;
      }
      case "--profile":
        options.profile = "on";
        break;
      case "--no-profile":
        options.profile = "off";
        break;
      case "--out":
        options.out = value();
        if (!options.out) throw new Error("--out needs a folder");
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        Deno.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  return options;
}

function layoutOf(options: Options): Layout {
  const root = new URL("../", import.meta.url).pathname;
  const dir = options.out ?? (options.quick ? `${cacheRoot()}/bench-quick` : undefined);
  if (dir) {
    const base = dir.replace(/\/+$/, "");
    return {
      markdown: `${base}/BENCHMARKS.md`,
      json: `${base}/results.json`,
      svgDir: base,
      svgLink: "",
    };
  }
  return {
    markdown: `${root}BENCHMARKS.md`,
    json: `${root}bench/results.json`,
    svgDir: `${root}bench`,
    svgLink: "bench/",
  };
}

const log = (line: string) => console.error(`[bench] ${line}`);

/** The publish every contender sends. */
const PUBLICATION = { prefix: "bench_", channels: 100, data: { input: "test" } };

// ---------------------------------------------------------------------------
// Running one measurement

/** Busy share of all CPUs over `ms`, from /proc/stat (NaN where it is missing). */
async function cpuBusy(ms: number): Promise<number> {
  const read = async () => {
    const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { idle, total };
  };
  try {
    const a = await read();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const b = await read();
    return b.total > a.total ? 1 - (b.idle - a.idle) / (b.total - a.total) : 0;
  } catch {
    return NaN;
  }
}

/** Share of CPU busy (measured while nothing of ours runs) above which the machine is "busy". */
const BUSY = 0.25;

/**
 * Waits until the machine is quiet (other processes, e.g. test runs of other
 * sessions, share its 2 cores): at most 20 s per call and `budget` seconds
 * over the whole run, so a machine that stays busy costs a bounded delay.
 * `quiet()` returns the last busy share.
 */
class Gate {
  #left: number;
  constructor(budgetSeconds: number) {
    this.#left = budgetSeconds * 1000;
  }
  get exhausted(): boolean {
    return this.#left <= 0;
  }
  async quiet(): Promise<number> {
    const start = Date.now();
    const until = start + Math.min(20_000, Math.max(0, this.#left));
    let busy = await cpuBusy(300);
    while (busy >= BUSY && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      busy = await cpuBusy(300);
    }
    this.#left -= Date.now() - start;
    return busy;
  }
  /** Counts time spent re-running disturbed measurements against the budget. */
  charge(ms: number): void {
    this.#left -= ms;
  }
}

// ---------------------------------------------------------------------------

async function main() {
  const options = parseOptions(Deno.args);
  const layout = layoutOf(options);
  if (options.reportOnly) {
    const results = JSON.parse(await Deno.readTextFile(layout.json)) as Results;
    await render(results, layout);
    log(`rendered ${layout.markdown}`);
    return;
  }
  const previous = await Deno.readTextFile(layout.json).then(JSON.parse).catch(() => undefined) as
    | Results
    | undefined;
  const selected = CONTENDERS.filter((c) => !options.only || options.only.has(c.id));
  const started = Date.now();
  if (options.proxy) {
    // Only the proxy part: every other figure stays as the last run recorded it.
    if (!previous) throw new Error(`--proxy adds to ${layout.json}, which does not exist yet`);
    const results: Results = { ...previous, proxy: await proxyBench(options) };
    await Deno.mkdir(layout.svgDir, { recursive: true });
    await Deno.writeTextFile(layout.json, `${JSON.stringify(results, null, 2)}\n`);
    await render(results, layout);
    log(`wrote ${layout.json} and ${layout.markdown}`);
    return;
  }

  // Setup: only what the selected parts need.
  const wanted = new Set<string>(["denoSource"]);
  // Only one part (memory, web, decompose, interleave): every other figure stays as the last
  // run recorded it.
  const partial = options.memory || options.web || options.decompose || options.interleave;
  if (partial && !previous) {
    throw new Error(
      `--memory, --web, --decompose and --interleave add to ${layout.json}, which does not ` +
        "exist yet",
    );
  }
  if (!partial) { for (const c of selected) for (const need of c.needs) wanted.add(need); }
  // The web-server part: its Node apps load the npm build; wrk loads the apps.
  // The memory part: the client on Node and Bun too.
  // The decompose part: the Deno client only.
  // The interleave part: the client on every runtime.
  const extra = options.memory || options.interleave
    ? ["node", "bun", "npmBuild"]
    : options.decompose
    ? []
    : ["node", "npmBuild", "wrk"];
  for (const need of extra) wanted.add(need);
  // Node first: the npm build is checked by loading it in Node.
  const order = [
    "node",
    "bun",
    "denoSource",
    "npmBuild",
    "centjs",
    "centVenv",
    "aiocentVenv",
    "wrk",
  ];
  if (!partial && options.shapeChannels > 0 && selected.some((c) => c.id === "py-cent")) {
    wanted.add("centVenv");
  }
  const needs: Record<string, Need> = {};
  const cleanups: (() => Promise<void>)[] = [];
  for (const need of order.filter((n) => wanted.has(n))) {
    if (need === "node" || need === "bun") needs[need] = await ensureRuntime(need);
    else if (need === "wrk") needs[need] = await ensureWrk(log);
    else if (need === "centjs") needs[need] = await ensureCentJs(log);
    else if (need === "centVenv") needs[need] = await ensureVenv("cent", "cent", PINNED.cent, log);
    else if (need === "aiocentVenv") {
      needs[need] = await ensureVenv("aiocent", "aiocent", PINNED.aiocent, log);
    } else if (need === "npmBuild") {
      const node = needs.node?.ok ? needs.node.value : undefined;
      const build = await prepareNpmBuild(node);
      needs[need] = build;
      if (build.cleanup) cleanups.push(build.cleanup);
    } else if (need === "denoSource") {
      const snapshot = await snapshotSource();
      needs[need] = snapshot;
      if (snapshot.cleanup) cleanups.push(snapshot.cleanup);
    }
    const got = needs[need]!;
    if (!got.ok) log(`${need}: ${got.reason}`);
  }
  // Our own code not loading is a failure, never a skipped contender.
  for (const own of ["denoSource", "npmBuild"]) {
    const need = needs[own];
    if (need && !need.ok) throw new Error(`${own}: ${need.reason}`);
  }
  const resolved: Resolved = {};
  for (const [name, need] of Object.entries(needs)) if (need.ok) resolved[name] = need.value;
  const skipped: Record<string, string> = {};
  for (const c of selected) {
    const missing = c.needs.map((n) => needs[n]).find((n) => n && !n.ok);
    if (missing && !missing.ok) skipped[c.id] = missing.reason;
  }
  const active = selected.filter((c) => !skipped[c.id]);

  const results: Results = {
    version: 1,
    generatedAt: new Date().toISOString(),
    quick: options.quick,
    machine: await describeMachine(),
    versions: await versions(needs),
    settings: {
      reps: options.reps,
      concurrencies: options.concurrencies,
      seconds: options.seconds,
      warmupSeconds: options.warmup,
      warmupRequests: options.warmupRequests,
      shapeChannels: options.shapeChannels,
      publication: PUBLICATION,
    },
    contenders: CONTENDERS.filter((c) => selected.includes(c)).map((c) => ({
      id: c.id,
      label: c.label,
      runtime: c.runtime,
      kind: c.kind,
      baseline: c.baseline,
      careful: c.careful,
      color: c.color,
      ...(skipped[c.id] ? { skipped: skipped[c.id] } : {}),
    })),
    commands: {},
    throughput: partial ? previous?.throughput ?? [] : [],
    shape: partial ? previous?.shape ?? [] : [],
    profiles: partial ? previous?.profiles ?? [] : [],
    ablation: partial ? previous?.ablation ?? [] : [],
    memory: options.memory ? undefined : previous?.memory,
    proxy: previous?.proxy,
    web: options.web ? undefined : previous?.web,
    decompose: options.decompose ? undefined : previous?.decompose,
    interleave: options.interleave ? undefined : previous?.interleave,
    durationSeconds: 0,
  };
  if (partial && previous) {
    // Keep what the throughput run recorded; only the memory or web part is new.
    Object.assign(results, {
      machine: previous.machine,
      versions: previous.versions,
      settings: previous.settings,
      contenders: previous.contenders,
      commands: previous.commands,
      generatedAt: previous.generatedAt,
      durationSeconds: previous.durationSeconds,
      quick: previous.quick,
    });
  }

  log("starting Centrifugo …");
  const server = await startCentrifugo();
  log(`Centrifugo ${CENTRIFUGO_VERSION} at ${server.apiUrl}`);
  const job = (concurrency: number): Job => ({
    mode: "throughput",
    url: server.apiUrl,
    apiKey: API_KEY,
    publication: PUBLICATION,
    concurrency,
    requests: 500_000,
    seconds: options.seconds,
    warmupSeconds: options.warmup,
    warmupRequests: options.warmupRequests,
    maxSeconds: options.warmup + WARMUP_CAP_SECONDS + options.seconds + 60,
  });
  try {
    if (options.web) {
      results.web = await webBench(options, server.apiUrl, resolved, needs);
    } else if (options.decompose) {
      results.decompose = await decomposeBench(options, job, resolved);
    } else if (options.interleave) {
      results.interleave = await interleaveBench(options, job, resolved);
    } else if (options.memory) {
      const memory = await memoryRun(options, server.apiUrl, resolved);
      results.memory = memory &&
        { ...memory, source: needs.denoSource?.ok ? needs.denoSource.version : undefined };
    } else {
      for (const c of active) {
        results.commands[c.id] = displayCommand(
          commandOf(c, job(64), resolved, options.seconds),
        );
      }
      results.throughput = await throughputRuns(options, active, job, resolved);
      if (options.shapeChannels > 0) {
        results.shape = await shapeRuns(options, active, server.apiUrl, resolved);
      }
      const ratios = clientRatios(results);
      const below = ratios.filter((r) => r.ratio < 0.95);
      if (options.profile === "on" || (options.profile === "auto" && below.length > 0)) {
        results.profiles = await profileRuns(options, active, job, resolved, ratios);
        results.ablation = await ablationRuns(options, active, job, resolved, ratios);
      }
      if (options.quick) results.memory = await memoryRun(options, server.apiUrl, resolved);
      results.interleave = options.only
        ? previous?.interleave
        : await interleaveBench(options, job, resolved);
      results.decompose = options.only
        ? previous?.decompose
        : await decomposeBench(options, job, resolved);
      results.proxy = await proxyBench(options);
      results.web = options.only
        ? previous?.web
        : await webBench(options, server.apiUrl, resolved, needs);
      results.durationSeconds = (Date.now() - started) / 1000;
    }
  } finally {
    await server.stop();
    for (const cleanup of cleanups) await cleanup();
  }

  await Deno.mkdir(layout.svgDir, { recursive: true });
  await Deno.writeTextFile(layout.json, `${JSON.stringify(results, null, 2)}\n`);
  await render(results, layout);
  log(
    `wrote ${layout.json} and ${layout.markdown} in ${
      ((Date.now() - started) / 1000).toFixed(0)
    } s`,
  );
}

/** The proxy handler against a bare Deno.serve handler (bench/proxy.ts). */
async function proxyBench(options: Options): Promise<Results["proxy"]> {
  const wrk = await ensureWrk(log);
  log("proxy handler vs bare Deno.serve …");
  return await proxyRuns({
    concurrencies: options.quick ? [16] : [1, 16, 64],
    auth: !options.quick,
    reps: options.quick ? 1 : options.reps,
    seconds: options.quick ? 1 : wrkSeconds(options.seconds),
    warmupSeconds: options.quick ? 0 : options.warmup,
    warmupRequests: options.warmupRequests,
    wrk: wrk.ok ? wrk.value : undefined,
    wrkReason: wrk.ok ? undefined : wrk.reason,
  }, log);
}

/** The client's cost on Deno taken apart, at 1, 16 and 256 (bench/decompose.ts). */
async function decomposeBench(
  options: Options,
  job: (concurrency: number) => Job,
  resolved: Resolved,
): Promise<Results["decompose"]> {
  log("the client's cost on Deno taken apart …");
  const { concurrency: _, ...rest } = job(16);
  return await decomposeRuns({
    job: { ...rest, module: resolved.denoSource },
    sourceDir: resolved.denoSource?.replace(/\/mod\.ts$/, ""),
    concurrencies: options.quick ? [16] : [1, 16, 256],
    reps: options.reps,
  }, log);
}

/** The client, raw and careful requests taking turns in one process (bench/interleave.ts). */
async function interleaveBench(
  options: Options,
  job: (concurrency: number) => Job,
  resolved: Resolved,
): Promise<Results["interleave"]> {
  log("the client, raw and careful requests taking turns in one process …");
  const runtimes: InterleaveRuntime[] = ["deno"];
  if (resolved.npmBuild && resolved.node) runtimes.push("node");
  else log("interleave: Node skipped (node or the npm build is missing)");
  if (resolved.npmBuild && resolved.bun) runtimes.push("bun");
  else log("interleave: Bun skipped (bun or the npm build is missing)");
  return await interleaveRuns({
    job,
    resolved,
    runtimes,
    concurrencies: options.quick ? [16] : options.concurrencies,
    rounds: options.rounds,
    sliceSeconds: options.slice,
  }, log);
}

/** Apps publishing once per incoming request, on Deno and Node (bench/web.ts). */
async function webBench(
  options: Options,
  apiUrl: string,
  resolved: Resolved,
  needs: Record<string, Need>,
): Promise<Results["web"]> {
  log("web server publishing once per request …");
  const missing = [needs.node, needs.npmBuild].find((n) => n && !n.ok);
  return await webRuns({
    apiUrl,
    apiKey: API_KEY,
    denoModule: resolved.denoSource!,
    node: resolved.node && resolved.npmBuild
      ? { command: resolved.node, module: resolved.npmBuild }
      : { reason: missing && !missing.ok ? missing.reason : "node is not installed" },
    concurrencies: options.quick ? [1, 64] : [1, 16, 64, 256],
    reps: options.quick ? 1 : Math.min(options.reps, 3),
    seconds: options.quick ? 1 : wrkSeconds(options.seconds),
    warmupSeconds: options.quick ? 0 : options.warmup,
    warmupRequests: options.warmupRequests,
    wrk: resolved.wrk,
    wrkReason: needs.wrk && !needs.wrk.ok ? needs.wrk.reason : undefined,
  }, log);
}

async function versions(needs: Record<string, Need>): Promise<Record<string, string>> {
  const out: Record<string, string> = {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    centrifugo: CENTRIFUGO_VERSION,
  };
  for (const [name, need] of Object.entries(needs)) {
    if (!need.ok) continue;
    if (name === "node" || name === "bun" || name === "wrk") out[name] = need.version;
    if (name === "centjs") out["cent.js"] = need.version;
    if (name === "denoSource") out["aiocent-ts"] = need.version;
    if (name === "centVenv") {
      out.python = await pythonVersion(need.value);
      out.cent = need.version;
      out["aiohttp (cent venv)"] = await pythonPackageVersion(need.value, "aiohttp");
    }
    if (name === "aiocentVenv") {
      out.aiocent = need.version;
      out["aiohttp (aiocent venv)"] = await pythonPackageVersion(need.value, "aiohttp");
    }
  }
  return out;
}

/** wrk takes whole seconds. */
function wrkSeconds(seconds: number): number {
  return Math.max(1, Math.round(seconds));
}

/** One measurement, run again once if the machine was busy with something else. */
async function measureOnce(
  contender: Contender,
  concurrency: number,
  rep: number,
  job: Job,
  resolved: Resolved,
  gate: Gate,
): Promise<Sample> {
  const timeoutMs = (job.maxSeconds + 30) * 1000;
  let sample: Sample | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const began = Date.now();
    const busyBefore = await gate.quiet();
    if (contender.runtime === "wrk" && job.warmupSeconds > 0) {
      const warm = commandOf(contender, job, resolved, wrkSeconds(job.warmupSeconds));
      await runJson(warm, timeoutMs);
    }
    const argv = commandOf(contender, job, resolved, wrkSeconds(job.seconds));
    const outcome = await runJson(argv, timeoutMs);
    const busyAfter = await cpuBusy(300);
    const disturbed = busyBefore >= BUSY || busyAfter >= BUSY;
    sample = {
      contender: contender.id,
      concurrency,
      rep,
      attempt,
      busyBefore,
      busyAfter,
      disturbed,
      loadavg: Deno.loadavg()[0]!,
      ...(outcome.ok
        ? { result: outcome.value as unknown as Sample["result"] }
        : { error: outcome.error }),
    };
    if (attempt > 1) gate.charge(Date.now() - began);
    // Once more if disturbed or failed, while the waiting budget lasts.
    if ((!disturbed && outcome.ok) || gate.exhausted) break;
  }
  return sample!;
}

/** Every contender at every concurrency, `reps` times, round-robin. */
async function throughputRuns(
  options: Options,
  active: Contender[],
  job: (concurrency: number) => Job,
  resolved: Resolved,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const gate = new Gate(options.quick ? 0 : 300);
  const total = options.reps * options.concurrencies.length * active.length;
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const concurrency of options.concurrencies) {
      // Rotate the order each round so no contender always runs right after the same one.
      const shift = (rep - 1 + options.concurrencies.indexOf(concurrency)) % active.length;
      const order = [...active.slice(shift), ...active.slice(0, shift)];
      for (const contender of order) {
        const sample = await measureOnce(
          contender,
          concurrency,
          rep,
          job(concurrency),
          resolved,
          gate,
        );
        samples.push(sample);
        const r = sample.result;
        log(
          `[${samples.length}/${total}] rep ${rep} c=${concurrency} ${contender.id}: ` +
            (r
              ? `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${
                r.cpuUsPerRequest ? `, ${r.cpuUsPerRequest.toFixed(0)} µs CPU/req` : ""
              }${r.errors ? `, ${r.errors} errors (${r.firstError})` : ""}`
              : `failed: ${sample.error}`) +
            (sample.disturbed ? " (machine busy)" : ""),
        );
      }
    }
  }
  return samples;
}

/** N channels: sequentially, in one batch, in one broadcast; round-robin between contenders. */
async function shapeRuns(
  options: Options,
  active: Contender[],
  url: string,
  resolved: Resolved,
): Promise<Results["shape"]> {
  const out: Results["shape"] = [];
  const gate = new Gate(options.quick ? 0 : 60);
  const contenders = active.filter((c) => SHAPE_CONTENDERS.includes(c.id));
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const contender of rep % 2 ? contenders : [...contenders].reverse()) {
      const job: Job = {
        mode: "shape",
        url,
        apiKey: API_KEY,
        publication: PUBLICATION,
        concurrency: 1,
        requests: options.shapeChannels,
        seconds: 0,
        warmupSeconds: 0,
        maxSeconds: 300,
      };
      const busyBefore = await gate.quiet();
      const outcome = await runJson(commandOf(contender, job, resolved, 0), 400_000);
      out.push({
        contender: contender.id,
        rep,
        busyBefore,
        ...(outcome.ok ? { result: outcome.value as never } : { error: outcome.error }),
      });
      log(
        `shape rep ${rep} ${contender.id}: ${
          outcome.ok ? JSON.stringify(outcome.value) : outcome.error
        }`,
      );
    }
  }
  return out;
}

/** CPU profiles of this client and raw fetch where node:inspector is available (Deno, Node). */
async function profileRuns(
  options: Options,
  active: Contender[],
  job: (concurrency: number) => Job,
  resolved: Resolved,
  ratios: ReturnType<typeof clientRatios>,
): Promise<Results["profiles"]> {
  const dir = `${cacheRoot()}/bench-profiles`;
  await Deno.mkdir(dir, { recursive: true });
  const out: Results["profiles"] = [];
  const gate = new Gate(options.quick ? 0 : 60);
  for (const runtime of ["deno", "node"] as const) {
    const client = active.find((c) => c.runtime === runtime && c.kind === "client");
    // On Node the client sends over node:http, so that is the request to compare with.
    const raw = active.find((c) => c.id === "node-http" && runtime === "node") ??
      active.find((c) => c.runtime === runtime && c.kind === "raw");
    if (!client || !raw) continue;
    const concurrency = worstConcurrency(client, ratios, options);
    if (concurrency === undefined) continue;
    for (const contender of [client, raw]) {
      const path = `${dir}/${contender.id}-c${concurrency}.cpuprofile`;
      const base = job(concurrency);
      const profiled: Job = {
        ...base,
        seconds: options.quick ? 1 : 5,
        profile: path,
      };
      await gate.quiet();
      const outcome = await runJson(
        commandOf(contender, profiled, resolved, profiled.seconds),
        (profiled.maxSeconds + 30) * 1000,
      );
      if (!outcome.ok) {
        log(`profile ${contender.id}: ${outcome.error}`);
        out.push({ contender: contender.id, concurrency, path, error: outcome.error });
        continue;
      }
      const summary = summarize(JSON.parse(await Deno.readTextFile(path)));
      out.push({
        contender: contender.id,
        concurrency,
        path,
        result: outcome.value as never,
        summary,
      });
      log(`profiled ${contender.id} at c=${concurrency} into ${path}`);
    }
  }
  return out;
}

/** The concurrency at which `client` fell furthest below raw fetch (undefined: never). */
function worstConcurrency(
  client: Contender,
  ratios: ReturnType<typeof clientRatios>,
  options: Options,
): number | undefined {
  const worst =
    ratios.filter((r) => r.contender === client.id).sort((a, b) => a.ratio - b.ratio)[0];
  if (worst && worst.ratio < 0.95) return worst.concurrency;
  return options.profile === "on" ? worst?.concurrency ?? 64 : undefined;
}

/**
 * What each part of the client's HTTP request costs: bare fetch, fetch plus
 * one part (an AbortController's signal, redirect "manual", text() +
 * JSON.parse, the content-length read), fetch with all of them (the client's
 * request by hand), other ways of writing it, and the client; round-robin, at
 * the concurrency where the client fell furthest below raw fetch. On Node,
 * where the client sends over node:http, its variants are node:http's.
 */
async function ablationRuns(
  options: Options,
  active: Contender[],
  job: (concurrency: number) => Job,
  resolved: Resolved,
  ratios: ReturnType<typeof clientRatios>,
): Promise<Results["ablation"]> {
  const common = [
    "fetch",
    ...FETCH_PARTS.map((part) => `fetch:${part}`),
    `fetch:${FETCH_PARTS.join(",")}`,
    ...FETCH_WHAT_IFS.map((part) => `fetch:${part}`),
    "client",
  ];
  // On Node the client sends over node:http: bare, and with a timer, is its ceiling; its
  // transport alone separates what the transport costs from the layers above it.
  const nodeVariants = ["http", "http:timer", "transport", "client"];
  const reps = options.quick ? 1 : 3;
  const gate = new Gate(options.quick ? 0 : 60);
  const out: Results["ablation"] = [];
  // The per-request client of each runtime (not autoBatch: its request is a batch).
  const perRequest = active.filter((c) => c.kind === "client" && c.id !== "deno-autobatch");
  for (const client of perRequest) {
    const concurrency = worstConcurrency(client, ratios, options);
    if (concurrency === undefined) continue;
    const variants = client.runtime === "node" ? nodeVariants : common;
    for (let rep = 1; rep <= reps; rep++) {
      const order = rep % 2 ? variants : [...variants].reverse();
      for (const variant of order) {
        const busyBefore = await gate.quiet();
        const base = job(concurrency);
        const outcome = await runJson(
          commandOf(client, base, resolved, 0, variant),
          (base.maxSeconds + 30) * 1000,
        );
        out.push({
          runtime: client.runtime,
          concurrency,
          variant,
          rep,
          busyBefore,
          ...(outcome.ok ? { result: outcome.value as never } : { error: outcome.error }),
        });
        const rps = outcome.ok ? (outcome.value!.rps as number).toFixed(0) : outcome.error;
        log(`ablation ${client.runtime} c=${concurrency} rep ${rep} ${variant}: ${rps}`);
      }
    }
  }
  return out;
}

/** RSS of one Deno client over N publishes at concurrency 64. */
async function memoryRun(
  options: Options,
  url: string,
  resolved: Resolved,
): Promise<Results["memory"]> {
  const contender = CONTENDERS.find((c) => c.id === "deno-client")!;
  const job: Job = {
    mode: "memory",
    url,
    apiKey: API_KEY,
    publication: PUBLICATION,
    concurrency: 64,
    requests: options.publishes,
    samples: 20,
    seconds: 0,
    warmupSeconds: 0,
    maxSeconds: 3600,
  };
  log(`memory: ${options.publishes} publishes at concurrency 64 …`);
  await new Gate(options.quick ? 0 : 60).quiet();
  const argv = commandOf(contender, job, resolved, 0);
  const outcome = await runJson(argv, (job.maxSeconds + 60) * 1000);
  if (!outcome.ok) {
    log(`memory: ${outcome.error}`);
    return {
      publishes: options.publishes,
      concurrency: 64,
      command: displayCommand(argv),
      error: outcome.error,
    };
  }
  log(`memory: done in ${(outcome.value!.seconds as number).toFixed(0)} s`);
  // The same with raw fetch, bare and with each way of bounding a request by a
  // timeout, over a fifth as many publishes: what the client's memory is made of.
  const comparisons: NonNullable<Results["memory"]>["comparisons"] = [];
  const publishes = Math.max(1, Math.floor(options.publishes / 5));
  for (const variant of ["fetch", "fetch:signal", "fetch:cleared"]) {
    const variantJob = { ...job, requests: publishes, samples: 10 };
    const run = await runJson(
      commandOf(contender, variantJob, resolved, 0, variant),
      (job.maxSeconds + 60) * 1000,
    );
    comparisons.push({
      variant,
      publishes,
      ...(run.ok ? { result: run.value as never } : { error: run.error }),
    });
    log(`memory: ${variant} ${run.ok ? "done" : run.error}`);
  }
  // The client on the other runtimes, over as many publishes, each beside the
  // hand-written request with a timeout of its runtime: what the runtime itself does.
  const runtimes: NonNullable<Results["memory"]>["runtimes"] = [];
  for (const id of ["node-client", "node-http-timer", "bun-client", "bun-fetch-timeout"]) {
    const other = CONTENDERS.find((c) => c.id === id)!;
    if (!other.needs.every((need) => resolved[need])) continue;
    await new Gate(options.quick ? 0 : 60).quiet();
    const run = await runJson(commandOf(other, job, resolved, 0), (job.maxSeconds + 60) * 1000);
    runtimes.push({
      contender: id,
      ...(run.ok ? { result: run.value as never } : { error: run.error }),
    });
    log(`memory: ${id} ${run.ok ? "done" : run.error}`);
  }
  return {
    publishes: options.publishes,
    concurrency: 64,
    command: displayCommand(argv),
    result: outcome.value as never,
    comparisons,
    runtimes,
  };
}

if (import.meta.main) {
  try {
    await main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    Deno.exit(1);
  }
}
