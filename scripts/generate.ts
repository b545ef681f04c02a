// `deno task generate`: regenerates the code that comes from Centrifugo's own
// schema (see scripts/_emit_api.ts for what). `--check` writes nothing and
// fails when a file differs from what it would write: `deno task check` runs
// it, so the checked-in code cannot drift from the schema or the overlay.

import { parseProto } from "./_proto.ts";
import { alwaysSent, centrifugoSource, consumerMethods, ossRoutes } from "./_source.ts";
import { emit } from "./_emit_api.ts";
import { emitProxy } from "./_emit_proxy.ts";
import { ALWAYS_SENT } from "./api_overlay.ts";
import { CENTRIFUGO_VERSION } from "../tests/_centrifugo.ts";

const root = new URL("../", import.meta.url).pathname;
const check = Deno.args.includes("--check");

/** Formats `text` as `deno fmt` would a file with extension `ext`. */
async function fmt(text: string, ext: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", `--config=${root}deno.json`, `--ext=${ext}`, "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(
      `deno fmt failed on generated ${ext}:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** Replaces the region between `begin` and `end` (marker lines included) in `text`. */
function replaceRegion(text: string, file: string, region: string, begin: RegExp, end: RegExp) {
  const lines = text.split("\n");
  const from = lines.findIndex((l) => begin.test(l));
  const to = lines.findIndex((l, i) => i > from && end.test(l));
  if (from < 0 || to < 0) throw new Error(`${file}: the generated region's markers are missing`);
  return [...lines.slice(0, from), region.replace(/\n$/, ""), ...lines.slice(to + 1)].join("\n");
}

const source = await centrifugoSource();
const read = (path: string) => Deno.readTextFile(`${source}/${path}`);
const out = emit({
  proto: parseProto(await read("internal/apiproto/api.proto")),
  oss: ossRoutes(await read("internal/api/handler.go")),
  alwaysSent: new Set([
    ...alwaysSent(await read("internal/apiproto/generate_tags.sh")),
    ...ALWAYS_SENT,
  ]),
  version: CENTRIFUGO_VERSION,
  consumers: consumerMethods(await read("internal/api/consuming.go")),
});

const files = new Map<string, string>();
files.set("src/_generated/api.ts", await fmt(out.api, "ts"));
files.set("src/_generated/methods.ts", await fmt(out.table, "ts"));
files.set("src/_generated/quick.ts", await fmt(out.quick, "ts"));
files.set("src/_generated/consumers.ts", await fmt(out.consumerTable, "ts"));

// The proxy types: proxy.proto, and from internal/proxy which types have an
// HTTP form (<type>_http.go) and what their handlers act on (<type>_handler.go).
const proxyHttp = new Set<string>();
const proxyHandlers = new Map<string, string>();
for await (const entry of Deno.readDir(`${source}/internal/proxy`)) {
  const http = entry.name.match(/^([a-z_]+)_http\.go$/);
  if (http) proxyHttp.add(http[1]!);
  const handler = entry.name.match(/^([a-z_]+)_handler\.go$/);
  if (handler) proxyHandlers.set(handler[1]!, await read(`internal/proxy/${entry.name}`));
}
const proxy = emitProxy({
  proto: parseProto(await read("internal/proxyproto/proxy.proto")),
  http: proxyHttp,
  handlers: proxyHandlers,
  version: CENTRIFUGO_VERSION,
});
files.set("src/_generated/proxy.ts", await fmt(proxy.types, "ts"));
files.set("src/_generated/proxy_table.ts", await fmt(proxy.table, "ts"));
for (
  const [file, region, what] of [
    ["src/client.ts", out.clientMethods, "API methods"],
    ["src/batch.ts", out.batchMethods, "batch methods"],
    ["src/commands.ts", out.commandMethods, "consumer commands"],
  ] as const
) {
  const text = await Deno.readTextFile(`${root}${file}`);
  const replaced = replaceRegion(
    text,
    file,
    region,
    new RegExp(`^ {2}// --- ${what}: generated`),
    new RegExp(`^ {2}// --- end of ${what} ---`),
  );
  files.set(file, await fmt(replaced, "ts"));
}
const readme = await Deno.readTextFile(`${root}README.md`);
files.set(
  "README.md",
  await fmt(
    replaceRegion(
      readme,
      "README.md",
      out.readmeMethods,
      /^<!-- generated:methods/,
      /^<!-- end generated:methods -->/,
    ),
    "md",
  ),
);

if (out.undocumented.length > 0) {
  console.error(
    `generate: no description in scripts/api_overlay*.ts for ${out.undocumented.length} ` +
      `messages or fields (a generic one was used): ${out.undocumented.join(", ")}`,
  );
}

let stale = 0;
for (const [file, text] of files) {
  let current: string | undefined;
  try {
    current = await Deno.readTextFile(`${root}${file}`);
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  if (check) {
    console.error(`generate --check: ${file} is not what scripts/generate.ts writes`);
    stale++;
  } else {
    await Deno.writeTextFile(`${root}${file}`, text);
    console.log(`generate: wrote ${file}`);
  }
}
if (stale > 0) {
  console.error("Run `deno task generate` and commit the result.");
  Deno.exit(1);
}
