// Turns Centrifugo's api.proto (with the overlay's documentation and rules)
// into TypeScript: the wire types with their JSDoc, one method table and the
// field kinds the runtime checks read (src/_generated/api.ts), the Client's
// and the Batch's typed methods (regions of src/client.ts and src/batch.ts),
// and the README's method tables.

import type { ProtoField, ProtoFile, ProtoMessage } from "./_proto.ts";
import type { MessageSpec, MethodSpec } from "../src/_schema.ts";
import { emitQuick } from "./_emit_quick.ts";
import {
  KIND_OVERRIDES,
  type MessageOverlay,
  MESSAGES,
  type MethodOverlay,
  METHODS,
  RENAMES,
} from "./api_overlay.ts";

/** What the emitter reads besides the proto. */
export interface Inputs {
  proto: ProtoFile;
  /** Methods Centrifugo OSS serves. */
  oss: Set<string>;
  /** `Message.field` of result fields Centrifugo always sends. */
  alwaysSent: Set<string>;
  version: string;
  /** Methods Centrifugo's async consumers apply (internal/api/consuming.go). */
  consumers: readonly string[];
}

/** What the emitter writes. */
export interface Outputs {
  api: string;
  table: string;
  /** The quick argument checks (src/_generated/quick.ts). */
  quick: string;
  clientMethods: string;
  batchMethods: string;
  readmeMethods: string;
  /** The command builders' methods (a region of src/commands.ts). */
  commandMethods: string;
  /** The methods the async consumers apply (src/_generated/consumers.ts). */
  consumerTable: string;
  /** Messages and fields that fell back to a generic description. */
  undocumented: string[];
}

interface Method {
  name: string;
  js: string;
  rpc: string;
  request: ProtoMessage;
  result: ProtoMessage;
  pro: boolean;
  overlay: MethodOverlay;
  /** Positional fields, with `optional` for trailing ones that may be left out. */
  args: { field: ProtoField; optional: boolean }[];
  /** Fields in `options`, or none. */
  options: ProtoField[];
  /** Name of the options interface, when there are options. */
  optionsType?: string;
  /** True when the options hold a required field (the options argument is required). */
  optionsRequired: boolean;
}

const snake = (camel: string) =>
  camel.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
const camel = (snakeName: string) =>
  snakeName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The methods the client offers: every rpc but Batch (send() is its own thing). */
function methodsOf(inputs: Inputs): Method[] {
  const { proto, oss } = inputs;
  const methods: Method[] = [];
  for (const rpc of proto.rpcs) {
    if (rpc.name === "Batch") continue;
    const name = snake(rpc.name);
    const overlay = METHODS[name];
    if (!overlay) throw new Error(`scripts/api_overlay*.ts has no entry for method ${name}`);
    const request = proto.messages.get(rpc.request)!;
    const response = proto.messages.get(rpc.response)!;
    const resultField = response.fields.find((f) => f.name === "result");
    if (!resultField) throw new Error(`${rpc.response} has no result field`);
    const result = proto.messages.get(resultField.type)!;
    const args = overlay.args.map((spec) => {
      const optional = spec.endsWith("?");
      const fieldName = optional ? spec.slice(0, -1) : spec;
      const field = request.fields.find((f) => f.name === fieldName);
      if (!field) {
        throw new Error(`${name}: argument ${fieldName} is not a field of ${request.name}`);
      }
      return { field, optional };
    });
    const positional = new Set(args.map((a) => a.field.name));
    const options = request.fields.filter((f) => !positional.has(f.name));
    const required = new Set(MESSAGES[request.name]?.required ?? []);
    const method: Method = {
      name,
      js: camel(name),
      rpc: rpc.name,
      request,
      result,
      pro: !oss.has(name),
      overlay,
      args,
      options,
      optionsRequired: options.some((f) => required.has(f.name)),
    };
    if (options.length > 0) method.optionsType = `${rpc.request.replace(/Request$/, "")}Options`;
    if (method.optionsType) method.optionsType = RENAMES[method.optionsType] ?? method.optionsType;
    methods.push(method);
  }
  for (const name of Object.keys(METHODS)) {
    if (!methods.some((m) => m.name === name)) {
      throw new Error(`scripts/api_overlay*.ts describes ${name}, which api.proto does not have`);
    }
  }
  return methods;
}

const typeName = (message: string) => RENAMES[message] ?? message;

/** Messages reachable from `roots`, in first-reached order. */
function reachable(proto: ProtoFile, roots: ProtoMessage[], skip: Set<string>): ProtoMessage[] {
  const seen = new Map<string, ProtoMessage>();
  const visit = (message: ProtoMessage) => {
    if (seen.has(message.name) || skip.has(message.name)) return;
    seen.set(message.name, message);
    for (const field of message.fields) {
      const child = proto.messages.get(field.type);
      if (child) visit(child);
    }
  };
  roots.forEach(visit);
  return [...seen.values()];
}

/** Messages the library types by hand: broadcast's result is decoded into typed responses. */
const CUSTOM = new Set(["BroadcastResult"]);

/** The runtime kind of a field (see FieldKind in src/_schema.ts). */
function kindOf(message: ProtoMessage, field: ProtoField): string {
  const override = KIND_OVERRIDES[`${message.name}.${field.name}`];
  const base = override ?? (field.type === "float" ? "double" : field.type);
  if (field.mapKey) {
    if (field.mapKey !== "string") throw new Error(`${message.name}.${field.name}: map key`);
    return `{${base}}`;
  }
  return field.repeated ? `${base}[]` : base;
}

/** The TypeScript type of a field, in a request (what callers pass) or a result (what JSON gives). */
function tsType(
  proto: ProtoFile,
  field: ProtoField,
  side: "request" | "result",
  ns = "",
): string {
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
    case "double":
    case "float":
      base = "number";
      break;
    case "int64":
    case "uint64":
      // Past 2^53 a number loses digits: requests also take a BigInt (for a
      // jsonEncoder that writes it); JSON.parse gives numbers.
      base = side === "request" ? "number | bigint" : "number";
      break;
    case "bytes":
      base = "unknown";
      break;
    default:
      if (!proto.messages.has(field.type)) throw new Error(`unknown type ${field.type}`);
      base = ns + typeName(field.type);
  }
  if (field.mapKey) return `Record<string, ${base}>`;
  if (field.repeated) {
    const item = base.includes("|") ? `(${base})` : base;
    return side === "request" ? `readonly ${item}[]` : `${item}[]`;
  }
  return base;
}

/** JSDoc text (already wrapped lines) into a comment block with `indent`. */
export function jsdoc(lines: string[], indent = ""): string {
  if (lines.length === 1 && !lines[0]!.includes("\n") && indent.length + lines[0]!.length < 92) {
    return `${indent}/** ${lines[0]} */\n`;
  }
  const body = lines.flatMap((l) => l.split("\n")).map((l) =>
    l === "" ? `${indent} *` : `${indent} * ${l}`
  );
  return `${indent}/**\n${body.join("\n")}\n${indent} */\n`;
}

/** Escapes text for a JSDoc comment. */
export const safe = (text: string) => text.replaceAll("*/", "*\\/");

interface DocState {
  undocumented: string[];
}

function messageDoc(message: ProtoMessage, state: DocState, pro: boolean): string {
  const overlay: MessageOverlay | undefined = MESSAGES[message.name];
  let doc = overlay?.doc ?? message.comment;
  if (!doc) {
    state.undocumented.push(message.name);
    doc = `The \`${message.name}\` message of Centrifugo's API.`;
  }
  return pro && !/Centrifugo PRO/.test(doc) ? `${doc} (Centrifugo PRO.)` : doc;
}

function fieldDoc(message: ProtoMessage, field: ProtoField, state: DocState): string {
  const doc = MESSAGES[message.name]?.fields[field.name] ?? field.comment;
  if (doc) return doc;
  state.undocumented.push(`${message.name}.${field.name}`);
  return `\`${field.name}\` (${field.repeated ? "repeated " : ""}${field.type}).`;
}

/** A TypeScript value of `message` for its example, from the overlay or made up. */
function exampleOf(proto: ProtoFile, message: ProtoMessage, depth = 0): string {
  const given = MESSAGES[message.name]?.example;
  if (given) return given;
  const required = new Set([
    ...MESSAGES[message.name]?.required ?? [],
    ...MESSAGES[message.name]?.present ?? [],
  ]);
  const must = message.fields.filter((f) => required.has(f.name));
  const extra = depth === 0 && must.length < 2
    ? message.fields.filter((f) => !required.has(f.name)).slice(0, 2 - must.length)
    : [];
  const parts = [...must, ...extra].map((f) => `${f.name}: ${sampleOf(proto, f, depth)}`);
  return parts.length ? `{ ${parts.join(", ")} }` : "{}";
}

function sampleOf(proto: ProtoFile, field: ProtoField, depth: number): string {
  const one = (): string => {
    switch (field.type) {
      case "string":
        return JSON.stringify(field.name.replaceAll("_", "-"));
      case "bool":
        return "true";
      case "bytes":
        return "{}";
      case "int32":
      case "uint32":
      case "int64":
      case "uint64":
      case "double":
      case "float":
        return "1";
      default: {
        const child = proto.messages.get(field.type)!;
        return depth > 1 ? "{}" : exampleOf(proto, child, depth + 1);
      }
    }
  };
  if (field.mapKey) return `{ key: ${one()} }`;
  return field.repeated ? `[${one()}]` : one();
}

function emitInterface(
  proto: ProtoFile,
  message: ProtoMessage,
  side: "request" | "result",
  inputs: Inputs,
  state: DocState,
  pro: boolean,
  options?: { name: string; fields: ProtoField[]; method: Method },
): string {
  const name = options?.name ?? typeName(message.name);
  const fields = options?.fields ?? message.fields;
  const required = new Set([
    ...MESSAGES[message.name]?.required ?? [],
    ...MESSAGES[message.name]?.present ?? [],
  ]);
  const doc = options
    ? `Optional fields of \`${options.method.name}\`, under Centrifugo's own names.` +
      (pro ? " (Centrifugo PRO.)" : "")
    : messageDoc(message, state, pro);
  const example = options
    ? `{ ${
      fields.filter((f) => required.has(f.name)).concat(
        fields.filter((f) => !required.has(f.name)).slice(0, 1),
      ).map((f) => `${f.name}: ${sampleOf(proto, f, 1)}`).join(", ")
    } }`
    : exampleOf(proto, message);
  let out = jsdoc([
    ...wrap(safe(doc), 96),
    "",
    `@example A value of this type`,
    "```ts",
    `import type { ${name} } from "@aiocent/aiocent";`,
    "",
    `const value: ${name} = ${example};`,
    "```",
  ]);
  if (fields.length === 0) {
    return out + `export type ${name} = EmptyResult;\n`;
  }
  out += `export interface ${name} {\n`;
  for (const field of fields) {
    const present = side === "request"
      ? required.has(field.name) && !binaryTwin(message, field)
      : inputs.alwaysSent.has(`${message.name}.${field.name}`);
    out += jsdoc(wrap(safe(fieldDoc(message, field, state)), 92), "  ");
    out += `  ${field.name}${present ? "" : "?"}: ${tsType(proto, field, side)};\n`;
  }
  return out + "}\n";
}

/** For `data` of a message that also has `b64data`: the twin's name. */
function binaryTwin(message: ProtoMessage, field: ProtoField): string | undefined {
  if (field.type !== "bytes" || field.repeated || field.mapKey) return undefined;
  const twin = message.fields.find((f) => f.name === `b64${field.name}` && f.type === "string");
  return twin?.name;
}

const PREAMBLE = (version: string) =>
  `// Code generated by scripts/generate.ts from Centrifugo v${version}'s
// internal/apiproto/api.proto and scripts/api_overlay*.ts. DO NOT EDIT.

import type { ResponseError } from "../errors.ts";

/**
 * Result of the methods that return nothing, such as \`subscribe\`,
 * \`unsubscribe\`, \`disconnect\`, \`refresh\` and \`history_remove\`: they resolve with \`{}\`.
 *
 * @example Awaiting an empty result
 * \`\`\`ts
 * import type { EmptyResult } from "@aiocent/aiocent";
 *
 * const done: EmptyResult = {};
 * \`\`\`
 */
export type EmptyResult = Record<string, never>;

/**
 * The outcome of a broadcast for one channel: a publish result, or the
 * {@linkcode ResponseError} Centrifugo gave for that channel.
 *
 * @example Collect the channels a broadcast failed for
 * \`\`\`ts
 * import type { BroadcastResponse } from "@aiocent/aiocent";
 *
 * const failed = (responses: BroadcastResponse[]) =>
 *   responses.filter((r) => !r.ok).map((r) => r.channel);
 * \`\`\`
 */
export type BroadcastResponse =
  | { ok: true; channel: string; result: PublishResult }
  | { ok: false; channel: string; error: ResponseError };

/**
 * Result of \`broadcast\`: one response per channel, in the order given.
 * Per-channel failures are items with \`ok: false\`, never a rejection.
 *
 * @example Count successful deliveries
 * \`\`\`ts
 * import type { BroadcastResult } from "@aiocent/aiocent";
 *
 * const delivered = (r: BroadcastResult) => r.responses.filter((x) => x.ok).length;
 * \`\`\`
 */
export interface BroadcastResult {
  /** One response per channel, in the order of the \`channels\` argument. */
  responses: BroadcastResponse[];
}
`;

/** Emits everything; see Outputs. */
export function emit(inputs: Inputs): Outputs {
  const { proto } = inputs;
  const state: DocState = { undocumented: [] };
  const methods = methodsOf(inputs);
  const requests = methods.map((m) => m.request);
  const results = methods.map((m) => m.result);
  const requestSide = reachable(proto, requests, CUSTOM);
  const resultSide = reachable(proto, results, CUSTOM).filter((m) =>
    !requestSide.some((r) => r.name === m.name)
  );
  const proOnly = new Set<string>();
  const ossReached = new Set(
    reachable(
      proto,
      methods.filter((m) => !m.pro).flatMap((m) => [m.request, m.result]),
      CUSTOM,
    ).map((m) => m.name),
  );
  for (const m of [...requestSide, ...resultSide]) if (!ossReached.has(m.name)) proOnly.add(m.name);

  let api = PREAMBLE(inputs.version);
  for (const message of requestSide) {
    api += "\n" +
      emitInterface(proto, message, "request", inputs, state, proOnly.has(message.name));
  }
  for (const message of resultSide) {
    api += "\n" + emitInterface(proto, message, "result", inputs, state, proOnly.has(message.name));
  }
  for (const method of methods) {
    if (!method.optionsType) continue;
    api += "\n" + emitInterface(proto, method.request, "request", inputs, state, method.pro, {
      name: method.optionsType,
      fields: method.options,
      method,
    });
  }

  // The result type of each method.
  api += "\n" + jsdoc([
    "The result type of each API method, by Centrifugo's method name.",
    "",
    "@example The result type of a method",
    "```ts",
    'import type { MethodResults } from "@aiocent/aiocent";',
    "",
    'type HistoryAnswer = MethodResults["history"];',
    "```",
  ]);
  api += "export interface MethodResults {\n";
  for (const m of methods) {
    api += `  /** Result of \`${m.name}\`${m.pro ? " (Centrifugo PRO)" : ""}. */\n`;
    api += `  ${m.name}: ${typeName(m.result.name)};\n`;
  }
  api += "}\n";

  // The runtime tables.
  let table = `// Code generated by scripts/generate.ts from Centrifugo v${inputs.version}'s
// internal/apiproto/api.proto and scripts/api_overlay*.ts. DO NOT EDIT.

import type { MessageSpec, MethodSpec } from "../_schema.ts";
`;
  const specOf = (message: ProtoMessage) => {
    const fields = Object.fromEntries(message.fields.map((f) => [f.name, kindOf(message, f)]));
    const binary = Object.fromEntries(
      message.fields.flatMap((f) => {
        const twin = binaryTwin(message, f);
        return twin ? [[f.name, twin]] : [];
      }),
    );
    const required = requestSide.includes(message)
      ? MESSAGES[message.name]?.required ?? []
      : message.fields.filter((f) => inputs.alwaysSent.has(`${message.name}.${f.name}`))
        .map((f) => f.name);
    const present = requestSide.includes(message) ? MESSAGES[message.name]?.present ?? [] : [];
    return { fields, required, present, binary };
  };
  table +=
    "\n/** Every message of the API the client sends or reads: its fields' kinds and rules. */\n";
  table += "export const MESSAGES: Readonly<Record<string, MessageSpec>> = {\n";
  const specs: Record<string, MessageSpec> = {};
  for (const message of [...requestSide, ...resultSide]) {
    specs[message.name] = specOf(message);
    table += `  ${message.name}: ${JSON.stringify(specs[message.name])},\n`;
  }
  table += "};\n";
  table += "\n/** Every API method but `batch`, by Centrifugo's name. */\n";
  table += "export const METHODS = {\n";
  const methodSpecs: MethodSpec[] = [];
  for (const m of methods) {
    const spec: MethodSpec = {
      name: m.name,
      js: m.js,
      request: m.request.name,
      result: m.result.name,
      pro: m.pro,
      effect: m.overlay.effect,
      args: m.args.map((a) => a.field.name),
      optionalArgs: m.args.filter((a) => a.optional).length,
    };
    methodSpecs.push(spec);
    table += `  ${m.name}: ${JSON.stringify(spec)},\n`;
  }
  table += "} as const satisfies Readonly<Record<string, MethodSpec>>;\n";
  table += "\n/** Centrifugo's name of an API method the client knows, e.g. `presence_stats`. */\n";
  table += "export type MethodName = keyof typeof METHODS;\n";

  return {
    api,
    table,
    quick: emitQuick(specs, methodSpecs, inputs.version),
    clientMethods: emitClientMethods(proto, methods, state),
    batchMethods: emitBatchMethods(proto, methods, state),
    readmeMethods: emitReadme(methods),
    commandMethods: emitCommandMethods(proto, consumerMethodsOf(methods, inputs), state),
    consumerTable: emitConsumerTable(consumerMethodsOf(methods, inputs), inputs.version),
    undocumented: [...new Set(state.undocumented)],
  };
}

function argList(proto: ProtoFile, m: Method, side: "client" | "batch"): string {
  const args = m.args.map(({ field, optional }) =>
    `${camel(field.name)}${optional ? "?" : ""}: ${
      field.type === "bytes" ? "unknown" : tsType(proto, field, "request", "api.")
    }`
  );
  const options = side === "client"
    ? m.optionsType ? `api.${m.optionsType} & CallOptions` : "CallOptions"
    : m.optionsType && `api.${m.optionsType}`;
  if (options) args.push(`options${m.optionsRequired ? "" : "?"}: ${options}`);
  return args.join(", ");
}

function paramDocs(m: Method, state: DocState, side: "client" | "batch"): string[] {
  const lines = m.args.map(({ field }) =>
    `@param ${camel(field.name)} ${fieldDoc(m.request, field, state)}`
  );
  const optionsDoc = m.optionsType
    ? `Optional fields (see {@linkcode ${m.optionsType}})` +
      (side === "client" ? ", and the call's `signal`, `timeout` and `retry`." : ".")
    : "The call's `signal`, `timeout` and `retry`.";
  if (side === "client" || m.optionsType) lines.push(`@param options ${optionsDoc}`);
  return lines.map(safe);
}

function summaryLines(m: Method): string[] {
  const summary = m.pro ? `Centrifugo PRO: ${m.overlay.summary}` : m.overlay.summary;
  const lines = [summary];
  if (m.overlay.details) lines.push("", m.overlay.details);
  if (m.pro) {
    lines.push(
      "",
      "Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the " +
        "method needs Centrifugo PRO (in a batch, the reply is error 104).",
    );
  }
  return lines.map(safe);
}

/** Wraps a line of prose at `width` characters. */
export function wrap(text: string, width = 92): string[] {
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      if (line && line.length + word.length + 1 > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

const BEGIN = (what: string) =>
  `  // --- ${what}: generated by scripts/generate.ts from the method table (do not edit) ---\n`;
const END = (what: string) => `  // --- end of ${what} ---\n`;

function emitClientMethods(proto: ProtoFile, methods: Method[], state: DocState): string {
  let out = BEGIN("API methods");
  for (const m of methods) {
    const { title, code, noRun } = m.overlay.example;
    const imports = code.split("\n").filter((l) => l.startsWith("import "));
    const body = code.split("\n").filter((l) => !l.startsWith("import ")).join("\n").trim();
    const result = `api.${typeName(m.result.name)}`;
    out += "\n" + jsdoc(
      [
        ...summaryLines(m).flatMap((l) => wrap(l)),
        "",
        `@example ${title}`,
        noRun ? "```ts no-run" : "```ts",
        'import { Client } from "@aiocent/aiocent";',
        ...imports,
        "",
        'const client = new Client("http://localhost:8000/api", { apiKey: "secret" });',
        ...body.split("\n"),
        "```",
        "",
        ...paramDocs(m, state, "client").flatMap((l) => wrap(l)),
        ...wrap(`@returns ${safe(m.overlay.returns)}`),
      ],
      "  ",
    );
    out += `  ${m.js}(${argList(proto, m, "client")}): Promise<${result}> {\n`;
    out += `    return this.#invoke("${m.name}", [${
      m.args.map((a) => camel(a.field.name)).join(", ")
    }], options);\n  }\n`;
  }
  return out + END("API methods");
}

function emitBatchMethods(proto: ProtoFile, methods: Method[], state: DocState): string {
  let out = BEGIN("batch methods");
  for (const m of methods) {
    out += "\n" + jsdoc(
      [
        ...wrap(
          `Adds a \`${m.name}\` command${m.pro ? " (Centrifugo PRO)" : ""}: ` +
            `the batched {@linkcode Client.${m.js}}.`,
        ),
        "",
        `@example Add a \`${m.name}\` command`,
        "```ts",
        'import { Batch } from "@aiocent/aiocent";',
        "",
        `const batch = new Batch().${m.js}(${m.overlay.batchArgs});`,
        "```",
        "",
        ...paramDocs(m, state, "batch").flatMap((l) => wrap(l)),
        "@returns This batch.",
      ],
      "  ",
    );
    const pass = m.optionsType ? "options" : "undefined";
    out += `  ${m.js}(${argList(proto, m, "batch")}): this {\n`;
    out += `    return this.#add("${m.name}", [${
      m.args.map((a) => camel(a.field.name)).join(", ")
    }], ${pass});\n  }\n`;
  }
  return out + END("batch methods");
}

function emitReadme(methods: Method[]): string {
  const table = (rows: Method[]) => {
    let out = "| method | options (wire fields) | resolves with |\n|---|---|---|\n";
    for (const m of rows) {
      const args = m.args.map((a) => `${camel(a.field.name)}${a.optional ? "?" : ""}`);
      args.push(m.optionsRequired ? "options" : "options?");
      const fields = m.options.map((f) => `\`${f.name}\``).join(", ");
      const returns = m.overlay.returns.replaceAll("|", "\\|");
      out += `| \`${m.js}(${args.join(", ")})\` | ${fields} | \`${
        typeName(m.result.name)
      }\`: ${returns} |\n`;
    }
    return out;
  };
  return "<!-- generated:methods (scripts/generate.ts; do not edit) -->\n\n" +
    table(methods.filter((m) => !m.pro)) +
    "\nCentrifugo PRO methods (Centrifugo OSS answers them with HTTP 404):\n\n" +
    table(methods.filter((m) => m.pro)) +
    "\n<!-- end generated:methods -->";
}

// --- Commands for Centrifugo's async consumers (src/commands.ts) ---------------------------------

/** The methods the consumers apply, in the table's order; every one must be an API method. */
function consumerMethodsOf(methods: Method[], inputs: Inputs): Method[] {
  for (const name of inputs.consumers) {
    if (name === "batch" || !methods.some((m) => m.name === name)) {
      throw new Error(`internal/api/consuming.go applies ${name}, which is not an API method here`);
    }
  }
  return methods.filter((m) => inputs.consumers.includes(m.name));
}

function emitConsumerTable(methods: Method[], version: string): string {
  const names = methods.map((m) => JSON.stringify(m.name)).join(", ");
  const requests = methods.map((m) =>
    `  /** The request of \`${m.name}\`. */\n  ${m.name}: api.${typeName(m.request.name)};\n`
  ).join("");
  return `// Code generated by scripts/generate.ts from Centrifugo v${version}'s
// internal/api/consuming.go and internal/apiproto/api.proto. DO NOT EDIT.

import type * as api from "./api.ts";

/**
 * The API methods Centrifugo's async consumers (the PostgreSQL outbox, Redis
 * Streams, Kafka, NATS JetStream, …) apply, by Centrifugo's name. They skip any
 * other method, \`batch\` included, with only an info log.
 *
 * @example Check a method name before queueing it
 * \`\`\`ts
 * import { CONSUMER_METHODS } from "@aiocent/aiocent/commands";
 *
 * const applied = (CONSUMER_METHODS as readonly string[]).includes("history"); // false
 * \`\`\`
 */
export const CONSUMER_METHODS = [${names}] as const;

/**
 * Centrifugo's name of a method its async consumers apply, e.g. \`"publish"\`.
 *
 * @example A method name
 * \`\`\`ts
 * import type { ConsumerMethod } from "@aiocent/aiocent/commands";
 *
 * const method: ConsumerMethod = "history_remove";
 * \`\`\`
 */
export type ConsumerMethod = typeof CONSUMER_METHODS[number];

/**
 * The request of each method the consumers apply, by Centrifugo's name: the
 * params {@linkcode Commands.command} takes.
 *
 * @example The params of a \`publish\`
 * \`\`\`ts
 * import type { ConsumerRequests } from "@aiocent/aiocent/commands";
 *
 * const params: ConsumerRequests["publish"] = { channel: "chat", data: { text: "hi" } };
 * \`\`\`
 */
export interface ConsumerRequests {
${requests}}
`;
}

function emitCommandMethods(proto: ProtoFile, methods: Method[], state: DocState): string {
  let out = BEGIN("consumer commands");
  for (const m of methods) {
    const keyed = m.overlay.effect === "keyed"
      ? [
        "",
        ...wrap(
          "Without an `idempotency_key` in `options` it gets a random one: consumers deliver at " +
            "least once, and with the key a publication applied twice is stored once.",
        ),
      ]
      : [];
    out += "\n" + jsdoc(
      [
        ...wrap(
          `A \`${m.name}\` command for Centrifugo's async consumers, with the arguments and ` +
            `checks of {@linkcode Client.${m.js}}.`,
        ),
        ...keyed,
        "",
        `@example Build a \`${m.name}\` command`,
        "```ts",
        'import { Commands } from "@aiocent/aiocent/commands";',
        "",
        `const command = new Commands().${m.js}(${m.overlay.batchArgs});`,
        "```",
        "",
        ...paramDocs(m, state, "batch").flatMap((l) => wrap(l)),
        "@returns The command: its method and the JSON payload the API would get.",
      ],
      "  ",
    );
    const pass = m.optionsType ? "options" : "undefined";
    out += `  ${m.js}(${argList(proto, m, "batch")}): Command<"${m.name}"> {\n`;
    out += `    return this.#build("${m.name}", [${
      m.args.map((a) => camel(a.field.name)).join(", ")
    }], ${pass});\n  }\n`;
  }
  return out + END("consumer commands");
}
