// workerd, Cloudflare Workers' runtime, for tests/workerd_test.ts: from
// $WORKERD_BIN, else the pinned npm `workerd` installed into the cache
// directory (outside the repository) on first use.
//
// Run as a script (`deno run -A tests/_workerd.ts`) it only ensures the
// binary exists and prints its path: .ci/run uses that to install it up front.

import { cacheDir } from "./_centrifugo.ts";

/** The workerd release the tests run on (npm `workerd`). */
export const WORKERD_VERSION = "1.20261117.1";

async function output(command: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
      .output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { ok: out.success, text };
  } catch (err) {
    return { ok: false, text: String(err) };
  }
}

/** The workerd binary: $WORKERD_BIN, else the cached one, else npm installs it there. */
export async function workerdBinary(): Promise<string> {
  const explicit = Deno.env.get("WORKERD_BIN");
  if (explicit) return explicit;
  const prefix = `${cacheDir().replace(/\/[^/]+$/, "")}/workerd`;
  const bin = `${prefix}/node_modules/workerd/bin/workerd`;
  // npm's 1.YYYYMMDD.N prints "workerd YYYY-MM-DD".
  const date = WORKERD_VERSION.split(".")[1]!.replace(/^(\d{4})(\d{2})(\d{2})$/, "$1-$2-$3");
  const pinned = async () => {
    const { ok, text } = await output(bin, ["--version"]);
    return ok && text.includes(date);
  };
  if (await pinned()) return bin;
  console.error(`Installing workerd ${WORKERD_VERSION} into ${prefix} (first time only)…`);
  const npm = await output("npm", [
    "install",
    "--prefix",
    prefix,
    "--no-audit",
    "--no-fund",
    `workerd@${WORKERD_VERSION}`,
  ]);
  if (npm.ok && await pinned()) return bin;
  throw new Error(
    `workerd is needed to run the proxy handlers inside it and could not be installed:\n` +
      `${npm.text.slice(-2000)}\nRun: npm install --prefix ${prefix} workerd@${WORKERD_VERSION}`,
  );
}

if (import.meta.main) {
  console.log(await workerdBinary());
}
