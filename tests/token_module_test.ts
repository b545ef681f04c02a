// The token entrypoint stands alone: `deno info` of token.ts lists every
// module importing it loads, and none of them may be the API client or a
// transport; at run time (type imports erased) only the token modules and
// the HTTP helpers load. No import cycle runs through them.

import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

/**
 * The module graph of `entry`: each file (relative to the root) and what it
 * imports; with `runtime`, only the imports that load at run time (not
 * `import type`), from the modules `entry` loads at run time.
 */
async function graph(entry: string, runtime = false): Promise<Map<string, string[]>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const { modules } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: InfoModule[];
  };
  const local = (specifier: string) =>
    specifier.startsWith(root.href) ? specifier.slice(root.href.length) : specifier;
  const all = new Map(modules.map((module) => [
    local(module.specifier),
    (module.dependencies ?? []).flatMap((dep) =>
      [dep.code?.specifier, runtime ? undefined : dep.type?.specifier]
        .filter((s): s is string => s !== undefined).map(local)
    ),
  ]));
  if (!runtime) return all;
  const reached = new Map<string, string[]>();
  const walk = (file: string) => {
    if (reached.has(file)) return;
    reached.set(file, all.get(file) ?? []);
    for (const dep of reached.get(file)!) walk(dep);
  };
  walk(entry);
  return reached;
}

Deno.test("importing the token entrypoint loads no client and no transport", async () => {
  const files = [...(await graph("token.ts")).keys()].sort();
  assert.ok(files.includes("src/_token/keys.ts"), `the graph looks wrong: ${files}`);
  for (const banned of ["src/client.ts", "src/batch.ts", "src/_call.ts", "src/_request.ts"]) {
    assert.ok(!files.includes(banned), `token.ts pulls in ${banned}`);
  }
  assert.ok(!files.some((file) => file.startsWith("src/_transport/")), files.join("\n"));
  // Nothing from outside the package, not even npm: zero dependencies.
  assert.ok(files.every((file) => !/^(npm|jsr|https?):/.test(file)), files.join("\n"));

  // At run time, only the token modules and the HTTP helpers of the handlers.
  const loaded = [...(await graph("token.ts", true)).keys()].sort();
  assert.ok(loaded.includes("src/_token/tokens.ts"), `the graph looks wrong: ${loaded}`);
  for (const file of loaded) {
    assert.match(
      file,
      /^(token\.ts|src\/_token\/[a-z0-9_]+\.ts|src\/_http\/(body|node)\.ts|src\/_validate\.ts)$/,
      `token.ts loads ${file} at run time`,
    );
  }
});

/** The first import cycle of a graph, as the files along it, if there is one. */
function findCycle(modules: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const visit = (file: string, path: string[]): string[] | undefined => {
    if (state.get(file) === "done") return undefined;
    if (state.get(file) === "visiting") return [...path.slice(path.indexOf(file)), file];
    state.set(file, "visiting");
    for (const dep of modules.get(file) ?? []) {
      const cycle = visit(dep, [...path, file]);
      if (cycle) return cycle;
    }
    state.set(file, "done");
    return undefined;
  };
  for (const file of modules.keys()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return undefined;
}

Deno.test("no import cycle among the token modules", async () => {
  // The check finds a cycle where there is one (the old token <-> claims <-> keys).
  assert.deepEqual(
    findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", []]])),
    ["a", "b", "c", "a"],
  );
  for (const runtime of [true, false]) {
    const modules = await graph("token.ts", runtime);
    assert.ok(modules.size >= 10, `only ${modules.size} modules`);
    const cycle = findCycle(modules);
    assert.equal(cycle, undefined, `import cycle: ${cycle?.join(" -> ")}`);
  }
});
