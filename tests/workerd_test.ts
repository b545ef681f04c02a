// The proxy handlers inside workerd (Cloudflare Workers' runtime, from the
// npm `workerd` package): the npm build of @aiocent/aiocent/proxy and the
// proxy test app (tests/_proxy_app.mjs) as an ES-module worker, no
// nodejs_compat flag, answering a real Centrifugo's proxies for real clients
// (tests/_proxy_scenarios.ts). workerd comes from tests/_workerd.ts.

import assert from "node:assert/strict";
import { freePort, startCentrifugo } from "./_centrifugo.ts";
import { workerdBinary } from "./_workerd.ts";
import { proxyConfig, runHostileChecks, runProxyScenarios } from "./_proxy_scenarios.ts";
import { buildNpm } from "./runtimes/build_npm.ts";

/** The relative imports of an emitted module (static and dynamic). */
function importsOf(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    found.add(m[1]!);
  }
  return [...found];
}

/**
 * Writes the worker into `dir`: the npm build of ./proxy (its module graph),
 * the test app and an entry module, and a workerd config embedding them.
 */
async function writeWorker(dir: string, npm: string): Promise<void> {
  const root = new URL("../", import.meta.url).pathname;
  const modules: string[] = [];
  const copy = async (from: string, to: string) => {
    if (to.includes("/")) {
      await Deno.mkdir(`${dir}/${to.replace(/\/[^/]+$/, "")}`, { recursive: true });
    }
    await Deno.copyFile(from, `${dir}/${to}`);
    modules.push(to);
  };
  // The module graph of npm/proxy.js, as workerd resolves it (relative names).
  const pending = ["proxy.js"];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    await copy(`${npm}/${file}`, `npm/${file}`);
    for (const specifier of importsOf(await Deno.readTextFile(`${npm}/${file}`))) {
      pending.push(new URL(specifier, `file:///${file}`).pathname.slice(1));
    }
  }
  await copy(`${root}tests/_proxy_app.mjs`, "app.mjs");
  await Deno.writeTextFile(
    `${dir}/worker.js`,
    `import * as proxy from "./npm/proxy.js";
import { proxyApp } from "./app.mjs";

const app = proxyApp(proxy, "workerd");
export default { fetch: (request) => app.handle(request) };
`,
  );
  modules.unshift("worker.js");
  await Deno.writeTextFile(
    `${dir}/config.capnp`,
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .proxyWorker)],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

# Web APIs only: no nodejs_compat flag.
const proxyWorker :Workerd.Worker = (
  modules = [
${modules.map((m) => `    (name = "${m}", esModule = embed "${m}"),`).join("\n")}
  ],
  compatibilityDate = "2025-09-01",
);
`,
  );
}

Deno.test("the proxy handlers inside workerd, through a real Centrifugo", async (t) => {
  const bin = await workerdBinary();
  const npm = await buildNpm();
  const dir = await Deno.makeTempDir({ prefix: "aiocent-workerd-" });
  try {
    await writeWorker(dir, npm);
    const port = freePort();
    const child = new Deno.Command(bin, {
      args: ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let logs = "";
    const decoder = new TextDecoder();
    const drained = Promise.all([child.stdout, child.stderr].map(async (stream) => {
      for await (const chunk of stream) logs += decoder.decode(chunk);
    }));
    let exited = false;
    const status = child.status.then((s) => {
      exited = true;
      return s;
    });
    try {
      const origin = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 20_000;
      for (;;) {
        assert.ok(!exited, `workerd exited:\n${logs}`);
        try {
          const res = await fetch(`${origin}/calls`);
          if (res.ok) {
            await res.body?.cancel();
            break;
          }
          await res.body?.cancel();
        } catch {
          // Not listening yet.
        }
        assert.ok(Date.now() < deadline, `workerd did not answer:\n${logs}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const server = await startCentrifugo(proxyConfig(origin));
      try {
        await runProxyScenarios(t, server, origin, "workerd");
        await runHostileChecks(t, origin);
      } finally {
        await server.stop();
      }
    } finally {
      if (!exited) child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (!exited) child.kill("SIGKILL");
      }, 5000);
      await status;
      clearTimeout(timer);
      await drained;
    }
    assert.doesNotMatch(logs, /Uncaught|error/i, logs);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
