// Turns Centrifugo's internal/proxyproto/proxy.proto (with the overlay's
// documentation and rules) into TypeScript: the request and result types of
// every proxy type (src/_generated/proxy.ts) and the table the handlers check
// requests and answers against (src/_generated/proxy_table.ts). Which types
// have an HTTP form comes from Centrifugo's internal/proxy/*_http.go, and
// which answers besides a result each one acts on from its *_handler.go, so
// the table follows the server, not a hand-kept list.

import type { ProtoField, ProtoFile, ProtoMessage } from "./_proto.ts";
import { jsdoc, safe, wrap } from "./_emit_api.ts";
import {
  KIND_OVERRIDES,
  MESSAGES,
  PROXY_TYPES,
  RENAMES,
  SKIPPED,
  TS_OVERRIDES,
} from "./proxy_overlay.ts";

/** What the emitter reads besides the proto. */
export interface ProxyInputs {
  proto: ProtoFile;
  /** Proxy types with an HTTP form: the `<type>_http.go` files of internal/proxy. */
  http: Set<string>;
  /** The Go source of `<type>_handler.go`, by type, for those that have one. */
  handlers: Map<string, string>;
  version: string;
}

/** What the emitter writes. */
export interface ProxyOutputs {
  types: string;
  table: string;
}

interface ProxyType {
  name: string;
  rpc: string;
  request: ProtoMessage;
  result: ProtoMessage;
  rejections: ("error" | "disconnect")[];
  pro: boolean;
}

const snake = (camel: string) =>
  camel.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
const typeName = (message: string) => RENAMES[message] ?? message;

/** The proxy types: every rpc of the service but the skipped (gRPC stream) ones. */
function typesOf(inputs: ProxyInputs): ProxyType[] {
  const { proto } = inputs;
  const out: ProxyType[] = [];
  for (const rpc of proto.rpcs) {
    if (SKIPPED[rpc.name]) {
      if (!rpc.streaming) throw new Error(`${rpc.name} is skipped as a stream, but is unary`);
      continue;
    }
    if (rpc.streaming) throw new Error(`proxy.proto: ${rpc.name} is a stream; say why to skip it`);
    const name = snake(rpc.name);
    if (!PROXY_TYPES[name]) throw new Error(`scripts/proxy_overlay.ts has no proxy type ${name}`);
    const response = proto.messages.get(rpc.response)!;
    const field = (f: string) => response.fields.find((x) => x.name === f);
    const resultField = field("result");
    if (!resultField) throw new Error(`${rpc.response} has no result field`);
    const http = inputs.http.has(name);
    const go = inputs.handlers.get(name);
    if (http && !go) throw new Error(`internal/proxy/${name}_handler.go not found`);
    // An HTTP type acts on what its Go handler checks; a PRO one on what its response holds.
    const acts = (what: "Error" | "Disconnect") =>
      field(what.toLowerCase()) !== undefined &&
      (go === undefined || new RegExp(`\\.${what} != nil`).test(go));
    const rejections = (["Error", "Disconnect"] as const).filter(acts).map((w) =>
      w.toLowerCase() as "error" | "disconnect"
    );
    out.push({
      name,
      rpc: rpc.name,
      request: proto.messages.get(rpc.request)!,
      result: proto.messages.get(resultField.type)!,
      rejections,
      pro: !http,
    });
  }
  for (const name of Object.keys(PROXY_TYPES)) {
    if (!out.some((t) => t.name === name)) {
      throw new Error(`scripts/proxy_overlay.ts describes ${name}, which proxy.proto lacks`);
    }
  }
  for (const name of inputs.http) {
    if (!out.some((t) => t.name === name)) {
      throw new Error(`internal/proxy/${name}_http.go has no rpc in proxy.proto`);
    }
  }
  return out;
}

/** Messages reachable from `roots`, in first-reached order. */
function reachable(proto: ProtoFile, roots: ProtoMessage[]): ProtoMessage[] {
  const seen = new Map<string, ProtoMessage>();
  const visit = (message: ProtoMessage) => {
    if (seen.has(message.name)) return;
    seen.set(message.name, message);
    for (const field of message.fields) {
      const child = proto.messages.get(field.type);
      if (child) visit(child);
    }
  };
  roots.forEach(visit);
  return [...seen.values()];
}

/** The runtime kind of a field (see FieldKind in src/proxy/_schema.ts). */
function kindOf(message: ProtoMessage, field: ProtoField): string {
  const base = KIND_OVERRIDES[`${message.name}.${field.name}`] ??
    (field.type === "float" ? "double" : typeName(field.type));
  if (field.mapKey) {
    if (field.mapKey !== "string") throw new Error(`${message.name}.${field.name}: map key`);
    return `{${base}}`;
  }
  return field.repeated ? `${base}[]` : base;
}

/** The TypeScript type of a field, in a request (decoded) or a result (given by the app). */
function tsType(proto: ProtoFile, message: ProtoMessage, field: ProtoField, side: Side): string {
  const override = TS_OVERRIDES[`${message.name}.${field.name}`];
  if (override) return override;
  let base: string;
  switch (field.type) {
    case "string":
      base = "string";
      break;
    case "bool":
      base = "boolean";
      break;
    case "int32":
    case "uint32":
    case "int64":
    case "uint64":
    case "double":
    case "float":
      base = "number";
      break;
    case "bytes":
      base = "unknown";
      break;
    default:
      if (!proto.messages.has(field.type)) throw new Error(`unknown type ${field.type}`);
      base = typeName(field.type);
  }
  if (field.mapKey) return `Record<string, ${base}>`;
  if (field.repeated) return side === "result" ? `readonly ${base}[]` : `${base}[]`;
  return base;
}

type Side = "request" | "result";

/** For `data` of a message that also has `b64data`: the twin's name. */
function binaryTwin(message: ProtoMessage, field: ProtoField): string | undefined {
  if (field.type !== "bytes" || field.repeated || field.mapKey) return undefined;
  const twin = message.fields.find((f) => f.name === `b64${field.name}` && f.type === "string");
  return twin?.name;
}

function emitInterface(
  proto: ProtoFile,
  message: ProtoMessage,
  side: Side,
  pro: boolean,
): string {
  const overlay = MESSAGES[message.name];
  if (!overlay) throw new Error(`scripts/proxy_overlay.ts has no entry for ${message.name}`);
  const name = typeName(message.name);
  const always = new Set(overlay.always ?? []);
  for (const f of always) {
    if (!message.fields.some((x) => x.name === f)) {
      throw new Error(`${message.name}: "always" names ${f}, which it lacks`);
    }
  }
  const doc = pro && !/Centrifugo PRO/.test(overlay.doc)
    ? `${overlay.doc} (Centrifugo PRO.)`
    : overlay.doc;
  let out = jsdoc([
    ...wrap(safe(doc), 96),
    "",
    "@example A value of this type",
    "```ts",
    `import type { ${name} } from "@aiocent/aiocent/proxy";`,
    "",
    `const value: ${name} = ${overlay.example ?? "{}"};`,
    "```",
  ]);
  if (message.fields.length === 0) return out + `export type ${name} = Record<string, never>;\n`;
  out += `export interface ${name} {\n`;
  for (const field of message.fields) {
    const doc = overlay.fields[field.name] ?? field.comment;
    if (!doc) throw new Error(`scripts/proxy_overlay.ts: no doc for ${message.name}.${field.name}`);
    const present = side === "request" && always.has(field.name);
    out += jsdoc(wrap(safe(doc), 92), "  ");
    out += `  ${field.name}${present ? "" : "?"}: ${tsType(proto, message, field, side)};\n`;
  }
  for (const f of Object.keys(overlay.fields)) {
    if (!message.fields.some((x) => x.name === f)) {
      throw new Error(`scripts/proxy_overlay.ts documents ${message.name}.${f}, which it lacks`);
    }
  }
  return out + "}\n";
}

const PREAMBLE = (version: string, what: string) =>
  `// Code generated by scripts/generate.ts from Centrifugo v${version}'s
// internal/proxyproto/proxy.proto, internal/proxy/*.go and
// scripts/proxy_overlay.ts: ${what}. DO NOT EDIT.
`;

/** Emits the types and the table; see ProxyOutputs. */
export function emitProxy(inputs: ProxyInputs): ProxyOutputs {
  const { proto } = inputs;
  const types = typesOf(inputs);
  const requestSide = reachable(proto, types.map((t) => t.request));
  const resultSide = reachable(proto, types.map((t) => t.result));
  for (const m of requestSide) {
    if (resultSide.includes(m)) throw new Error(`${m.name} is both a request and a result part`);
  }
  const ossReached = new Set(
    reachable(proto, types.filter((t) => !t.pro).flatMap((t) => [t.request, t.result])).map((
      m,
    ) => m.name),
  );
  for (const name of Object.keys(MESSAGES)) {
    if (![...requestSide, ...resultSide].some((m) => m.name === name)) {
      throw new Error(`scripts/proxy_overlay.ts describes ${name}, which no proxy type uses`);
    }
  }

  let out = PREAMBLE(inputs.version, "the request and result types");
  for (const message of requestSide) {
    out += "\n" + emitInterface(proto, message, "request", !ossReached.has(message.name));
  }
  for (const message of resultSide) {
    out += "\n" + emitInterface(proto, message, "result", !ossReached.has(message.name));
  }

  out += "\n" + jsdoc([
    "Each proxy type, by its name in Centrifugo's config: the request its handler gets, the " +
    "result it answers with, and what else it may answer (`ProxyError` for `error`, " +
    "`ProxyDisconnect` for `disconnect`).",
    "",
    "@example The result type of a proxy type",
    "```ts",
    'import type { ProxyTypes } from "@aiocent/aiocent/proxy";',
    "",
    'type Answer = ProxyTypes["rpc"]["result"];',
    "```",
  ].flatMap((l) => l === "" || l.startsWith("```") || l.startsWith("@") ? [l] : wrap(l, 96)));
  out += "export interface ProxyTypes {\n";
  for (const t of types) {
    const overlay = PROXY_TYPES[t.name]!;
    const answers = t.rejections.length ? t.rejections.map((r) => `"${r}"`).join(" | ") : "never";
    out += jsdoc(
      wrap(safe(`${t.name}: ${overlay.summary} Configured in ${overlay.config}.`), 92),
      "  ",
    );
    out += `  ${t.name}: {\n    request: ${typeName(t.request.name)};\n    result: ${
      typeName(t.result.name)
    };\n    rejections: ${answers};\n  };\n`;
  }
  out += "}\n";
  out += "\n/** A proxy type's name in Centrifugo's config, e.g. `sub_refresh`. */\n";
  out += "export type ProxyType = keyof ProxyTypes;\n";

  // The table.
  let table = PREAMBLE(inputs.version, "the table the handlers check against");
  table += `\nimport type { ProxyMessageSpec, ProxySpec } from "../proxy/_schema.ts";\n`;
  table += "\n/** Every proxy message a handler decodes or answers with: kinds and rules. */\n";
  table += "export const PROXY_MESSAGES: Readonly<Record<string, ProxyMessageSpec>> = {\n";
  for (const message of [...requestSide, ...resultSide]) {
    const overlay = MESSAGES[message.name]!;
    const spec = {
      fields: Object.fromEntries(message.fields.map((f) => [f.name, kindOf(message, f)])),
      always: requestSide.includes(message) ? overlay.always ?? [] : [],
      binary: Object.fromEntries(message.fields.flatMap((f) => {
        const twin = binaryTwin(message, f);
        return twin ? [[f.name, twin]] : [];
      })),
      needs: resultSide.includes(message) ? overlay.needs ?? [] : [],
    };
    table += `  ${typeName(message.name)}: ${JSON.stringify(spec)},\n`;
  }
  table += "};\n";
  table += "\n/** Every proxy type with a handler, by its name in Centrifugo's config. */\n";
  table += "export const PROXIES = {\n";
  for (const t of types) {
    const spec = {
      name: t.name,
      request: typeName(t.request.name),
      result: typeName(t.result.name),
      rejections: t.rejections,
      pro: t.pro,
    };
    table += `  ${t.name}: ${JSON.stringify(spec)},\n`;
  }
  table += "} as const satisfies Readonly<Record<string, ProxySpec>>;\n";
  return { types: out, table };
}
