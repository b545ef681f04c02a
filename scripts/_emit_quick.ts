// Emits src/_generated/quick.ts: for each API method, its arguments checked
// in straight-line code, kind by kind, as the method table says. It only
// accepts: whatever it does not take at a glance (a value of the wrong kind,
// a nested message, a Uint8Array, a BigInt, an unknown option) it leaves to
// buildParams' generic walk, which accepts it or words the error. So the
// common call skips the walk (a generic loop over kinds costs a cold call
// more than the request around it can spare), and every error, its words
// and what is refused stay exactly as they were.

import type { FieldKind, MessageSpec, MethodSpec } from "../src/_schema.ts";

/** The test of `v` for a kind, as an expression; undefined: left to the walk. */
function test(kind: FieldKind, required: boolean, v: string): string | undefined {
  switch (kind) {
    case "string":
      return required
        ? `typeof ${v} === "string" && ${v} !== "" && ${v}.isWellFormed()`
        : `typeof ${v} === "string" && ${v}.isWellFormed()`;
    case "bool":
      return `typeof ${v} === "boolean"`;
    case "int32":
      return `Number.isSafeInteger(${v}) && (${v} as number) >= -0x80000000 && ` +
        `(${v} as number) < 0x80000000${required ? ` && ${v} !== 0` : ""}`;
    case "uint32":
      return `Number.isSafeInteger(${v}) && (${v} as number) ${required ? ">" : ">="} 0 && ` +
        `(${v} as number) < 0x100000000`;
    case "limit":
      return `Number.isSafeInteger(${v}) && (${v} as number) >= -1 && ` +
        `(${v} as number) < 0x80000000${required ? ` && ${v} !== 0` : ""}`;
    // A safe integer is within 64 bits; a BigInt is left to the walk.
    case "int64":
      return `Number.isSafeInteger(${v})${required ? ` && ${v} !== 0` : ""}`;
    case "uint64":
      return `Number.isSafeInteger(${v}) && (${v} as number) ${required ? ">" : ">="} 0`;
    case "double":
      return `Number.isFinite(${v})${required ? ` && ${v} !== 0` : ""}`;
    // A Uint8Array is either sent as base64 (a field with a twin) or refused: the walk does both.
    case "bytes":
      return `isJson(${v})`;
    case "string[]":
      return required ? `isNames(${v})` : `isTexts(${v})`;
    case "{string}":
      return `isTextMap(${v})`;
    default:
      return undefined;
  }
}

/** The quick check of one method, or undefined when a positional argument needs the walk. */
function emitMethod(spec: MethodSpec, message: MessageSpec): string | undefined {
  const required = new Set(message.required);
  const lines: string[] = [];
  for (const [i, field] of spec.args.entries()) {
    const kind = message.fields[field]!;
    const check = test(kind, required.has(field), "v");
    if (check === undefined) return undefined;
    const optional = i >= spec.args.length - spec.optionalArgs;
    lines.push(`  ${i === 0 ? "let " : ""}v = a[${i}];`);
    lines.push(
      optional
        ? `  if (v !== undefined) {\n    if (!(${check})) return;\n    p.${field} = v;\n  }`
        : `  if (!(${check})) return;\n  p.${field} = v;`,
    );
  }
  const twins = new Set(Object.values(message.binary));
  // Options of the kinds tested here, grouped by their test; the rest fall to `default`.
  const cases = new Map<string, string[]>();
  for (const [field, kind] of Object.entries(message.fields)) {
    if (spec.args.includes(field) || twins.has(field)) continue;
    const check = test(kind, required.has(field), "v");
    if (check === undefined) continue;
    cases.set(check, [...cases.get(check) ?? [], field]);
  }
  const missing = message.required.filter((f) => !spec.args.includes(f));
  const body = [
    `  const p: Params = {};`,
    ...(spec.args.length === 0 ? ["  let v: unknown;"] : lines),
    `  if (o === undefined) return ${missing.length === 0 ? "p" : "undefined"};`,
    `  if (!isPlainObject(o)) return;`,
    `  for (const k in o) {`,
    `    v = o[k];`,
    `    switch (k) {`,
    `      case "signal":`,
    `      case "timeout":`,
    `      case "retry":`,
    `        if (controls || v === undefined) continue;`,
    `        return;`,
    ...[...cases].flatMap(([check, fields]) => [
      ...fields.map((f) => `      case ${JSON.stringify(f)}:`),
      // Unlike an unknown option, a known one left undefined is absent.
      `        if (v === undefined) continue;`,
      `        if (!(${check})) return;`,
      `        break;`,
    ]),
    `      default:`,
    `        return;`,
    `    }`,
    `    p[k] = v;`,
    `  }`,
    ...missing.map((f) => `  if (p.${f} === undefined) return;`),
    `  return p;`,
  ];
  return `  ${spec.name}(${spec.args.length === 0 ? "_a" : "a"}, o, controls) {\n  ${
    body.join("\n  ")
  }\n  },`;
}

/** The file: a quick check for each method whose positional arguments are all simple. */
export function emitQuick(
  messages: Readonly<Record<string, MessageSpec>>,
  methods: readonly MethodSpec[],
  version: string,
): string {
  const entries = methods.flatMap((spec) => {
    const emitted = emitMethod(spec, messages[spec.request]!);
    return emitted === undefined ? [] : [emitted];
  });
  return `// Code generated by scripts/generate.ts from Centrifugo v${version}'s
// internal/apiproto/api.proto and scripts/api_overlay*.ts. DO NOT EDIT.
//
// The arguments of a call checked at a glance (see scripts/_emit_quick.ts):
// each method's params when every argument passes, undefined when any needs
// buildParams' generic walk, which then accepts it or words the error.

import { isPlainObject } from "../_validate.ts";

type Params = Record<string, unknown>;

/**
 * A method's params, or undefined for the walk. \`controls\`: true for a
 * Client call (signal, timeout and retry are read elsewhere), false for a
 * Batch command (the walk refuses them).
 */
export type Quick = (a: readonly unknown[], o: unknown, controls: boolean) => Params | undefined;

/** Any JSON value but a Uint8Array, which the walk sends as base64 or refuses. */
function isJson(v: unknown): boolean {
  const type = typeof v;
  return type !== "undefined" && type !== "function" && type !== "symbol" &&
    !(v instanceof Uint8Array);
}

/** A non-empty array of non-empty, well-formed strings. */
function isNames(v: unknown): boolean {
  if (!Array.isArray(v) || v.length === 0) return false;
  for (const item of v) {
    if (typeof item !== "string" || item === "" || !item.isWellFormed()) return false;
  }
  return true;
}

/** An array of well-formed strings. */
function isTexts(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const item of v) if (typeof item !== "string" || !item.isWellFormed()) return false;
  return true;
}

/** A plain object of well-formed keys and string values. */
function isTextMap(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  for (const key in v) {
    const item = v[key];
    if (!key.isWellFormed() || typeof item !== "string" || !item.isWellFormed()) return false;
  }
  return true;
}

/** The quick check of each method that has one, by Centrifugo's name. */
export const QUICK: Readonly<Record<string, Quick>> = {
${entries.join("\n")}
};
`;
}
