// Starts a real, throwaway Centrifugo for the tests and the demo: finds or
// builds the pinned binary, writes a temp config, picks a free port, waits for
// /health, and stops it afterwards. A watchdog shell kills the server if this
// process dies without stopping it, so no server outlives its test run.
//
// Run as a script (`deno run -A tests/_centrifugo.ts`) it only ensures the
// binary exists and prints its path: .ci/run uses that to build it up front.

import { PortTakenError, startWatched } from "./_process.ts";

export const CENTRIFUGO_VERSION = "6.9.1";
export const API_KEY = "test-api-key-7f3c9a";
export const HMAC_SECRET = "test-hmac-secret-5b1e";

const MODULE = `github.com/centrifugal/centrifugo/v6@v${CENTRIFUGO_VERSION}`;
// Release builds stamp their version this way; a plain `go install` reports 0.0.0.
const LDFLAGS =
  `-X github.com/centrifugal/centrifugo/v6/internal/build.Version=${CENTRIFUGO_VERSION}`;

/** The directory the binary is cached in, outside the repository. */
export function cacheDir(): string {
  const env = (name: string) => Deno.env.get(name) || undefined;
  const root = env("AIOCENT_CACHE_DIR") ??
    `${env("XDG_CACHE_HOME") ?? `${env("HOME") ?? "/tmp"}/.cache`}/aiocent`;
  return `${root}/centrifugo-v${CENTRIFUGO_VERSION}`;
}

async function run(cmd: string, args: string[], env?: Record<string, string>) {
  try {
    const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
      .output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { ok: out.success, text };
  } catch (err) {
    return { ok: false, text: String(err) };
  }
}

async function isPinnedVersion(bin: string): Promise<boolean> {
  const { ok, text } = await run(bin, ["version"]);
  return ok && text.includes(CENTRIFUGO_VERSION);
}

let binary: Promise<string> | undefined;

/**
 * The Centrifugo binary: $CENTRIFUGO_BIN, else `centrifugo` on PATH if it is
 * v6.9.1, else the cached build, else `go install` into the cache.
 */
export function centrifugoBinary(): Promise<string> {
  return binary ??= findOrBuild();
}

async function findOrBuild(): Promise<string> {
  const explicit = Deno.env.get("CENTRIFUGO_BIN");
  if (explicit) {
    if (await isPinnedVersion(explicit)) return explicit;
    throw new Error(
      `CENTRIFUGO_BIN=${explicit} is not a runnable Centrifugo ${CENTRIFUGO_VERSION}`,
    );
  }
  if (await isPinnedVersion("centrifugo")) return "centrifugo";
  const dir = cacheDir();
  const cached = `${dir}/centrifugo`;
  if (await isPinnedVersion(cached)) return cached;
  console.error(`Building Centrifugo ${CENTRIFUGO_VERSION} into ${dir} (first time only)…`);
  const built = await run("go", ["install", `-ldflags=${LDFLAGS}`, MODULE], { GOBIN: dir });
  if (built.ok && await isPinnedVersion(cached)) return cached;
  throw new Error(
    `Centrifugo ${CENTRIFUGO_VERSION} is needed to run against a real server and could not be ` +
      `built:\n${built.text.slice(-2000)}\n` +
      `Install Go (https://go.dev/dl/ or 'apt-get install golang') and run\n` +
      `  GOBIN=${dir} go install '-ldflags=${LDFLAGS}' ${MODULE}\n` +
      `or point CENTRIFUGO_BIN at a Centrifugo ${CENTRIFUGO_VERSION} binary.`,
  );
}

/** A free TCP port on loopback (released just before Centrifugo takes it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Namespaces every test server has, besides the default (top-level) channels. */
export const NAMESPACES = {
  /** No history, no presence: history/presence calls answer 108. */
  bare: "bare",
  /** History and presence like the default namespace. */
  chat: "chat",
  /** Like chat: the namespace of the original library's examples (`public:chat`). */
  public: "public",
  /** A map channel namespace (`subscription_type: map`, recoverable: it keeps a stream). */
  board: "board",
  /** An ephemeral map namespace: state only, no stream. */
  cursors: "cursors",
  /** A persistent map namespace: keys never expire. */
  settings: "settings",
  /**
   * A shared-poll namespace (versioned, publish enabled). Its refresh proxy
   * is `SHARED_POLL_REFRESH` unless a test gives its own.
   */
  scores: "scores",
} as const;

/** The secret of `shared_poll.hmac_secret_key` in the test servers. */
export const SHARED_POLL_SECRET = "test-shared-poll-secret-2c8d";

/**
 * The default shared-poll refresh proxy: nobody listens there, so only
 * shared_poll_publish (which needs no poll) works without a test's own.
 */
export const SHARED_POLL_REFRESH = "http://127.0.0.1:9/shared_poll_refresh";

/** What a test adds to the default `channel` section. */
export interface ChannelExtras {
  /** More namespaces, after the default ones. */
  namespaces?: Record<string, unknown>[];
  /** Channel proxies (`channel.proxy`), replacing the default shared-poll refresh. */
  proxy?: Record<string, unknown>;
}

/**
 * The `channel` section of the test servers' config, with a test's extras:
 * pass it as `startCentrifugo({ channel: channelConfig({ … }) })`.
 */
export function channelConfig(extras: ChannelExtras = {}): Record<string, unknown> {
  const full = {
    presence: true,
    join_leave: true,
    history_size: 1000,
    history_ttl: "300s",
    allow_subscribe_for_client: true,
    allow_presence_for_subscriber: true,
    allow_history_for_subscriber: true,
  };
  return {
    without_namespace: full,
    namespaces: [
      { name: NAMESPACES.bare, allow_subscribe_for_client: true },
      { name: NAMESPACES.chat, ...full },
      { name: NAMESPACES.public, ...full },
      {
        name: NAMESPACES.board,
        subscription_type: "map",
        allow_subscribe_for_client: true,
        map: { mode: "recoverable", key_ttl: "300s" },
      },
      {
        name: NAMESPACES.cursors,
        subscription_type: "map",
        allow_subscribe_for_client: true,
        map: { mode: "ephemeral", key_ttl: "60s" },
      },
      {
        name: NAMESPACES.settings,
        subscription_type: "map",
        allow_subscribe_for_client: true,
        map: { mode: "persistent" },
      },
      {
        name: NAMESPACES.scores,
        subscription_type: "shared_poll",
        allow_subscribe_for_client: true,
        shared_poll: { mode: "versioned", publish_enabled: true },
      },
      ...extras.namespaces ?? [],
    ],
    proxy: extras.proxy ??
      { shared_poll_refresh: { endpoint: SHARED_POLL_REFRESH, timeout: "1s" } },
  };
}

function defaultConfig(port: number): Record<string, unknown> {
  return {
    http_server: { address: "127.0.0.1", port },
    http_api: { key: API_KEY },
    health: { enabled: true },
    usage_stats: { disabled: true },
    log: { level: "warn" },
    client: { token: { hmac_secret_key: HMAC_SECRET }, allowed_origins: ["*"] },
    channel: channelConfig(),
    shared_poll: { hmac_secret_key: SHARED_POLL_SECRET },
  };
}

/** A running Centrifugo. */
export interface Centrifugo {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** The API endpoint, `http://127.0.0.1:<port>/api`. */
  readonly apiUrl: string;
  /** The WebSocket endpoint for client SDKs. */
  readonly wsUrl: string;
  readonly port: number;
  /** What the server printed so far. */
  logs(): string;
  /** Stops the server and removes its temp directory. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Kills the server with `signal` (default SIGKILL: no graceful shutdown, as
   * a crash would), waits until it has exited and removes its temp directory.
   * After it, `stop()` does nothing.
   */
  kill(signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  /**
   * Kills the server with `signal` (default SIGKILL), then starts a new one
   * with the same config on the same port, and resolves once it is healthy.
   * The new server is a new {@linkcode Centrifugo}: stop that one.
   */
  restart(signal?: "SIGKILL" | "SIGTERM"): Promise<Centrifugo>;
}

/** How to start a test server, besides its config. */
export interface StartOptions {
  /**
   * Listen on this port instead of a free one (e.g. to restart a server where
   * its clients expect it). If it is taken, the start is retried for a few
   * seconds on the same port.
   */
  port?: number;
}

/** TLS for the test server: PEM texts. */
export interface ServerTls {
  cert: string;
  key: string;
  /** The CA to trust when checking /health. */
  ca: string;
  /** Require client certificates signed by this CA (mutual TLS). */
  clientCa?: string;
  /** A client certificate and key for /health, when clientCa is set. */
  client?: { cert: string; key: string };
}

/**
 * Starts a Centrifugo with the default test config (see defaultConfig),
 * merged shallowly with `overrides`, serving HTTPS when `tls` is given.
 */
export async function startCentrifugo(
  overrides: Record<string, unknown> = {},
  tls?: ServerTls,
  options: StartOptions = {},
): Promise<Centrifugo> {
  const bin = await centrifugoBinary();
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(bin, overrides, tls, options);
    } catch (err) {
      if (!(err instanceof PortTakenError)) throw err;
      // Another process may take the port between freePort() and the bind.
      if (options.port === undefined && attempt >= 3) throw err;
      // A fixed port: wait for whoever holds it to let go (bounded).
      if (options.port !== undefined && attempt >= 40) throw err;
      if (options.port !== undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Starts several servers at once; if any fails to start, stops the others
 * before rethrowing, so a failed start leaves nothing running.
 */
export async function startMany(
  ...specs: [overrides?: Record<string, unknown>, tls?: ServerTls][]
): Promise<Centrifugo[]> {
  const settled = await Promise.allSettled(specs.map((spec) => startCentrifugo(...spec)));
  const failed = settled.find((r) => r.status === "rejected");
  if (!failed) return settled.map((r) => (r as PromiseFulfilledResult<Centrifugo>).value);
  await Promise.all(settled.map((r) => r.status === "fulfilled" ? r.value.stop() : undefined));
  throw failed.reason;
}

async function startOnce(
  bin: string,
  overrides: Record<string, unknown>,
  tls: ServerTls | undefined,
  options: StartOptions = {},
): Promise<Centrifugo> {
  const port = options.port ?? freePort();
  const dir = await Deno.makeTempDir({ prefix: "aiocent-centrifugo-" });
  const config = `${dir}/config.json`;
  const settings = { ...defaultConfig(port), ...overrides };
  if (tls) {
    settings.http_server = {
      address: "127.0.0.1",
      port,
      tls: {
        enabled: true,
        cert_pem: tls.cert,
        key_pem: tls.key,
        ...(tls.clientCa ? { client_ca_pem: tls.clientCa } : {}),
      },
    };
  }
  await Deno.writeTextFile(config, JSON.stringify(settings));
  const origin = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  const server = await startWatched(
    "Centrifugo",
    bin,
    ["--config", config],
    dir,
    () => healthy(origin, tls),
    30_000,
  );
  return {
    origin,
    apiUrl: `${origin}/api`,
    wsUrl: `${tls ? "wss" : "ws"}://127.0.0.1:${port}/connection/websocket`,
    port,
    logs: server.output,
    stop: () => server.stop(),
    kill: (signal = "SIGKILL") => server.stop(signal),
    async restart(signal = "SIGKILL") {
      await server.stop(signal);
      return await startCentrifugo(overrides, tls, { ...options, port });
    },
  };
}

/**
 * Whether GET /health answers 200. TLS servers are checked without verifying
 * the certificate, since some tests serve one for another host on purpose.
 */
async function healthy(origin: string, tls: ServerTls | undefined): Promise<boolean> {
  if (!tls) {
    try {
      const res = await fetch(`${origin}/health`);
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  }
  const https = await import("node:https");
  return await new Promise((resolve) => {
    const req = https.get(`${origin}/health`, {
      rejectUnauthorized: false,
      cert: tls.client?.cert,
      key: tls.client?.key,
      agent: false,
    }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("error", () => resolve(false));
  });
}

if (import.meta.main) {
  console.log(await centrifugoBinary());
}
