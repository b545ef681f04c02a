// Starts a real, throwaway PostgreSQL for the tests of Centrifugo's
// `postgresql` consumer (the transactional outbox): Debian's PostgreSQL
// binaries on a free loopback port, with a fresh cluster (initdb) in its own
// temp dir, its Unix socket in that dir too, trust auth and no durability
// (fsync off: nothing needs to survive a crash). A watchdog shell kills it if
// this process dies without stopping it, as tests/_centrifugo.ts does for
// Centrifugo.
//
// initdb and postgres refuse to run as root. When this process is root (as in
// CI containers) both run as an unprivileged user instead: $POSTGRES_RUN_AS,
// else `postgres` (the Debian package creates it), else `nobody`, via
// `setpriv` (util-linux), which execs in place so that the watchdog's pid is
// the postmaster. The temp dir is chowned to that user.
//
// There is no fallback: without the binaries the tests that need them fail
// with the command that installs them, rather than being skipped.

import { PortTakenError, startWatched } from "./_process.ts";
import { aptInstall, run } from "./_tools.ts";
import { freePort } from "./_centrifugo.ts";

/** The command that installs what this module needs on Debian/Ubuntu. */
export const POSTGRES_INSTALL = "apt-get update && apt-get install -y postgresql";

/** The superuser and database of every test cluster. */
export const POSTGRES_USER = "postgres";
export const POSTGRES_DB = "postgres";

/** A running PostgreSQL. */
export interface Postgres {
  readonly port: number;
  /**
   * `postgres://postgres@127.0.0.1:<port>/postgres?sslmode=disable`: trust auth,
   * no password. Centrifugo's `postgresql.dsn` (pgx), postgres.js and
   * node-postgres all take it.
   */
  readonly url: string;
  /** The data directory (owned by the user the server runs as). */
  readonly dataDir: string;
  /** What the server printed so far (its log goes to stderr). */
  logs(): string;
  /**
   * Stops the server with a fast shutdown (open sessions are ended, so a
   * client still connected does not keep it alive) and removes its temp
   * directory. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** Directories that may hold initdb and postgres, best first. */
async function candidateDirs(): Promise<string[]> {
  const explicit = Deno.env.get("POSTGRES_BIN_DIR");
  if (explicit) return [explicit];
  const dirs: string[] = [];
  // Debian/Ubuntu keep them off PATH, one directory per major version.
  try {
    const versions: number[] = [];
    for await (const entry of Deno.readDir("/usr/lib/postgresql")) {
      if (entry.isDirectory && /^\d+$/.test(entry.name)) versions.push(Number(entry.name));
    }
    versions.sort((a, b) => b - a);
    for (const v of versions) dirs.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // Not Debian-style.
  }
  // Elsewhere (Fedora, Homebrew, Nix…) they are on PATH.
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) if (dir) dirs.push(dir);
  return dirs;
}

let binaries: Promise<{ initdb: string; postgres: string }> | undefined;

/** `initdb` and `postgres`: from $POSTGRES_BIN_DIR, else found; throws how to install them. */
export function postgresBinaries(): Promise<{ initdb: string; postgres: string }> {
  return binaries ??= (async () => {
    const find = async () => {
      for (const dir of await candidateDirs()) {
        const initdb = `${dir}/initdb`, postgres = `${dir}/postgres`;
        if ((await run(postgres, ["--version"])).ok && (await run(initdb, ["--version"])).ok) {
          return { initdb, postgres };
        }
      }
      return undefined;
    };
    const found = await find() ??
      // As root on Debian (CI, a fresh container), it is installed on first use.
      (!Deno.env.get("POSTGRES_BIN_DIR") && await aptInstall("postgresql")
        ? await find()
        : undefined);
    if (found) return found;
    const dirs = await candidateDirs();
    binaries = undefined;
    throw new Error(
      `PostgreSQL (initdb and postgres) is needed to test Centrifugo's postgresql consumer and ` +
        `was not found (looked in ${Deno.env.get("POSTGRES_BIN_DIR") ? "$POSTGRES_BIN_DIR=" : ""}` +
        `${dirs.slice(0, 4).join(", ")}${dirs.length > 4 ? ", … (PATH)" : ""}). Install it with\n` +
        `  ${POSTGRES_INSTALL}\n` +
        `or point POSTGRES_BIN_DIR at a directory holding initdb and postgres.`,
    );
  })();
}

interface RunAs {
  /** Prefix that runs a command as the user (empty when not root). */
  prefix: string[];
  uid?: number;
  gid?: number;
}

/** How to run the server: as ourselves, or, when root, as an unprivileged user. */
async function runAs(): Promise<RunAs> {
  if (Deno.uid() !== 0) return { prefix: [] };
  const name = Deno.env.get("POSTGRES_RUN_AS") ||
    ((await run("id", ["-u", "postgres"])).ok ? "postgres" : "nobody");
  const uid = await run("id", ["-u", name]);
  const gid = await run("id", ["-g", name]);
  if (!uid.ok || !gid.ok) {
    throw new Error(
      `PostgreSQL refuses to run as root, and user ${name} to run it as does not exist ` +
        `(set POSTGRES_RUN_AS to an unprivileged user): ${uid.text}`,
    );
  }
  // setpriv execs in place, so the watchdog signals the postmaster itself.
  // (runuser/su fork and stay in between: killed, they can leave it behind.)
  if (!(await run("setpriv", ["--version"])).ok) {
    throw new Error(
      `PostgreSQL refuses to run as root, and setpriv, which runs it as ${name}, was not ` +
        `found. Install it with\n  apt-get update && apt-get install -y util-linux\n` +
        `or run the tests as an unprivileged user.`,
    );
  }
  const prefix = ["setpriv", `--reuid=${uid.text}`, `--regid=${gid.text}`, "--init-groups", "--"];
  return { prefix, uid: Number(uid.text), gid: Number(gid.text) };
}

/** Starts a PostgreSQL on a free port; retries if another process takes the port first. */
export async function startPostgres(): Promise<Postgres> {
  const bins = await postgresBinaries();
  const as = await runAs();
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(bins, as);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTakenError)) throw err;
    }
  }
}

async function startOnce(bins: { initdb: string; postgres: string }, as: RunAs): Promise<Postgres> {
  const dir = await Deno.makeTempDir({ prefix: "aiocent-postgres-" });
  const dataDir = `${dir}/data`;
  try {
    if (as.uid !== undefined) await Deno.chown(dir, as.uid, as.gid!);
    const [cmd, ...pre] = [...as.prefix, bins.initdb];
    const init = await run(cmd, [
      ...pre,
      "-D",
      dataDir,
      "-U",
      POSTGRES_USER,
      "-A",
      "trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
    if (!init.ok) throw new Error(`initdb failed:\n${init.text}`);
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
  const port = freePort();
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    unix_socket_directories: dir,
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    shared_buffers: "16MB",
    max_connections: "50",
    autovacuum: "off",
    // Log to stderr, which startWatched collects.
    logging_collector: "off",
  };
  const args = [
    "-D",
    dataDir,
    ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
  ];
  const [cmd, ...pre] = [...as.prefix, bins.postgres];
  const server = await startWatched(
    "PostgreSQL",
    cmd,
    [...pre, ...args],
    dir,
    () => accepts(port),
    30_000,
  );
  let stopped: Promise<void> | undefined;
  return {
    port,
    url: `postgres://${POSTGRES_USER}@127.0.0.1:${port}/${POSTGRES_DB}?sslmode=disable`,
    dataDir,
    logs: server.output,
    stop: () =>
      stopped ??= (async () => {
        // SIGTERM (what the watchdog sends) is a "smart" shutdown that waits
        // for every session to end; SIGINT to the postmaster is a fast one.
        try {
          const pid = Number((await Deno.readTextFile(`${dataDir}/postmaster.pid`)).split("\n")[0]);
          if (pid > 0) Deno.kill(pid, "SIGINT");
        } catch {
          // Not running any more.
        }
        await server.stop();
      })(),
  };
}

/**
 * Whether a PostgreSQL on `port` accepts a session for the test superuser:
 * sends a StartupMessage and expects AuthenticationOk ('R', 0), where a server
 * still starting answers with an ErrorResponse ('E').
 */
export async function accepts(port: number): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const params = new TextEncoder().encode(`user\0${POSTGRES_USER}\0database\0${POSTGRES_DB}\0\0`);
    const startup = new Uint8Array(8 + params.length);
    const view = new DataView(startup.buffer);
    view.setInt32(0, startup.length);
    view.setInt32(4, 196608); // protocol 3.0
    startup.set(params, 8);
    await conn.write(startup);
    const reply = new Uint8Array(9);
    let got = 0;
    while (got < reply.length) {
      const n = await conn.read(reply.subarray(got));
      if (n === null) return false;
      got += n;
    }
    const ok = reply[0] === 0x52 && new DataView(reply.buffer).getInt32(5) === 0;
    if (ok) await conn.write(new Uint8Array([0x58, 0, 0, 0, 4])).catch(() => {}); // Terminate
    return ok;
  } catch {
    return false;
  } finally {
    conn?.close();
  }
}

if (import.meta.main) {
  console.log(await postgresBinaries());
}
