// Who is measured, and the exact command line of each measurement. Every
// contender runs in a fresh process per measurement and sends the same
// publish (see Publication in _measure.js); wrk is the server's ceiling.

import type { RunnerConfig } from "./_measure.js";

export type Runtime = "deno" | "node" | "bun" | "python" | "wrk";
export type Kind = "client" | "raw" | "peer" | "server";

export interface Contender {
  id: string;
  label: string;
  runtime: Runtime;
  /**
   * client: this library; raw: bare HTTP in the same runtime (fetch; also node:http on Node,
   * which the client uses there); peer; server: wrk.
   */
  kind: Kind;
  /** Id of the raw contender of the same runtime, the ceiling it is compared with. */
  baseline?: string;
  /**
   * Id of the hand-written request with a timeout in the same runtime (fetch +
   * AbortSignal.timeout; node:http + a timer): what a careful user writes
   * instead of the client, which a client should not cost more than.
   */
  careful?: string;
  /** What it needs from setup, by name (see main.ts). */
  needs: string[];
  color: string;
}

export const CONTENDERS: readonly Contender[] = [
  {
    id: "deno-client",
    label: "aiocent-ts (Deno)",
    runtime: "deno",
    kind: "client",
    baseline: "deno-fetch",
    careful: "deno-fetch-timeout",
    needs: ["denoSource"],
    color: "#1f6feb",
  },
  {
    id: "deno-autobatch",
    label: "aiocent-ts autoBatch (Deno)",
    runtime: "deno",
    kind: "client",
    baseline: "deno-fetch",
    careful: "deno-fetch-timeout",
    needs: ["denoSource"],
    color: "#0b3d91",
  },
  {
    id: "deno-fetch",
    label: "raw fetch (Deno)",
    runtime: "deno",
    kind: "raw",
    needs: [],
    color: "#8cb4f5",
  },
  {
    id: "deno-fetch-timeout",
    label: "fetch + timeout (Deno)",
    runtime: "deno",
    kind: "raw",
    baseline: "deno-fetch",
    needs: [],
    color: "#b9d3fa",
  },
  {
    id: "node-client",
    label: "aiocent-ts (Node)",
    runtime: "node",
    kind: "client",
    baseline: "node-http",
    careful: "node-http-timer",
    needs: ["node", "npmBuild"],
    color: "#2da44e",
  },
  {
    id: "node-fetch",
    label: "raw fetch (Node)",
    runtime: "node",
    kind: "raw",
    needs: ["node"],
    color: "#95d5a6",
  },
  {
    id: "node-http",
    label: "raw node:http (Node)",
    runtime: "node",
    kind: "raw",
    baseline: "node-fetch",
    needs: ["node"],
    color: "#cfe9d6",
  },
  {
    id: "node-http-timer",
    label: "node:http + timer (Node)",
    runtime: "node",
    kind: "raw",
    baseline: "node-http",
    needs: ["node"],
    color: "#e3f3e7",
  },
  {
    id: "node-centjs",
    label: "cent.js (Node)",
    runtime: "node",
    kind: "peer",
    baseline: "node-fetch",
    needs: ["node", "centjs"],
    color: "#bf8700",
  },
  {
    id: "bun-client",
    label: "aiocent-ts (Bun)",
    runtime: "bun",
    kind: "client",
    baseline: "bun-fetch",
    careful: "bun-fetch-timeout",
    needs: ["bun", "npmBuild"],
    color: "#8250df",
  },
  {
    id: "bun-fetch",
    label: "raw fetch (Bun)",
    runtime: "bun",
    kind: "raw",
    needs: ["bun"],
    color: "#c8b3f0",
  },
  {
    id: "bun-fetch-timeout",
    label: "fetch + timeout (Bun)",
    runtime: "bun",
    kind: "raw",
    baseline: "bun-fetch",
    needs: ["bun"],
    color: "#ddd0f6",
  },
  {
    id: "py-cent",
    label: "cent AsyncClient (Python)",
    runtime: "python",
    kind: "peer",
    baseline: "py-aiohttp",
    needs: ["centVenv"],
    color: "#cf222e",
  },
  {
    id: "py-aiocent",
    label: "aiocent 4.1.2 (Python)",
    runtime: "python",
    kind: "peer",
    baseline: "py-aiohttp",
    needs: ["aiocentVenv"],
    color: "#fa7a18",
  },
  {
    id: "py-aiohttp",
    label: "raw aiohttp (Python)",
    runtime: "python",
    kind: "raw",
    needs: ["centVenv"],
    color: "#f5b7b1",
  },
  {
    id: "wrk",
    label: "wrk (server ceiling)",
    runtime: "wrk",
    kind: "server",
    needs: ["wrk"],
    color: "#57606a",
  },
];

/** The shape measurement (N channels: sequential, batch, broadcast) is run for these. */
export const SHAPE_CONTENDERS: readonly string[] = ["deno-client", "py-cent"];

/** Values found by setup, by need name (paths, commands). */
export type Resolved = Record<string, string>;

const BENCH = new URL("./", import.meta.url).pathname;

/** The implementation name each runner knows a contender by. */
function implOf(contender: Contender): string {
  switch (contender.id) {
    case "deno-client":
    case "node-client":
    case "bun-client":
      return "client";
    case "deno-autobatch":
      return "autobatch";
    case "deno-fetch":
    case "node-fetch":
    case "bun-fetch":
      return "fetch";
    case "node-centjs":
      return "centjs";
    case "deno-fetch-timeout":
    case "bun-fetch-timeout":
      return "fetch:signal";
    case "node-http":
      return "http";
    case "node-http-timer":
      return "http:timer";
    case "py-cent":
      return "cent";
    case "py-aiocent":
      return "aiocent";
    case "py-aiohttp":
      return "aiohttp";
    default:
      return contender.id;
  }
}

/** Runner settings apart from the implementation and the paths. */
export type Job = Omit<RunnerConfig, "impl" | "module" | "centjs">;

/** The argv of one measurement (wrk: `seconds` long; the others: `job.requests`). */
export function commandOf(
  contender: Contender,
  job: Job,
  resolved: Resolved,
  wrkSeconds: number,
  impl = implOf(contender),
): string[] {
  const config: RunnerConfig = { ...job, impl };
  switch (contender.runtime) {
    case "deno": {
      const write = job.profile ? [`--allow-write=${job.profile}`, "--allow-sys"] : [];
      const read = resolved.denoSource
        ? [`--allow-read=${resolved.denoSource.replace(/\/mod\.ts$/, "")}`]
        : [];
      return [
        Deno.execPath(),
        "run",
        "--allow-net=127.0.0.1",
        ...read,
        ...write,
        `${BENCH}deno_client.ts`,
        JSON.stringify({ ...config, module: resolved.denoSource }),
      ];
    }
    case "node":
    case "bun":
      return [
        resolved[contender.runtime]!,
        `${BENCH}node_runner.mjs`,
        JSON.stringify({ ...config, module: resolved.npmBuild, centjs: resolved.centjs }),
      ];
    case "python": {
      const python = contender.id === "py-aiocent" ? resolved.aiocentVenv! : resolved.centVenv!;
      // CPython has no JIT tiers to wait for: its warm-up is by time only.
      const { warmupRequests: _, ...timed } = config;
      return [python, `${BENCH}python_runner.py`, JSON.stringify(timed)];
    }
    case "wrk": {
      const { concurrency, url, apiKey, publication } = job;
      return [
        resolved.wrk!,
        "-t1",
        `-c${concurrency}`,
        `-d${wrkSeconds}s`,
        "--timeout",
        "10s",
        "-s",
        `${BENCH}wrk_publish.lua`,
        url,
        "--",
        apiKey,
        publication.prefix,
        String(publication.channels),
        JSON.stringify(publication.data),
      ];
    }
  }
}

/** A command line for the report, with the repository-relative paths and JSON shortened. */
export function displayCommand(argv: string[]): string {
  const root = new URL("../", import.meta.url).pathname;
  const home = Deno.env.get("HOME");
  return argv.map((arg, i) => {
    let text = arg.startsWith(root) ? arg.slice(root.length) : arg;
    if (home && text.startsWith(`${home}/`)) text = `~${text.slice(home.length)}`;
    if (i === 0 && text === Deno.execPath()) text = "deno";
    if (text.startsWith("{") && text.length > 60) {
      // The runner's config: show what differs between contenders, elide the rest.
      const { impl, concurrency } = JSON.parse(text);
      text = `'{"impl":"${impl}","concurrency":${concurrency},…}'`;
    } else if (/aiocent-bench-src-/.test(text)) {
      text = text.replace(/\/[^=]*aiocent-bench-src-[^/]+/, "$SNAPSHOT");
    } else if (/^http:\/\/127\.0\.0\.1:\d+/.test(text)) {
      text = text.replace(/:\d+/, ":$PORT");
    } else if (/[\s{}"*]/.test(text)) text = `'${text}'`;
    return text;
  }).join(" ");
}
