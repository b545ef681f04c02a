// Brings the peers the benchmark compares against, outside the repository:
// wrk (Debian package), two throwaway Python venvs (cent and aiocent cannot
// share one: aiocent 4.1.2 ships its own top-level `cent` package, which
// overwrites cent 5.x's), cent.js from npm, and this library built for
// Node/Bun. Also describes the machine. Every step is bounded in time, and a
// peer that cannot be had is skipped with the reason, not fatal.

import { cacheDir } from "../tests/_centrifugo.ts";
import { buildNpm } from "../tests/runtimes/build_npm.ts";

export const PINNED = {
  cent: "5.2.0",
  aiocent: "4.1.2",
  centjs: "6.1.0",
} as const;

/** `~/.cache/aiocent` (or $AIOCENT_CACHE_DIR / $XDG_CACHE_HOME/aiocent). */
export function cacheRoot(): string {
  return cacheDir().replace(/\/[^/]+$/, "");
}

export interface RunOutput {
  ok: boolean;
  out: string;
}

/** Runs a command to completion within `timeoutMs`, returning its output. */
export async function run(
  cmd: string,
  args: string[],
  { timeoutMs = 120_000, env }: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<RunOutput> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, { args, env, stdin: "null", stdout: "piped", stderr: "piped" })
      .spawn();
  } catch (err) {
    return { ok: false, out: String(err) };
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, timeoutMs);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    const out = (decoder.decode(output.stdout) + decoder.decode(output.stderr)).trim();
    return { ok: output.success, out };
  } finally {
    clearTimeout(timer);
  }
}

/** Something a contender needs: ready with a value, or missing with the reason. */
export type Need = { ok: true; value: string; version: string } | { ok: false; reason: string };

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** wrk on PATH, installed with apt-get when missing and possible. */
export async function ensureWrk(log: (line: string) => void): Promise<Need> {
  const probe = async () => {
    const { out } = await run("wrk", ["-v"], { timeoutMs: 10_000 });
    const version = out.match(/^wrk (\S+)/m)?.[1];
    return version;
  };
  let version = await probe();
  if (!version && Deno.uid?.() === 0 && (await run("apt-get", ["--version"])).ok) {
    log("wrk is missing: apt-get install -y wrk …");
    await run("apt-get", ["update", "-qq"], { timeoutMs: 300_000 });
    const installed = await run("apt-get", ["install", "-y", "-qq", "wrk"], {
      timeoutMs: 300_000,
      env: { DEBIAN_FRONTEND: "noninteractive" },
    });
    if (!installed.ok) log(installed.out.slice(-500));
    version = await probe();
  }
  return version
    ? { ok: true, value: "wrk", version }
    : { ok: false, reason: "wrk is not installed (Debian: apt-get install wrk)" };
}

/** A venv under the cache with `pkg==version` installed; value = its python. */
export async function ensureVenv(
  name: string,
  pkg: string,
  version: string,
  log: (line: string) => void,
): Promise<Need> {
  const dir = `${cacheRoot()}/bench-venv/${name}`;
  const python = `${dir}/bin/python`;
  const installed = async () => {
    const { ok, out } = await run(python, [
      "-c",
      `import importlib.metadata as m; print(m.version(${JSON.stringify(pkg)}))`,
    ], { timeoutMs: 30_000 });
    return ok && out.trim() === version;
  };
  if (await exists(python) && await installed()) return { ok: true, value: python, version };
  log(`creating ${dir} with ${pkg}==${version} …`);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const venv = await run("python3", ["-m", "venv", dir], { timeoutMs: 120_000 });
  if (!venv.ok) return { ok: false, reason: `python3 -m venv failed: ${venv.out.slice(-300)}` };
  const pip = await run(python, [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    `${pkg}==${version}`,
  ], { timeoutMs: 300_000 });
  if (!pip.ok || !await installed()) {
    return { ok: false, reason: `pip install ${pkg}==${version} failed: ${pip.out.slice(-300)}` };
  }
  return { ok: true, value: python, version };
}

/** cent.js installed under the cache; value = the package's folder. */
export async function ensureCentJs(log: (line: string) => void): Promise<Need> {
  const prefix = `${cacheRoot()}/bench-node`;
  const dir = `${prefix}/node_modules/cent.js`;
  const version = async () => {
    try {
      return JSON.parse(await Deno.readTextFile(`${dir}/package.json`)).version as string;
    } catch {
      return undefined;
    }
  };
  if (await version() !== PINNED.centjs) {
    log(`npm install cent.js@${PINNED.centjs} into ${prefix} …`);
    await Deno.mkdir(prefix, { recursive: true });
    const npm = await run("npm", [
      "install",
      "--prefix",
      prefix,
      "--no-audit",
      "--no-fund",
      `cent.js@${PINNED.centjs}`,
    ], { timeoutMs: 300_000 });
    if (await version() !== PINNED.centjs) {
      return { ok: false, reason: `npm install cent.js failed: ${npm.out.slice(-300)}` };
    }
  }
  return { ok: true, value: dir, version: PINNED.centjs };
}

/** A runtime on PATH; value = the command. */
export async function ensureRuntime(cmd: "node" | "bun"): Promise<Need> {
  const { ok, out } = await run(cmd, ["--version"], { timeoutMs: 10_000 });
  return ok
    ? { ok: true, value: cmd, version: out.trim().replace(/^v/, "") }
    : { ok: false, reason: `${cmd} is not installed` };
}

const ROOT = new URL("../", import.meta.url).pathname;

type Attempt = { dir: string } | { reason: string };

/** Retries `attempt` (up to 6 times, 5 s apart) until it gives a folder. */
async function settle(attempt: () => Promise<Attempt>): Promise<Attempt> {
  let last: Attempt = { reason: "not tried" };
  for (let i = 0; i < 6; i++) {
    last = await attempt();
    if ("dir" in last) return last;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  return last;
}

/**
 * Copies the entrypoints (mod.ts, …) and src/ into a private temporary folder and checks that the
 * copy loads, so that every Deno measurement of a run uses the same code even
 * while others edit src/ (a half-saved edit is retried, up to 30 s). Value =
 * the copy's mod.ts.
 */
export async function snapshotSource(): Promise<Need & { cleanup?: () => Promise<void> }> {
  const got = await settle(async () => {
    const dir = await Deno.makeTempDir({ prefix: "aiocent-bench-src-" });
    // Every entrypoint: mod.ts re-exports from some of the others.
    const { exports } = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
      exports: Record<string, string>;
    };
    for (const file of Object.values(exports)) {
      await Deno.copyFile(`${ROOT}${file.replace(/^\.\//, "")}`, `${dir}/${file}`);
    }
    await Deno.mkdir(`${dir}/src`);
    await copyTree(`${ROOT}src`, `${dir}/src`);
    const check = await run(Deno.execPath(), [
      "eval",
      `const m = await import(${JSON.stringify(`file://${dir}/mod.ts`)}); ` +
      `if (typeof m.Client !== "function") throw new Error("no Client");`,
    ], { timeoutMs: 60_000 });
    if (check.ok) return { dir };
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return { reason: `the source does not load: ${check.out.slice(-300)}` };
  });
  if (!("dir" in got)) return { ok: false, reason: got.reason };
  return {
    ok: true,
    value: `${got.dir}/mod.ts`,
    version: await sourceVersion(),
    cleanup: () => Deno.remove(got.dir, { recursive: true }).catch(() => {}),
  };
}

/** The checkout's commit, and whether mod.ts or src/ had uncommitted changes. */
export async function sourceVersion(): Promise<string> {
  const head = await run("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], {
    timeoutMs: 10_000,
  });
  if (!head.ok) return "this checkout";
  const dirty = await run("git", ["-C", ROOT, "status", "--porcelain", "--", "mod.ts", "src"], {
    timeoutMs: 10_000,
  });
  return `commit ${head.out.trim()}${dirty.out.trim() ? " + uncommitted changes in src/" : ""}`;
}

/**
 * Builds the package for Node/Bun with buildNpm() and copies npm/ into a
 * private temporary folder, so a test run that rebuilds npm/ meanwhile
 * cannot pull the module from under a measurement; checks that Node loads
 * it. Value = its mod.js.
 */
export async function prepareNpmBuild(
  node: string | undefined,
): Promise<Need & { cleanup?: () => Promise<void> }> {
  const got = await settle(async () => {
    let dir: string | undefined;
    try {
      const built = await buildNpm();
      dir = await Deno.makeTempDir({ prefix: "aiocent-bench-npm-" });
      await copyTree(built, dir);
      if (node) {
        const check = await run(node, [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(`file://${dir}/mod.js`)}); ` +
          `if (typeof m.Client !== "function") throw new Error("no Client");`,
        ], { timeoutMs: 60_000 });
        if (!check.ok) throw new Error(`the build does not load: ${check.out.slice(-300)}`);
      }
      return { dir };
    } catch (err) {
      if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
      return { reason: `buildNpm() failed: ${String(err).slice(0, 300)}` };
    }
  });
  if (!("dir" in got)) return { ok: false, reason: got.reason };
  return {
    ok: true,
    value: `${got.dir}/mod.js`,
    version: await sourceVersion(),
    cleanup: () => Deno.remove(got.dir, { recursive: true }).catch(() => {}),
  };
}

async function copyTree(from: string, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    const source = `${from}/${entry.name}`;
    const target = `${to}/${entry.name}`;
    if (entry.isDirectory) {
      await Deno.mkdir(target, { recursive: true });
      await copyTree(source, target);
    } else if (entry.isFile) {
      await Deno.copyFile(source, target);
    }
  }
}

/** The machine the figures come from. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
}

export async function describeMachine(): Promise<Machine> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const osRelease = await Deno.readTextFile("/etc/os-release").catch(() => "");
  return {
    cpu: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "unknown",
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10,
    os: osRelease.match(/^PRETTY_NAME="?([^"\n]+)"?$/m)?.[1] ?? Deno.build.os,
    kernel: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
  };
}

/** The Python interpreter's version, e.g. "3.11.7". */
export async function pythonVersion(python: string): Promise<string> {
  const { out } = await run(python, ["--version"], { timeoutMs: 10_000 });
  return out.replace(/^Python\s+/, "").trim();
}

/** A distribution's version inside a venv. */
export async function pythonPackageVersion(python: string, pkg: string): Promise<string> {
  const { out } = await run(python, [
    "-c",
    `import importlib.metadata as m; print(m.version(${JSON.stringify(pkg)}))`,
  ], { timeoutMs: 30_000 });
  return out.trim();
}
