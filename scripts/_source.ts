// Finds the source of the pinned Centrifugo, whose .proto files and Go code
// are the generator's input: $CENTRIFUGO_SRC, else the Go module cache (the
// test harness's `go install` puts it there), else `go mod download`.

import { CENTRIFUGO_VERSION } from "../tests/_centrifugo.ts";

const MODULE = `github.com/centrifugal/centrifugo/v6@v${CENTRIFUGO_VERSION}`;

async function go(args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("go", { args, stdout: "piped", stderr: "piped" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The directory of Centrifugo's source; throws how to get it. */
export async function centrifugoSource(): Promise<string> {
  const explicit = Deno.env.get("CENTRIFUGO_SRC");
  if (explicit) {
    if (await exists(`${explicit}/internal/apiproto/api.proto`)) return explicit;
    throw new Error(`CENTRIFUGO_SRC=${explicit} has no internal/apiproto/api.proto`);
  }
  const cache = await go(["env", "GOMODCACHE"]);
  const cached = cache && `${cache}/${MODULE.replace("@", "@")}`;
  if (cached && await exists(`${cached}/internal/apiproto/api.proto`)) return cached;
  const downloaded = await go(["mod", "download", "-json", MODULE]);
  const dir = downloaded && (JSON.parse(downloaded) as { Dir?: string }).Dir;
  if (dir && await exists(`${dir}/internal/apiproto/api.proto`)) return dir;
  throw new Error(
    `Centrifugo ${CENTRIFUGO_VERSION}'s source is needed and was not found: install Go and run\n` +
      `  go mod download ${MODULE}\nor point CENTRIFUGO_SRC at a checkout of it.`,
  );
}

/** The API routes Centrifugo OSS serves (internal/api/handler.go), e.g. `publish`. */
export function ossRoutes(handlerGo: string): Set<string> {
  const routes = new Set<string>();
  for (const match of handlerGo.matchAll(/"\/([a-z_]+)":\s+s\.handle/g)) routes.add(match[1]!);
  if (routes.size < 10) throw new Error("internal/api/handler.go: no routes found");
  return routes;
}

/**
 * Result fields Centrifugo always sends: the proto's JSON tags have
 * `omitempty` except where internal/apiproto/generate_tags.sh removes it.
 * Keys are `Message.field` (snake_case).
 */
export function alwaysSent(generateTags: string): Set<string> {
  const fields = new Set<string>();
  const tag = /-field (\w+) -struct (\w+) .*-remove-options json=omitempty/g;
  for (const [, field, struct] of generateTags.matchAll(tag)) {
    fields.add(`${struct}.${field!.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()}`);
  }
  return fields;
}

/**
 * The API methods Centrifugo's async consumers apply: the `case "…":` labels of
 * `dispatchMethodPayload` in internal/api/consuming.go (any other method, batch
 * included, is skipped there with "skip unsupported API command method").
 */
export function consumerMethods(consumingGo: string): string[] {
  const start = consumingGo.indexOf("func (d *Dispatcher) dispatchMethodPayload(");
  const end = consumingGo.indexOf("\n}\n", start);
  if (start < 0 || end < 0) {
    throw new Error("internal/api/consuming.go: dispatchMethodPayload not found");
  }
  const body = consumingGo.slice(start, end);
  const methods = [...body.matchAll(/^\s*case "([a-z_]+)":/gm)].map((m) => m[1]!);
  if (methods.length < 3 || !/default:\s*\n\s*\/\/ Skip unsupported/.test(body)) {
    throw new Error("internal/api/consuming.go: the consumers' method switch has changed");
  }
  return methods;
}
