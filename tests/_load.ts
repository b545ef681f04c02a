// The no-loss/no-duplicate load run shared by tests/load_test.ts (CI size) and
// tests/soak.ts (`deno task soak`, a million messages): publishes N messages,
// each with a unique id, at a fixed concurrency into ONE history channel of a
// real Centrifugo running the Redis engine, kills and restarts Centrifugo on
// the same port twice during the run, then reads the whole history back and
// accounts for every message.
//
// Why history can hold the whole run (checked in Centrifugo v6.9.1's source):
// - The namespace's history_size is N, so the Redis stream (XADD MAXLEN N)
//   trims nothing: at most N distinct messages are ever published.
// - history_ttl (HISTORY_TTL below) only starts counting at the last publish:
//   every publish re-EXPIREs the stream. The history meta (offset and epoch)
//   lives for channel.history_meta_ttl, 720h by default, and must not be below
//   history_ttl (Centrifugo refuses such a config).
// - The idempotency window: Centrifugo passes no IdempotentResultTTL for API
//   publishes, so the Redis broker keeps each idempotency_key's result for
//   centrifuge's default, 300 s. A retried call repeats its key only within
//   its own timeout (RETRY_TIMEOUT, 30 s), well inside that window, however
//   long the whole run takes.
// - Redis keeps everything in memory (it is never restarted here, so no
//   persistence is needed); a million small publications and their
//   idempotency results take a few hundred MB.
// - The server API caps no history limit (history_max_publication_limit is
//   for client SDK requests), but pages keep responses small: the history is
//   read in pages of HISTORY_PAGE with `since`.

import {
  CentError,
  Client,
  RequestError,
  RequestTimeoutError,
  ResponseError,
  type RetryOptions,
} from "@aiocent/aiocent";
import { API_KEY, type Centrifugo, startCentrifugo } from "./_centrifugo.ts";
import { type Redis, startRedis } from "./_redis.ts";

export const NAMESPACE = "load";
export const HISTORY_TTL = "86400s";
export const HISTORY_PAGE = 10_000;
/** The retry policy of the retrying variant, and its call timeout. */
export const RETRY: RetryOptions = { attempts: 20, minDelay: 50, maxDelay: 1000 };
export const RETRY_TIMEOUT = 30_000;

export interface LoadOptions {
  /** How many messages to publish. */
  n: number;
  /** Calls in flight at once (default 256). */
  concurrency?: number;
  /** The client's retry policy (default none). */
  retry?: RetryOptions;
  /** The client's timeout per call in ms (default: the client's, 1000). */
  timeout?: number;
  /** The signal each restart kills Centrifugo with, in order (default SIGKILL, then SIGTERM). */
  restarts?: ("SIGKILL" | "SIGTERM")[];
  /**
   * How long a producer waits after a rejected call before its next message
   * (default 0). Each message is still sent once: this only keeps producers
   * from burning through the messages while the server is down.
   */
  pauseAfterReject?: number;
  /** Progress lines go here (default: nowhere). */
  log?: (line: string) => void;
  /**
   * Centrifugo nodes on the one Redis (default 1). With several, the client
   * gets every node's address and fails over; the restarts go round the
   * nodes, one node down at a time.
   */
  nodes?: number;
}

export interface Restart {
  signal: "SIGKILL" | "SIGTERM";
  /** Calls settled when it began. */
  atSettled: number;
  /** From the kill until the new server answered /health, in ms. */
  ms: number;
  /**
   * Calls started before the kill that resolved after the new server was up:
   * their first attempt died with the old server, so only a retry can have
   * resolved them (0 without retries).
   */
  spanned: number;
  /** performance.now() at the kill and when the new server was up. */
  began: number;
  ended: number;
}

export interface LoadReport {
  n: number;
  nodes: number;
  /** HTTP requests that failed on the way (the calls may still have resolved: retries, failover). */
  failedRequests: number;
  concurrency: number;
  retry: RetryOptions | undefined;
  /** Publishing only, from the first call to the last settlement, in ms. */
  publishMs: number;
  /** Settled calls per second while publishing. */
  throughput: number;
  resolved: number;
  /** Rejections by error class. */
  rejected: Record<string, number>;
  /** Rejections by class and reason (URLs removed), for the report. */
  reasons: Record<string, number>;
  /** Rejected calls whose message is in history anyway (it landed; its answer did not). */
  rejectedLanded: number;
  /** Rejected calls whose message is not in history. */
  rejectedAbsent: number;
  /** Messages in history more than once. */
  duplicates: number;
  /** Resolved calls whose message is not in history. */
  losses: number;
  /** Resolved calls whose message is in history at another offset than the call returned. */
  wrongOffsets: number;
  /** Publications whose payload is not one of the messages sent. */
  unknown: number;
  /** Calls that neither resolved nor rejected (must be 0). */
  pending: number;
  /** Calls resolved after the last restart finished (proves the run outlived it). */
  resolvedAfterRestarts: number;
  restarts: Restart[];
  /** Publications read back, and the stream's top offset. */
  historyCount: number;
  historyTop: number;
  historyReadMs: number;
  /** Epochs seen in publish results and history (one means the stream was never reset). */
  epochs: string[];
  /** Every broken guarantee, in words; empty when the run is clean. */
  problems: string[];
}

const PENDING = 0;
const RESOLVED = 1;
const REJECTED = 2;

/** The class an error is counted under. */
function classOf(err: unknown): string {
  if (err instanceof RequestTimeoutError) return "RequestTimeoutError";
  if (err instanceof RequestError) return "RequestError";
  if (err instanceof ResponseError) return "ResponseError";
  if (err instanceof CentError) return "CentError";
  return `untyped ${err instanceof Error ? err.name : typeof err}`;
}

/** A rejection's reason without the URL and port, so equal reasons count together. */
function reasonOf(err: unknown): string {
  const text = err instanceof ResponseError
    ? `code ${err.code} ${err.reason}`
    : err instanceof Error
    ? err.message
    : String(err);
  return text
    .replace(/^publish: POST \S+ /, "")
    .replace(/https?:\/\/127\.0\.0\.1:\d+\S*/g, "<url>")
    .replace(/ from 127\.0\.0\.1:\d+/g, "")
    .replace(/ \(127\.0\.0\.1:\d+\)/g, "")
    .replace(/\s+/g, " ")
    .slice(0, 160);
}

/**
 * Starts Redis and a Centrifugo on it, runs the load with two restarts, reads
 * the history back and stops everything. Never throws for a broken
 * guarantee: those are in `problems`.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const { n, concurrency = 256, retry, pauseAfterReject = 0 } = options;
  const log = options.log ?? (() => {});
  const signals = options.restarts ?? ["SIGKILL", "SIGTERM"];
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`n must be a positive integer, got ${n}`);
  const config = {
    engine: { type: "redis", redis: { address: [] as string[] } },
    channel: {
      namespaces: [{ name: NAMESPACE, history_size: n, history_ttl: HISTORY_TTL }],
    },
  };
  const redis: Redis = await startRedis();
  const count = options.nodes ?? 1;
  const servers: Centrifugo[] = [];
  let restarting: Promise<void> | undefined;
  let restartError: unknown;
  try {
    config.engine.redis.address = [redis.url];
    for (let k = 0; k < count; k++) servers.push(await startCentrifugo(config));
    const run = crypto.randomUUID().slice(0, 8);
    const channel = `${NAMESPACE}:run-${run}`;
    let failedRequests = 0;
    const client = new Client(count === 1 ? servers[0]!.apiUrl : servers.map((s) => s.apiUrl), {
      apiKey: API_KEY,
      onRequest: (info) => {
        if (info.error && !(info.error instanceof ResponseError)) failedRequests++;
      },
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(retry ? { retry } : {}),
    });

    const status = new Uint8Array(n);
    const offsets = new Float64Array(n);
    const rejected: Record<string, number> = {};
    const reasons: Record<string, number> = {};
    const epochs = new Set<string>();
    const restarts: Restart[] = [];
    let next = 0;
    let settled = 0;
    let resolved = 0;
    let resolvedAfterRestarts = 0;
    let restartsDone = 0;

    const restartAt = (k: number) => Math.floor((n * (k + 1)) / (signals.length + 1));
    const maybeRestart = () => {
      if (restarting || restarts.length >= signals.length) return;
      if (settled < restartAt(restarts.length)) return;
      const signal = signals[restarts.length]!;
      const entry: Restart = {
        signal,
        atSettled: settled,
        ms: 0,
        spanned: 0,
        began: performance.now(),
        ended: Infinity,
      };
      restarts.push(entry);
      const k = (restarts.length - 1) % count;
      log(`restart ${restarts.length} (${signal}, node ${k}) at ${settled}/${n} settled`);
      restarting = (async () => {
        servers[k] = await servers[k]!.restart(signal);
        entry.ended = performance.now();
        entry.ms = entry.ended - entry.began;
        restartsDone++;
        log(`  back after ${entry.ms.toFixed(0)} ms`);
      })().catch((err) => restartError ??= err).finally(() => restarting = undefined);
    };

    let lastReport = performance.now();
    const started = performance.now();
    const producer = async () => {
      // Bounded: each iteration takes one of the n messages.
      while (next < n) {
        const i = next++;
        const after = restartsDone === signals.length;
        const callStarted = performance.now();
        try {
          const result = await client.publish(channel, { run, id: i });
          const now = performance.now();
          for (const r of restarts) if (callStarted < r.began && now > r.ended) r.spanned++;
          status[i] = RESOLVED;
          offsets[i] = result.offset ?? -1;
          if (result.epoch !== undefined) epochs.add(result.epoch);
          resolved++;
          if (after) resolvedAfterRestarts++;
        } catch (err) {
          status[i] = REJECTED;
          const cls = classOf(err);
          rejected[cls] = (rejected[cls] ?? 0) + 1;
          const why = `${cls}: ${reasonOf(err)}`;
          reasons[why] = (reasons[why] ?? 0) + 1;
          if (pauseAfterReject > 0) {
            await new Promise((resolve) => setTimeout(resolve, pauseAfterReject));
          }
        }
        settled++;
        maybeRestart();
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          const rate = settled / ((lastReport - started) / 1000);
          log(`${settled}/${n} settled, ${resolved} resolved, ${rate.toFixed(0)}/s`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, producer));
    const publishMs = performance.now() - started;
    // A restart still under way (the run ended during it) must finish first.
    await restarting;
    if (restartError) throw restartError;
    log(`published in ${(publishMs / 1000).toFixed(1)} s; reading history`);

    const problems: string[] = [];
    if (restarts.length < signals.length) {
      problems.push(
        `only ${restarts.length} of ${signals.length} restarts happened during the run`,
      );
    }
    if (signals.length > 0 && resolvedAfterRestarts === 0) {
      problems.push("no call resolved after the last restart: the run did not outlive it");
    }

    // Read everything back from a server now running, page by page.
    const reader = new Client(servers[0]!.apiUrl, { apiKey: API_KEY, timeout: 60_000 });
    const readStarted = performance.now();
    const top = await reader.history(channel);
    epochs.add(top.epoch);
    const counts = new Uint8Array(n);
    let historyCount = 0;
    let unknown = 0;
    let wrongOffsets = 0;
    let gaps = 0;
    let expected = 1;
    let since = 0;
    // Bounded: each page advances `since`, and the stream holds at most top.offset.
    for (let page = 0; page <= Math.ceil(top.offset / HISTORY_PAGE) + 1; page++) {
      if (since >= top.offset) break;
      const { publications, epoch } = await reader.history(channel, {
        limit: HISTORY_PAGE,
        since: { offset: since, epoch: top.epoch },
      });
      epochs.add(epoch);
      if (publications.length === 0) break;
      for (const pub of publications) {
        historyCount++;
        const offset = pub.offset ?? -1;
        if (offset !== expected) {
          if (gaps++ === 0) {
            problems.push(`history offset ${offset} where ${expected} was expected`);
          }
        }
        expected = offset + 1;
        const data = pub.data as { run?: unknown; id?: unknown } | null;
        const id = data?.id;
        if (
          data?.run !== run || typeof id !== "number" || !Number.isInteger(id) || id < 0 ||
          id >= n || status[id] === PENDING
        ) {
          unknown++;
          continue;
        }
        if (counts[id]! < 255) counts[id]!++;
        if (status[id] === RESOLVED && offsets[id] !== offset && counts[id] === 1) wrongOffsets++;
      }
      since = publications[publications.length - 1]!.offset ?? top.offset;
    }
    const historyReadMs = performance.now() - readStarted;
    if (gaps > 1) problems.push(`${gaps} history offsets out of sequence in all`);
    if (historyCount !== top.offset) {
      problems.push(`read ${historyCount} publications, the stream's top offset is ${top.offset}`);
    }

    let duplicates = 0;
    let losses = 0;
    let rejectedLanded = 0;
    let rejectedAbsent = 0;
    let pending = 0;
    for (let i = 0; i < n; i++) {
      const count = counts[i]!;
      if (count > 1) duplicates++;
      if (status[i] === PENDING) pending++;
      else if (status[i] === RESOLVED && count === 0) losses++;
      else if (status[i] === REJECTED) count === 0 ? rejectedAbsent++ : rejectedLanded++;
    }
    const rejectedTotal = Object.values(rejected).reduce((a, b) => a + b, 0);
    const untyped = Object.keys(rejected).filter((c) =>
      !["RequestError", "RequestTimeoutError", "ResponseError"].includes(c)
    );
    if (untyped.length > 0) problems.push(`rejections of untyped classes: ${untyped.join(", ")}`);
    if (duplicates > 0) problems.push(`${duplicates} messages are in history more than once`);
    if (losses > 0) problems.push(`${losses} resolved calls are not in history`);
    if (wrongOffsets > 0) {
      problems.push(`${wrongOffsets} resolved calls are in history at another offset`);
    }
    if (unknown > 0) problems.push(`${unknown} publications in history were never sent`);
    if (pending > 0) problems.push(`${pending} calls neither resolved nor rejected`);
    if (resolved + rejectedTotal !== n) {
      problems.push(`${resolved} resolved + ${rejectedTotal} rejected is not ${n}`);
    }
    if (epochs.size !== 1) problems.push(`the stream's epoch changed: ${[...epochs].join(", ")}`);

    return {
      n,
      nodes: count,
      failedRequests,
      concurrency,
      retry,
      publishMs,
      throughput: n / (publishMs / 1000),
      resolved,
      rejected,
      reasons,
      rejectedLanded,
      rejectedAbsent,
      duplicates,
      losses,
      wrongOffsets,
      unknown,
      pending,
      resolvedAfterRestarts,
      restarts,
      historyCount,
      historyTop: top.offset,
      historyReadMs,
      epochs: [...epochs],
      problems,
    };
  } catch (err) {
    for (const server of servers) {
      const logs = server.logs().slice(-3000);
      if (logs) console.error(`Centrifugo's last output:\n${logs}`);
    }
    throw err;
  } finally {
    // A restart under way when something failed: let it finish, then stop what it started.
    await restarting;
    // SIGKILL: everything is in Redis, and a graceful stop waits 5 s for the
    // connections the client's pool opened but never used (Go's Shutdown).
    await Promise.all(servers.map((server) => server.kill()));
    await redis.stop();
  }
}

/** The report as lines of text. */
export function formatReport(title: string, r: LoadReport): string {
  const lines = [
    `${title}: ${r.n} messages, ${r.nodes} node${
      r.nodes === 1 ? "" : "s"
    }, concurrency ${r.concurrency}, retry ${r.retry ? JSON.stringify(r.retry) : "off"}`,
    `  publishing: ${(r.publishMs / 1000).toFixed(1)} s, ${r.throughput.toFixed(0)} calls/s`,
    `  resolved: ${r.resolved}, of them after the last restart: ${r.resolvedAfterRestarts}; ` +
    `HTTP requests that failed on the way: ${r.failedRequests}`,
    `  rejected: ${
      Object.entries(r.rejected).map(([c, k]) => `${c} ${k}`).join(", ") || "none"
    } (in history anyway: ${r.rejectedLanded}, absent: ${r.rejectedAbsent})`,
    ...Object.entries(r.reasons).sort((a, b) => b[1] - a[1]).map(([why, k]) => `    ${k} × ${why}`),
    `  duplicates: ${r.duplicates}, losses: ${r.losses}, wrong offsets: ${r.wrongOffsets}, ` +
    `never sent: ${r.unknown}, pending: ${r.pending}`,
    `  restarts: ${
      r.restarts.map((s) =>
        `${s.signal} at ${s.atSettled} settled, back in ${s.ms.toFixed(0)} ms, ` +
        `${s.spanned} calls resolved across it`
      ).join("; ") || "none"
    }`,
    `  history: ${r.historyCount} publications (top offset ${r.historyTop}), read in ${
      (r.historyReadMs / 1000).toFixed(1)
    } s, epochs ${r.epochs.join(", ")}`,
    r.problems.length
      ? `  PROBLEMS:\n${r.problems.map((p) => `    - ${p}`).join("\n")}`
      : "  clean",
  ];
  return lines.join("\n");
}
