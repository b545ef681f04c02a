// A parser for the subset of proto3 that Centrifugo's api.proto and
// proxy.proto use: a service of unary or streaming rpcs, and messages of
// scalar, message, repeated and map fields, with `reserved` ranges and `//`
// comments (leading and trailing). Anything else is an error, so a new
// construct in a later Centrifugo fails the generator loudly instead of being
// skipped.

/** One field of a message. */
export interface ProtoField {
  name: string;
  /** Scalar type name or message name; for maps, the value type. */
  type: string;
  repeated: boolean;
  /** For `map<K, V>` fields: K (V is `type`). */
  mapKey?: string;
  number: number;
  /** The comment lines before the field and after it on its line. */
  comment: string;
}

/** A message and its fields, in order. */
export interface ProtoMessage {
  name: string;
  fields: ProtoField[];
  comment: string;
}

/** One rpc of the service. */
export interface ProtoRpc {
  name: string;
  request: string;
  response: string;
  /** True when either side is a stream (gRPC only). */
  streaming: boolean;
  comment: string;
}

/** A parsed .proto file. */
export interface ProtoFile {
  package: string;
  service: string;
  rpcs: ProtoRpc[];
  messages: Map<string, ProtoMessage>;
}

/** Scalar types of proto3 that these files use. */
export const SCALARS: ReadonlySet<string> = new Set([
  "string",
  "bytes",
  "bool",
  "int32",
  "uint32",
  "int64",
  "uint64",
  "double",
  "float",
]);

interface Token {
  text: string;
  line: number;
}

/** Splits a proto text into tokens, and collects comments by the line they end on. */
function lex(text: string): { tokens: Token[]; comments: Map<number, string> } {
  const tokens: Token[] = [];
  const comments = new Map<number, string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const at = line.indexOf("//");
    if (at >= 0) {
      comments.set(i + 1, line.slice(at + 2).trim());
      line = line.slice(0, at);
    }
    if (line.includes("/*")) throw new Error(`line ${i + 1}: block comments are not supported`);
    for (const match of line.matchAll(/[A-Za-z_][A-Za-z0-9_.]*|\d+|"[^"]*"|[{}()<>;=,\[\]]/g)) {
      tokens.push({ text: match[0], line: i + 1 });
    }
    const rest = line.replace(/[A-Za-z_][A-Za-z0-9_.]*|\d+|"[^"]*"|[{}()<>;=,\[\]]|\s/g, "");
    if (rest !== "") throw new Error(`line ${i + 1}: unexpected ${JSON.stringify(rest)}`);
  }
  return { tokens, comments };
}

/** Parses `text`; throws naming the line of anything it does not understand. */
export function parseProto(text: string): ProtoFile {
  const { tokens, comments } = lex(text);
  let pos = 0;
  const peek = () => tokens[pos]?.text;
  const line = () => tokens[pos]?.line ?? tokens.at(-1)?.line ?? 0;
  const next = (): string => {
    const token = tokens[pos++];
    if (!token) throw new Error("unexpected end of file");
    return token.text;
  };
  const expect = (text: string) => {
    const at = line();
    const got = next();
    if (got !== text) throw new Error(`line ${at}: expected ${text}, got ${got}`);
  };
  /** The comment block ending just above `at`, joined, plus a trailing one on `at`. */
  const commentFor = (at: number, trailingLine = at): string => {
    const above: string[] = [];
    for (let l = at - 1; comments.has(l) && !lineHasCode(tokens, l); l--) {
      above.unshift(comments.get(l)!);
    }
    const trailing = lineHasCode(tokens, trailingLine) ? comments.get(trailingLine) : undefined;
    return [...above, ...(trailing ? [trailing] : [])].join("\n").trim();
  };

  const file: ProtoFile = { package: "", service: "", rpcs: [], messages: new Map() };
  while (pos < tokens.length) {
    const at = line();
    const word = next();
    if (word === "syntax") {
      expect("=");
      if (next() !== '"proto3"') throw new Error(`line ${at}: only proto3 is supported`);
      expect(";");
    } else if (word === "package") {
      file.package = next();
      expect(";");
    } else if (word === "option") {
      while (next() !== ";");
    } else if (word === "service") {
      file.service = next();
      expect("{");
      while (peek() !== "}") {
        const rpcLine = line();
        expect("rpc");
        const name = next();
        expect("(");
        let streaming = false;
        if (peek() === "stream") streaming = !!next();
        const request = next();
        expect(")");
        expect("returns");
        expect("(");
        if (peek() === "stream") streaming = !!next();
        const response = next();
        expect(")");
        if (peek() === "{") {
          next();
          expect("}");
        } else expect(";");
        file.rpcs.push({ name, request, response, streaming, comment: commentFor(rpcLine) });
      }
      expect("}");
    } else if (word === "message") {
      const name = next();
      const message: ProtoMessage = { name, fields: [], comment: commentFor(at) };
      expect("{");
      while (peek() !== "}") {
        const fieldLine = line();
        if (peek() === "reserved") {
          while (next() !== ";");
          continue;
        }
        let repeated = false;
        let mapKey: string | undefined;
        let type: string;
        if (peek() === "repeated") repeated = !!next();
        if (peek() === "map") {
          next();
          expect("<");
          mapKey = next();
          expect(",");
          type = next();
          expect(">");
        } else type = next();
        if (["oneof", "enum", "message", "optional"].includes(type)) {
          throw new Error(`line ${fieldLine}: ${type} is not supported`);
        }
        const fieldName = next();
        expect("=");
        const number = Number(next());
        expect(";");
        message.fields.push({
          name: fieldName,
          type,
          repeated,
          ...(mapKey ? { mapKey } : {}),
          number,
          comment: commentFor(fieldLine),
        });
      }
      expect("}");
      if (file.messages.has(name)) throw new Error(`line ${at}: message ${name} defined twice`);
      file.messages.set(name, message);
    } else {
      throw new Error(`line ${at}: unexpected ${word}`);
    }
  }
  for (const message of file.messages.values()) {
    for (const field of message.fields) {
      if (!SCALARS.has(field.type) && !file.messages.has(field.type)) {
        throw new Error(`${message.name}.${field.name}: unknown type ${field.type}`);
      }
    }
  }
  return file;
}

function lineHasCode(tokens: Token[], line: number): boolean {
  // Tokens are in line order; a linear scan is fine for files of this size.
  return tokens.some((t) => t.line === line);
}
