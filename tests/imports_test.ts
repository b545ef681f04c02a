// The module graph of every JSR entrypoint: no import cycles among the
// package's own modules (type-only imports included), and nothing from npm or
// JSR (Node's built-ins, loaded lazily, aside).

import assert from "node:assert/strict";

const root = new URL("../", import.meta.url).pathname;

interface Module {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

async function graph(entry: string): Promise<Module[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout)).modules;
}

Deno.test("no import cycles and no dependencies in any entrypoint", async (t) => {
  const { exports } = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  for (const file of Object.values(exports) as string[]) {
    await t.step(file, async () => {
      const modules = await graph(`${root}${file.replace(/^\.\//, "")}`);
      const own = (s: string) => s.startsWith(`file://${root}`);
      // Node's built-ins are loaded lazily by the node:http transport; nothing else is foreign.
      for (const m of modules) {
        assert.ok(
          own(m.specifier) || m.specifier.startsWith("node:"),
          `${file} depends on ${m.specifier}`,
        );
      }
      const edges = new Map(
        modules.map((m) => [
          m.specifier,
          (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
            .filter((s): s is string => s !== undefined && own(s)),
        ]),
      );
      const state = new Map<string, "open" | "done">();
      const cycles: string[] = [];
      const visit = (node: string, path: string[]) => {
        state.set(node, "open");
        for (const next of edges.get(node) ?? []) {
          if (state.get(next) === "open") {
            const loop = [...path.slice(path.indexOf(next)), next];
            cycles.push(loop.map((s) => s.slice(`file://${root}`.length)).join(" → "));
          } else if (!state.has(next)) visit(next, [...path, next]);
        }
        state.set(node, "done");
      };
      for (const node of edges.keys()) if (!state.has(node)) visit(node, [node]);
      assert.deepEqual(cycles, []);
    });
  }
});
