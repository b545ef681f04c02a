// The documentation cannot drift from the code: every code block of README.md
// and every JSDoc @example of the public API runs here against a real
// Centrifugo (the documented address and keys are swapped for the test
// server's), except blocks marked `no-run` (they need a file, a PEM, another
// host or Centrifugo PRO) or `ignore`; `deno task check` type-checks them all.
// The README's JavaScript block runs on Node and Bun against the npm build.

import assert from "node:assert/strict";
import { API_KEY, startCentrifugo } from "./_centrifugo.ts";
import { buildNpm } from "./runtimes/build_npm.ts";
import { bunBinary, nodeBinary } from "./_tools.ts";

const root = new URL("../", import.meta.url).pathname;
const scratch = `${root}tests/.examples`;

interface Example {
  name: string;
  lang: string;
  attributes: string[];
  code: string;
}

/** Fenced code blocks of a Markdown text (or JSDoc example text). */
function codeBlocks(text: string, name: string): Example[] {
  const blocks: Example[] = [];
  const fence = /^```(\S*)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const match of text.matchAll(fence)) {
    const [, lang = "", attributes = "", code = ""] = match;
    blocks.push({ name, lang, attributes: attributes.trim().split(/\s+/), code });
  }
  return blocks;
}

interface DocNode {
  name?: string;
  jsDoc?: { tags?: { kind: string; doc?: string }[] };
  [key: string]: unknown;
}

/** The JSR entrypoints of deno.json, as paths. */
async function entrypoints(): Promise<string[]> {
  const { exports } = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const files: string[] = typeof exports === "string" ? [exports] : Object.values(exports);
  return files.map((file) => `${root}${file.replace(/^\.\//, "")}`);
}

/** Every JSDoc @example of the public API, with the symbol it documents. */
async function jsdocExamples(): Promise<{ symbol: string; title: string; code: Example[] }[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...await entrypoints()],
    stdout: "piped",
    stderr: "null",
  }).output();
  const found: { symbol: string; title: string; code: Example[] }[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) return value.forEach((v) => walk(v, path));
    if (typeof value !== "object" || value === null) return;
    const node = value as DocNode;
    const here = node.name ? `${path}.${node.name}` : path;
    for (const tag of node.jsDoc?.tags ?? []) {
      if (tag.kind !== "example" || !tag.doc) continue;
      const title = tag.doc.split("\n")[0]!.trim();
      found.push({ symbol: here, title, code: codeBlocks(tag.doc, here) });
    }
    for (const [key, child] of Object.entries(node)) if (key !== "jsDoc") walk(child, here);
  };
  walk(JSON.parse(new TextDecoder().decode(out.stdout)).nodes, "");
  return found;
}

/** The example with the documented address and keys pointed at `apiUrl`. */
function localize(code: string, apiUrl: string): string {
  return code
    .replaceAll("http://localhost:8000/api", apiUrl)
    .replaceAll('apiKey: "secret"', `apiKey: "${API_KEY}"`)
    .replaceAll('apiKey: "XXX"', `apiKey: "${API_KEY}"`);
}

const runnable = (block: Example) =>
  ["ts", "typescript", "js", "javascript"].includes(block.lang) &&
  !block.attributes.includes("no-run") && !block.attributes.includes("ignore");

Deno.test("every public symbol and method has a titled example", async () => {
  const examples = await jsdocExamples();
  assert.ok(examples.length > 80, `only ${examples.length} examples found`);
  for (const { symbol, title, code } of examples) {
    assert.ok(title !== "" && !title.startsWith("```"), `untitled example on ${symbol}`);
    assert.ok(code.length > 0, `example "${title}" on ${symbol} has no code block`);
  }
  const documented = new Set(examples.map((e) => e.symbol));
  for (const [cls, file] of [["Client", "client.ts"], ["Batch", "batch.ts"]]) {
    const source = await Deno.readTextFile(`${root}src/${file}`);
    const methods = [...source.matchAll(/^ {2}(?:async )?(\w+)(?:<[^>]*>)?\(/gm)].map((m) => m[1]);
    assert.ok(methods.length > 10, `no methods found in ${file}`);
    for (const method of methods) {
      assert.ok(documented.has(`.${cls}.${method}`), `${cls}.${method} has no example`);
    }
  }
});

Deno.test("README and JSDoc examples run against a real Centrifugo", async (t) => {
  const server = await startCentrifugo();
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  await Deno.mkdir(scratch, { recursive: true });
  try {
    const readme = codeBlocks(await Deno.readTextFile(`${root}README.md`), "README");
    const docs = (await jsdocExamples()).flatMap((e) =>
      e.code.map((block) => ({ ...block, name: `${e.symbol} — ${e.title}` }))
    );
    const tsBlocks = [...readme, ...docs].filter((b) => runnable(b) && b.lang.startsWith("t"));
    assert.ok(tsBlocks.length > 60, `only ${tsBlocks.length} runnable examples`);
    for (const [i, block] of tsBlocks.entries()) {
      await t.step(block.name, async () => {
        const file = `${scratch}/example_${i}.ts`;
        await Deno.writeTextFile(file, localize(block.code, server.apiUrl));
        await import(`file://${file}`);
      });
    }

    const jsBlocks = readme.filter((b) => runnable(b) && b.lang.startsWith("j"));
    assert.ok(jsBlocks.length > 0, "the README's JavaScript block was not found");
    const npm = await buildNpm();
    const project = `${scratch}/node_project`;
    await Deno.mkdir(`${project}/node_modules/@aiocent`, { recursive: true });
    await Deno.symlink(npm, `${project}/node_modules/@aiocent/aiocent`);
    for (const [i, block] of jsBlocks.entries()) {
      await Deno.writeTextFile(`${project}/example_${i}.mjs`, localize(block.code, server.apiUrl));
      for (const [runtime, command] of [["node", await nodeBinary()], ["bun", await bunBinary()]]) {
        await t.step(`README JavaScript block ${i} on ${runtime}`, async () => {
          const out = await new Deno.Command(command!, {
            args: [`example_${i}.mjs`],
            cwd: project,
            env: { CENTRIFUGO_API_KEY: API_KEY },
            stdout: "piped",
            stderr: "piped",
          }).output();
          const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
          assert.equal(out.code, 0, text);
          assert.match(text, /published at offset \d+/);
        });
      }
    }
  } finally {
    await server.stop();
  }
});
