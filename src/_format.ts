// Centrifugo's two API formats, as data: where a method is posted, how one
// command and a batch are encoded, how the API key is sent, and how answers
// are decoded. Everything format-specific is here, so the call path has no
// branches for it.
//
// - v6: `POST {address}/{method}` with the params as the body; batches to
//   `{address}/batch` as `{"commands":[{"<method>":params}, …], "parallel"?}`,
//   replied as `{"replies":[{"<method>":result} | {"error":…}, …]}`; the key
//   in `X-API-Key`. With `http_api.error_mode: transport`, an API error comes
//   as an HTTP status with `{"code","message"}` as the body.
// - legacy (Centrifugo v3/v4, still served by v5 and v6): every command to
//   `{address}` itself as `{"method","params"}`; a batch is newline-delimited
//   commands with ids, replied newline-delimited `{"id", "result" | "error"}`;
//   the key as `Authorization: apikey <key>`.

import { ResponseError } from "./errors.ts";

/** One command of a batch, its params already encoded as JSON. */
export interface Encoded {
  readonly method: string;
  readonly params: string;
}

/** The outcome of one command of a batch. */
export type Outcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: ResponseError }
  | { readonly ok: false; readonly malformed: string };

/** An answer that is not what Centrifugo sends: the call fails with a RequestError. */
export class Malformed extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "Malformed";
  }
}

/** A wire format (see the module comment). */
export interface WireFormat {
  readonly legacy: boolean;
  /** Where `method` is posted (`batch` for a batch). */
  url(base: string, method: string): string;
  /** The body of one call. */
  single(method: string, params: string): string;
  /** The body of a batch of at least one command. */
  batch(commands: readonly Encoded[], parallel: boolean): string;
  /** The header that carries the API key. */
  keyHeader(apiKey: string): [name: string, value: string];
  /** The result of a 2xx answer to one call; throws its ResponseError or Malformed. */
  result(text: string, method: string): unknown;
  /** The outcome of each command of a 2xx answer to a batch; throws Malformed. */
  replies(text: string, methods: readonly string[]): Outcome[];
  /** The ResponseError a non-2xx answer stands for, if it is an API error. */
  statusError(status: number, body: string, method: string): ResponseError | undefined;
}

/** Centrifugo's hint for errors of methods only its PRO edition serves. */
export type ProHint = (method: string) => string | undefined;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Malformed("invalid JSON", { cause: err });
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A ResponseError from Centrifugo's `{code, message, temporary?}`, or undefined if it is not one. */
function apiError(method: string, error: unknown, hint: ProHint): ResponseError | undefined {
  if (!isObject(error) || typeof error.code !== "number" || !Number.isInteger(error.code)) {
    return undefined;
  }
  const message = typeof error.message === "string" ? error.message : "";
  return new ResponseError(method, error.code, message, {
    temporary: error.temporary === true,
    hint: error.code === 104 ? hint(method) : undefined,
  });
}

/** The result of a `{result}` / `{error}` envelope. */
function envelopeResult(reply: unknown, method: string, hint: ProHint): unknown {
  if (!isObject(reply)) throw new Malformed("a JSON value that is not an object");
  if (reply.error !== undefined) {
    throw apiError(method, reply.error, hint) ?? new Malformed("an error without a code");
  }
  if (reply.result === undefined) {
    throw new Malformed("an unexpected result: no result and no error");
  }
  return reply.result;
}

/** The outcome of one reply item: `{error}`, or the result under `key`. */
function outcome(reply: unknown, method: string, key: string, hint: ProHint): Outcome {
  if (!isObject(reply)) return { ok: false, malformed: "a reply that is not an object" };
  if (reply.error !== undefined) {
    const error = apiError(method, reply.error, hint);
    return error ? { ok: false, error } : { ok: false, malformed: "an error without a code" };
  }
  const result = reply[key];
  if (result === undefined) return { ok: false, malformed: `a reply with no ${method} result` };
  return { ok: true, result };
}

/** Centrifugo's API errors as HTTP statuses (internal/apiproto/errors.go). */
const ERROR_STATUSES = new Set([400, 404, 409, 416, 429, 500, 503]);

/** The v6 format. */
export function v6Format(hint: ProHint): WireFormat {
  return {
    legacy: false,
    url: (base, method) => `${base}/${method}`,
    single: (_method, params) => params,
    batch(commands, parallel) {
      let body = '{"commands":[';
      for (let i = 0; i < commands.length; i++) {
        const { method, params } = commands[i]!;
        body += `${i === 0 ? "" : ","}{"${method}":${params}}`;
      }
      return body + (parallel ? '],"parallel":true}' : "]}");
    },
    keyHeader: (apiKey) => ["X-API-Key", apiKey],
    result: (text, method) => envelopeResult(parseJson(text), method, hint),
    replies(text, methods) {
      const reply = parseJson(text);
      if (!isObject(reply)) throw new Malformed("a JSON value that is not an object");
      const replies = reply.replies;
      if (!Array.isArray(replies) || replies.length !== methods.length) {
        throw new Malformed(
          `${
            Array.isArray(replies) ? replies.length : "no"
          } replies for ${methods.length} commands`,
        );
      }
      return methods.map((method, i) => outcome(replies[i], method, method, hint));
    },
    statusError(status, body, method) {
      if (!ERROR_STATUSES.has(status) || !body.startsWith("{")) return undefined;
      let error: unknown;
      try {
        error = JSON.parse(body);
      } catch {
        return undefined;
      }
      // Transport mode's body is exactly the error object.
      if (!isObject(error) || typeof error.message !== "string") return undefined;
      return apiError(method, error, hint);
    },
  };
}

/** The legacy format. */
export function legacyFormat(hint: ProHint): WireFormat {
  const command = (method: string, params: string, id?: number) =>
    `{${id === undefined ? "" : `"id":${id},`}"method":${
      JSON.stringify(method)
    },"params":${params}}`;
  return {
    legacy: true,
    url: (base) => base,
    single: (method, params) => command(method, params),
    batch: (commands) => commands.map((c, i) => command(c.method, c.params, i + 1)).join("\n"),
    keyHeader: (apiKey) => ["Authorization", `apikey ${apiKey}`],
    result: (text, method) => envelopeResult(parseJson(text), method, hint),
    replies(text, methods) {
      const lines = text.split("\n").filter((line) => line.trim() !== "");
      if (lines.length !== methods.length) {
        throw new Malformed(`${lines.length} reply lines for ${methods.length} commands`);
      }
      return lines.map((line, i) => {
        const reply = parseJson(line) as { id?: unknown } | null;
        if (reply?.id !== i + 1) {
          throw new Malformed(`reply line ${i} has id ${reply?.id}, not ${i + 1}`);
        }
        return outcome(reply, methods[i]!, "result", hint);
      });
    },
    statusError: () => undefined,
  };
}
