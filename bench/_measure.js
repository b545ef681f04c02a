// The measurement loop shared by the Deno runner (bench/deno_client.ts) and the
// Node/Bun runner (bench/node_runner.mjs), so every JavaScript contender is
// timed by the same code: `concurrency` workers take request numbers from one
// counter until the time is up (or a request cap is reached), and each
// request's latency is recorded. A request still in flight at the deadline
// completes and counts; the elapsed time includes it. Plain JavaScript with JSDoc types, so that
// Node and Bun load it as is.

/**
 * The request every contender sends: `{"channel": "<prefix><i % channels>",
 * "data": <data>}` to the publish endpoint.
 * @typedef {{ prefix: string, channels: number, data: unknown }} Publication
 */

/**
 * What the orchestrator asks a runner to do (passed as one JSON argument).
 * @typedef {object} RunnerConfig
 * @property {"throughput" | "shape" | "memory" | "interleave" | "timers"} mode
 * @property {string} impl contender implementation: "client", "fetch", "centjs"
 * @property {string} url API endpoint with its prefix, e.g. http://127.0.0.1:8000/api
 * @property {string} apiKey
 * @property {Publication} publication
 * @property {number} concurrency
 * @property {number} requests throughput: at most this many timed requests; memory: publishes;
 *   shape: channels
 * @property {number} seconds throughput: length of the timed part
 * @property {number} warmupSeconds throughput: untimed requests first, at the same concurrency
 * @property {number} [warmupRequests] throughput: the warm-up goes on until this many requests
 *   are done too (a JIT compiles a function only after enough calls), for at most
 *   WARMUP_CAP_SECONDS more
 * @property {number} maxSeconds bound of the whole run
 * @property {number} [samples] memory mode: number of RSS samples
 * @property {string} [module] the library: a snapshot of mod.ts (Deno) or of npm/mod.js (Node/Bun)
 * @property {string} [centjs] Node/Bun: path of the cent.js package
 * @property {string} [profile] write a V8 CPU profile of the timed part to this path
 * @property {boolean} [timing] also time the synchronous part of each call (until it returns its
 *   promise) and report the timed part's bounds, for bench/decompose.ts
 * @property {string} [resultFile] write the result there instead of to stdout (where V8's
 *   --trace-gc writes, which would interleave with it)
 * @property {InterleavedVariant[]} [variants] interleave mode: what takes turns in the process
 * @property {number} [rounds] interleave mode: rounds of one slice per variant
 * @property {number} [sliceSeconds] interleave mode: the length of one slice
 * @property {number} [timeoutMs] the timeout of fetch:signal (default 10 s); interleave mode sets
 *   it past the end of the process, so that no timer of the careful request fires in another
 *   variant's slice (see interleave)
 */

/**
 * One variant of an interleaved run: `impl` as in throughput mode, under a
 * name of its own (the same impl may run twice, as two instances: an A/A pair).
 * @typedef {{ name: string, impl: string }} InterleavedVariant
 */

/**
 * One slice of an interleaved run: one variant alone at the run's concurrency.
 * @typedef {object} Slice
 * @property {string} variant
 * @property {number} round
 * @property {number} position its place in the round (0 = first)
 * @property {number} requests
 * @property {number} errors
 * @property {number} seconds wall time, from the first call until the last one in flight ended
 * @property {number} cpuMs CPU time (user + system, all threads) of the process in the slice
 * @property {number} syncMs the synchronous parts of the slice's calls, summed
 */

/**
 * The outcome of one timed run.
 * @typedef {object} RunResult
 * @property {number} requests requests completed in the timed part
 * @property {number} errors how many of them failed
 * @property {string} [firstError]
 * @property {number} seconds wall time of the timed part
 * @property {number} rps requests per second
 * @property {number} p50 median latency, ms
 * @property {number} p99 99th percentile latency, ms
 * @property {number} max slowest request, ms
 * @property {number} cpuMs CPU time (user + system, all threads) of this process in the timed part
 * @property {number} cpuUsPerRequest cpuMs per request, in microseconds
 * @property {number} [syncUsPerRequest] with `timing`: the synchronous part of each call, µs
 * @property {number} [begin] with `timing`: performance.now() at the start of the timed part
 * @property {number} [end] with `timing`: performance.now() at its end
 */

/** The channel of request number `i`. */
export function channelOf(/** @type {Publication} */ publication, /** @type {number} */ i) {
  return `${publication.prefix}${i % publication.channels}`;
}

/**
 * The parts of the client's HTTP request that a raw fetch variant can add (see
 * fetchSender); all of them together are the client's request written by hand.
 */
export const FETCH_PARTS = ["controller", "manual", "text", "length"];
/** What-ifs: other ways of writing the request, measured beside it. */
export const FETCH_WHAT_IFS = ["signal", "headers", "cleared"];

/**
 * The identical publish request through the runtime's fetch. `impl` "fetch" is
 * as bare as it gets: a plain headers object, no signal, `response.json()`,
 * status and Centrifugo's error checked. "fetch:part,part" adds what the
 * client does, one part at a time, to see what each costs:
 *   controller - the signal of an AbortController made per request (the client's
 *                deadline: its one shared timer aborts it only when the time is up)
 *   manual     - `redirect: "manual"`
 *   text       - `JSON.parse(await response.text())` instead of `response.json()`
 *   length     - the response's `content-length` read (the client bounds the body by it)
 * and the what-ifs:
 *   signal     - `signal: AbortSignal.timeout(10 s)` per request (a careful user's timeout;
 *                `config.timeoutMs` if given)
 *   headers    - one prebuilt `Headers` instance instead of a plain object
 *   cleared    - the same 10 s timeout as "signal", but through an AbortController and a
 *                setTimeout that is cleared once the response is read (AbortSignal.timeout
 *                cannot be cancelled: each call leaves its timer armed for the whole timeout)
 * @param {RunnerConfig} config
 * @returns {(i: number) => Promise<unknown>}
 */
export function fetchSender(config) {
  const parts = new Set((config.impl.split(":")[1] ?? "").split(",").filter(Boolean));
  for (const part of parts) {
    if (!FETCH_PARTS.includes(part) && !FETCH_WHAT_IFS.includes(part)) {
      throw new Error(`unknown fetch part ${part}`);
    }
  }
  const { url, apiKey, publication } = config;
  const target = `${url}/publish`;
  const plain = { "Content-Type": "application/json", "X-API-Key": apiKey };
  const headers = parts.has("headers") ? new Headers(plain) : plain;
  const signal = parts.has("signal");
  const controller = parts.has("controller");
  const manual = parts.has("manual");
  const text = parts.has("text");
  const length = parts.has("length");
  const cleared = parts.has("cleared");
  const timeoutMs = config.timeoutMs ?? 10_000;
  return async (i) => {
    /** @type {RequestInit} */
    const init = {
      method: "POST",
      headers,
      body: JSON.stringify({ channel: channelOf(publication, i), data: publication.data }),
    };
    if (signal) init.signal = AbortSignal.timeout(timeoutMs);
    if (controller) init.signal = new AbortController().signal;
    if (manual) init.redirect = "manual";
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    if (cleared) {
      const controller = new AbortController();
      timer = setTimeout(() => controller.abort(), 10_000);
      init.signal = controller.signal;
    }
    try {
      const response = await fetch(target, init);
      if (length) response.headers.get("content-length");
      const reply = text ? JSON.parse(await response.text()) : await response.json();
      if (!response.ok || reply.error) throw new Error(`HTTP ${response.status} ${reply.error}`);
      return reply.result;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  };
}

/**
 * Runs `send(i)` for i = 0, 1, … with `concurrency` requests in flight until
 * `total` are done or `deadline` (a performance.now() value) has passed.
 * @param {(i: number) => Promise<unknown>} send
 * @param {number} concurrency
 * @param {number} total
 * @param {number} deadline
 * @param {Float64Array | undefined} latencies receives each request's latency in ms
 * @param {(done: number) => void} [onDone] called after every completed request
 */
export async function drive(send, concurrency, total, deadline, latencies, onDone) {
  let next = 0;
  let done = 0;
  let errors = 0;
  /** @type {string | undefined} */
  let firstError;
  const worker = async () => {
    while (next < total && performance.now() < deadline) {
      const i = next++;
      const start = performance.now();
      try {
        await send(i);
      } catch (err) {
        errors++;
        firstError ??= String(err instanceof Error ? err.message : err).slice(0, 300);
      }
      if (latencies) latencies[done] = performance.now() - start;
      done++;
      onDone?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { done, errors, firstError };
}

/** The value at quantile `q` (0..1) of sorted values, nearest rank. */
export function quantile(/** @type {Float64Array} */ sorted, /** @type {number} */ q) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return /** @type {number} */ (sorted[rank]);
}

/** The longest a warm-up waits for its `warmupRequests` after its `warmupSeconds`. */
export const WARMUP_CAP_SECONDS = 20;

/**
 * Sends `warm(i)` for `config.warmupSeconds` (at most `total` requests), then
 * on until `config.warmupRequests` are done, for at most WARMUP_CAP_SECONDS
 * more; never past `bound` (a performance.now() value).
 * @param {(i: number) => Promise<unknown>} warm
 * @param {RunnerConfig} config
 * @param {number} total
 * @param {number} bound
 */
async function warmUp(warm, config, total, bound) {
  let warmed = 0;
  if (config.warmupSeconds > 0) {
    const until = Math.min(bound, performance.now() + config.warmupSeconds * 1000);
    warmed = (await drive(warm, config.concurrency, total, until, undefined)).done;
  }
  const wanted = config.warmupRequests ?? 0;
  if (warmed < wanted) {
    const until = Math.min(bound, performance.now() + WARMUP_CAP_SECONDS * 1000);
    await drive(warm, config.concurrency, wanted - warmed, until, undefined);
  }
}

/**
 * Warms up for `config.warmupSeconds` and at least `config.warmupRequests`
 * requests (a runtime's JIT optimizes a function only after thousands of
 * calls: a short warm-up at low concurrency measures the runtime's lower
 * tiers, where the code with more functions pays most), then sends requests for
 * `config.seconds` (at most `config.requests`), recording each latency;
 * optionally under the V8 CPU profiler (node:inspector: Deno and Node).
 * @param {(i: number) => Promise<unknown>} send
 * @param {RunnerConfig} config
 * @param {(path: string, text: string) => Promise<void>} [writeFile] for the profile
 * @returns {Promise<RunResult>}
 */
export async function measure(send, config, writeFile) {
  const started = performance.now();
  const bound = started + config.maxSeconds * 1000;
  // Offset the numbers so the timed part starts on the same channels every time.
  const warm = (/** @type {number} */ i) => send(i + 1_000_000_000);
  await warmUp(warm, config, config.requests, bound);
  const profiler = config.profile ? await startProfiler() : undefined;
  const latencies = new Float64Array(config.requests);
  // With timing, each call is wrapped (every variant alike) to time its synchronous part.
  let syncMs = 0;
  const timed = config.timing
    ? (/** @type {number} */ i) => {
      const start = performance.now();
      const sent = send(i);
      syncMs += performance.now() - start;
      return sent;
    }
    : send;
  const { default: process } = await import("node:process");
  const cpu = process.cpuUsage();
  const begin = performance.now();
  const { done, errors, firstError } = await drive(
    timed,
    config.concurrency,
    config.requests,
    Math.min(bound, begin + config.seconds * 1000),
    latencies,
  );
  const end = performance.now();
  const seconds = (end - begin) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  if (profiler && config.profile && writeFile) {
    await writeFile(config.profile, JSON.stringify(await profiler.stop()));
  }
  const sorted = latencies.slice(0, done).sort();
  return {
    requests: done,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    seconds,
    rps: done / seconds,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: quantile(sorted, 1),
    cpuMs,
    cpuUsPerRequest: done > 0 ? (cpuMs * 1000) / done : NaN,
    ...(config.timing ? { syncUsPerRequest: (syncMs * 1000) / done, begin, end } : {}),
  };
}

/**
 * The order of the variants in round `round`: a balanced Latin square
 * (Williams design), so that over every `n` rounds (2n for odd n) each variant
 * is at each place once and follows each other variant once. Whatever a slice
 * leaves to the next (garbage to collect, timers, a warm or cold cache) then
 * falls on every variant alike, and so does the place in a round. What
 * surfaces later (a timer armed for seconds) is not balanced: the slice it
 * lands in depends on the timing, so a variant must leave nothing to fire
 * inside the run (see interleave.ts, timeoutMs).
 * @param {number} n variants
 * @param {number} round
 * @returns {number[]}
 */
export function roundOrder(n, round) {
  /** @type {number[]} */
  const base = [];
  for (let k = 0, lo = 0, hi = n - 1; k < n; k++) base.push(k % 2 === 0 ? lo++ : hi--);
  const shift = round % n;
  const order = base.map((v) => (v + shift) % n);
  return n % 2 === 1 && Math.floor(round / n) % 2 === 1 ? order.reverse() : order;
}

/**
 * Several senders taking turns in one process at `config.concurrency`: after
 * a warm-up of each, `config.rounds` rounds in which every variant runs alone
 * for one slice of `config.sliceSeconds` (its calls still in flight at the end
 * complete inside the slice), in the order of `roundOrder`. Each slice's
 * requests, wall time, CPU time and synchronous part of its calls are recorded.
 * Taking turns every fraction of a second, the variants see the same machine:
 * a state of it that lasts seconds or minutes, which moves fresh-process runs
 * minutes apart by far more than 5 %, falls on all of them alike.
 * @param {Map<string, (i: number) => Promise<unknown>>} senders by variant name
 * @param {RunnerConfig} config
 * @returns {Promise<{ slices: Slice[], firstError?: string }>}
 */
export async function interleave(senders, config) {
  const { default: process } = await import("node:process");
  const names = [...senders.keys()];
  const bound = performance.now() + config.maxSeconds * 1000;
  let next = 2_000_000_000;
  for (const name of names) {
    const send = /** @type {(i: number) => Promise<unknown>} */ (senders.get(name));
    const offset = next;
    await warmUp((i) => send(i + offset), config, Infinity, bound);
    next += 100_000_000;
  }
  /** @type {Slice[]} */
  const slices = [];
  /** @type {string | undefined} */
  let firstError;
  const rounds = config.rounds ?? 1;
  const length = (config.sliceSeconds ?? 0.25) * 1000;
  let i = 0;
  for (let round = 0; round < rounds && performance.now() < bound; round++) {
    const order = roundOrder(names.length, round);
    for (let position = 0; position < order.length; position++) {
      const variant = /** @type {string} */ (names[/** @type {number} */ (order[position])]);
      const send = /** @type {(i: number) => Promise<unknown>} */ (senders.get(variant));
      let syncMs = 0;
      // Every variant is wrapped alike; the channel numbers go on across slices.
      const timed = (/** @type {number} */ k) => {
        const start = performance.now();
        const sent = send(i + k);
        syncMs += performance.now() - start;
        return sent;
      };
      const cpu = process.cpuUsage();
      const begin = performance.now();
      const run = await drive(timed, config.concurrency, Infinity, begin + length, undefined);
      const end = performance.now();
      const used = process.cpuUsage(cpu);
      i += run.done;
      firstError ??= run.firstError;
      slices.push({
        variant,
        round,
        position,
        requests: run.done,
        errors: run.errors,
        seconds: (end - begin) / 1000,
        cpuMs: (used.user + used.system) / 1000,
        syncMs,
      });
    }
  }
  return firstError === undefined ? { slices } : { slices, firstError };
}

/**
 * What a careful request's `AbortSignal.timeout` costs apart from the request:
 * CPU µs to make one, and to fire one (the timer cannot be cancelled, so it
 * fires after every call, the call long settled). `count` signals of a short
 * timeout are made, then left to fire; the process's idle CPU over the same
 * time is taken off. The client's deadline cancels its timer and leaves none.
 * @param {number} [count]
 * @returns {Promise<{ count: number, makeUs: number, fireUs: number }>}
 */
export async function timeoutSignalCost(count = 100_000) {
  if (!(count >= 1)) throw new RangeError(`count must be at least 1, got ${count}`);
  const { default: process } = await import("node:process");
  const cpu = () => {
    const used = process.cpuUsage();
    return used.user + used.system;
  };
  const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const idleStart = cpu();
  const idleBegin = performance.now();
  await sleep(500);
  const idlePerMs = (cpu() - idleStart) / (performance.now() - idleBegin);
  const timeoutMs = 200;
  const made = cpu();
  /** @type {AbortSignal | undefined} */
  let last;
  for (let i = 0; i < count; i++) last = AbortSignal.timeout(timeoutMs);
  const fired = cpu();
  const waitBegin = performance.now();
  await sleep(timeoutMs + 50);
  while (!last?.aborted) await sleep(10);
  // The timers fire at most a few ms apart; wait past the last one's turn.
  await sleep(50);
  const firing = cpu() - fired - idlePerMs * (performance.now() - waitBegin);
  return { count, makeUs: (fired - made) / count, fireUs: Math.max(0, firing) / count };
}

/**
 * Publishes `config.requests` times at `config.concurrency`, sampling the
 * memory `config.samples` times (default 20) along the way.
 * @param {(i: number) => Promise<unknown>} send
 * @param {RunnerConfig} config
 * @param {() => { rss: number, heapUsed: number }} usage the runtime's memory figures
 */
export async function memoryCurve(send, config, usage) {
  const samples = config.samples ?? 20;
  const every = Math.max(1, Math.floor(config.requests / samples));
  const start = performance.now();
  const sample = (/** @type {number} */ publishes) => {
    const { rss, heapUsed } = usage();
    return { publishes, rss, heapUsed, seconds: (performance.now() - start) / 1000 };
  };
  const curve = [sample(0)];
  const { done, errors, firstError } = await drive(
    send,
    config.concurrency,
    config.requests,
    start + config.maxSeconds * 1000,
    undefined,
    (completed) => {
      if (completed % every === 0) curve.push(sample(completed));
    },
  );
  if (done % every !== 0) curve.push(sample(done));
  return { requests: done, errors, firstError, seconds: (performance.now() - start) / 1000, curve };
}

/** Starts the V8 sampling profiler on this isolate; `stop()` returns the profile. */
async function startProfiler() {
  const { Session } = await import("node:inspector");
  const session = new Session();
  session.connect();
  /** @type {(method: string, params?: object) => Promise<any>} */
  const post = (method, params = {}) =>
    new Promise((resolve, reject) =>
      session.post(
        method,
        params,
        (/** @type {unknown} */ err, /** @type {unknown} */ res) =>
          err ? reject(err) : resolve(res),
      )
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 100 });
  await post("Profiler.start");
  return {
    async stop() {
      const { profile } = await post("Profiler.stop");
      session.disconnect();
      return profile;
    },
  };
}
