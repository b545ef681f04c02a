// Starts a real, throwaway Redis for the tests that run Centrifugo's Redis
// engine: Debian's `redis-server` on a free loopback port, with its own temp
// dir and no persistence (it keeps running for the whole test, so nothing needs
// to survive on disk). A watchdog shell kills it if this process dies without
// stopping it, as tests/_centrifugo.ts does for Centrifugo.
//
// Run as root on Debian, the tests install redis-server with apt-get on first
// use; elsewhere they fail with the command that installs it, rather than
// being skipped.

import { PortTakenError, startWatched } from "./_process.ts";
import { freePort } from "./_centrifugo.ts";
import { aptInstall } from "./_tools.ts";

/** The command that installs what this module needs on Debian/Ubuntu. */
export const REDIS_INSTALL = "apt-get update && apt-get install -y redis-server";

/** A running Redis. */
export interface Redis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, as Centrifugo's `engine.redis.address` takes it. */
  readonly url: string;
  /** What the server printed so far. */
  logs(): string;
  /** Stops the server and removes its temp directory. Safe to call twice. */
  stop(): Promise<void>;
}

async function version(bin: string): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(bin, {
      args: ["--version"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** `redis-server`: `$REDIS_SERVER_BIN`, else the one on PATH; throws how to install it. */
export async function redisBinary(): Promise<string> {
  const bin = Deno.env.get("REDIS_SERVER_BIN") || "redis-server";
  if (await version(bin)) return bin;
  // As root on Debian (CI, a fresh container), it is installed on first use.
  if (!Deno.env.get("REDIS_SERVER_BIN") && await aptInstall("redis-server") && await version(bin)) {
    return bin;
  }
  throw new Error(
    `redis-server is needed to run Centrifugo's Redis engine in these tests and was not found ` +
      `(looked for ${bin}). Install it with\n  ${REDIS_INSTALL}\n` +
      `or point REDIS_SERVER_BIN at a redis-server binary.`,
  );
}

/** Starts a Redis on a free port; retries if another process takes the port first. */
export async function startRedis(): Promise<Redis> {
  const bin = await redisBinary();
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(bin);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTakenError)) throw err;
    }
  }
}

async function startOnce(bin: string): Promise<Redis> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "aiocent-redis-" });
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--logfile",
    "",
    "--loglevel",
    "warning",
  ];
  const server = await startWatched("redis-server", bin, args, dir, () => ping(port), 15_000);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    logs: server.output,
    stop: () => server.stop(),
  };
}

/** Whether a Redis on `port` answers PING with PONG. */
export async function ping(port: number): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buffer = new Uint8Array(64);
    const read = await conn.read(buffer);
    return read !== null && new TextDecoder().decode(buffer.subarray(0, read)).startsWith("+PONG");
  } catch {
    return false;
  } finally {
    conn?.close();
  }
}

if (import.meta.main) {
  console.log(await redisBinary());
}
