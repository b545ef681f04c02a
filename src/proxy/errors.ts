// What a proxy function answers instead of a result (ProxyError,
// ProxyDisconnect), and what the handlers report to `onError` when they could
// not answer as the function meant (ProxyAnswerError, ProxyRequestError). The
// range and length rules are checked here, once for the constructors (a
// TypeError at the line that built a bad one) and again by the handlers
// before anything is sent.

/** Error codes an application may use: Centrifugo reserves 0–399 for itself. */
const ERROR_CODES = { min: 400, max: 1999 };
/** Disconnect codes an application may use; 4500 and up tell clients not to reconnect. */
const DISCONNECT_CODES = { min: 4000, max: 4999 };
/**
 * A disconnect reason travels in a WebSocket close frame: 125 bytes, 2 of
 * them the code. A longer one is never sent, and the client sees an abnormal
 * close (and reconnects, whatever the code).
 */
export const MAX_REASON_BYTES = 123;

/** The UTF-8 length of `text` (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (
      c >= 0xd800 && c < 0xdc00 && i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const isCode = (code: unknown, range: { min: number; max: number }) =>
  Number.isInteger(code) && (code as number) >= range.min && (code as number) <= range.max;

/** What is wrong with an error answer, or undefined. */
export function errorProblem(
  code: unknown,
  message: unknown,
  temporary: unknown,
): string | undefined {
  if (!isCode(code, ERROR_CODES)) {
    return `an error code must be an integer from 400 to 1999 (0-399 are Centrifugo's own), ` +
      `got ${typeof code === "number" ? code : typeof code}`;
  }
  if (typeof message !== "string") {
    return `an error message must be a string, got ${typeof message}`;
  }
  if (typeof temporary !== "boolean") return "an error's temporary flag must be a boolean";
  return undefined;
}

/** What is wrong with a disconnect answer, or undefined. */
export function disconnectProblem(code: unknown, reason: unknown): string | undefined {
  if (!isCode(code, DISCONNECT_CODES)) {
    return `a disconnect code must be an integer from 4000 to 4999 (4500 and up: do not ` +
      `reconnect), got ${typeof code === "number" ? code : typeof code}`;
  }
  if (typeof reason !== "string") {
    return `a disconnect reason must be a string, got ${typeof reason}`;
  }
  // centrifuge-js treats a close without a reason as one to reconnect after,
  // whatever the code: a 45xx code would not stop it.
  if (reason === "") return "a disconnect reason must not be empty (clients reconnect without one)";
  const bytes = utf8Length(reason);
  if (bytes > MAX_REASON_BYTES) {
    return `a disconnect reason must fit a WebSocket close frame: at most ${MAX_REASON_BYTES} ` +
      `bytes of UTF-8, got ${bytes}`;
  }
  return undefined;
}

/** Options of a {@linkcode ProxyError}. */
export interface ProxyErrorOptions extends ErrorOptions {
  /**
   * The client may retry: centrifuge-js reconnects (connect) or
   * resubscribes (subscribe) after a backoff. Default false.
   */
  temporary?: boolean;
}

/**
 * Rejects a proxied request with an error the client receives: its `code`
 * (400–1999; Centrifugo reserves 0–399) and `message`. Return it, or throw it,
 * from a proxy function whose type can answer an error (all but refresh and
 * sub_refresh).
 *
 * What centrifuge-js does with it: a connect error ends the connection
 * attempt (`disconnected` with the code and message as reason) unless it is
 * `temporary`, when it reconnects with backoff; a subscribe error
 * unsubscribes (or resubscribes, if temporary); a publish or RPC error rejects
 * the call's promise.
 *
 * @example Refuse a subscription
 * ```ts
 * import { ProxyError, subscribeHandler } from "@aiocent/aiocent/proxy";
 *
 * const subscribe = subscribeHandler((req) =>
 *   req.channel.startsWith("public:") ? {} : new ProxyError(1403, "permission denied")
 * );
 * ```
 */
export class ProxyError extends Error {
  /** The error code, 400–1999. */
  readonly code: number;
  /** Whether the client may retry. */
  readonly temporary: boolean;

  /**
   * Creates the error; throws a TypeError for a code outside 400–1999.
   *
   * @param code The error code, 400–1999.
   * @param message What the client is told.
   * @param options `temporary`, and a `cause` (kept here, never sent).
   */
  constructor(code: number, message: string, options: ProxyErrorOptions = {}) {
    const temporary = options.temporary ?? false;
    const problem = errorProblem(code, message, temporary);
    if (problem) throw new TypeError(`ProxyError: ${problem}`);
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ProxyError";
    this.code = code;
    this.temporary = temporary;
  }
}

/**
 * Closes the client's connection with a `code` (4000–4999) and a `reason` (at
 * most 123 bytes of UTF-8, not empty). Codes 4500–4999 tell the client not to
 * reconnect; 4000–4499 let it reconnect. Return it, or throw it, from a proxy
 * function whose type can answer a disconnect (connect, subscribe, publish,
 * rpc, map_publish, map_remove).
 *
 * Over WebSocket the reason travels in the close frame, which holds 123 bytes
 * of it: a longer reason would never reach the client, which would see an
 * abnormal close and reconnect even for a 45xx code, so it is refused. During
 * connect, centrifuge-js does not show a 4000–4499 code to the application:
 * it just reconnects.
 *
 * @example Disconnect a banned user for good
 * ```ts
 * import { ProxyDisconnect, rpcHandler } from "@aiocent/aiocent/proxy";
 *
 * const banned = new Set(["mallory"]);
 * const rpc = rpcHandler((req) =>
 *   banned.has(req.user) ? new ProxyDisconnect(4501, "banned") : { data: { ok: true } }
 * );
 * ```
 */
export class ProxyDisconnect extends Error {
  /** The disconnect code, 4000–4999. */
  readonly code: number;
  /** The reason the client sees. */
  readonly reason: string;

  /**
   * Creates the disconnect; throws a TypeError for a code outside 4000–4999
   * or a reason that is empty or longer than 123 bytes.
   *
   * @param code The disconnect code: 4000–4499 reconnect, 4500–4999 do not.
   * @param reason What the client is told, 1–123 bytes of UTF-8.
   * @param options A `cause` (kept here, never sent).
   */
  constructor(code: number, reason: string, options?: ErrorOptions) {
    const problem = disconnectProblem(code, reason);
    if (problem) throw new TypeError(`ProxyDisconnect: ${problem}`);
    super(`disconnect ${code}: ${reason}`, options);
    this.name = "ProxyDisconnect";
    this.code = code;
    this.reason = reason;
  }
}

/**
 * Reported to `onError` when a proxy function's answer cannot be sent: a
 * result holding a field its proxy type does not have or a value of the
 * wrong kind, an error or disconnect the type cannot carry, a code or reason
 * out of range. The handler answered HTTP 500 instead (Centrifugo then tells
 * the client "internal server error", code 100). The message names the field
 * and the rule, never the value.
 *
 * @example Tell the application's bugs apart in onError
 * ```ts
 * import { connectHandler, ProxyAnswerError } from "@aiocent/aiocent/proxy";
 *
 * const connect = connectHandler(() => ({ user: "42" }), {
 *   onError(error, { proxy, status }) {
 *     if (error instanceof ProxyAnswerError) console.error(`bad ${proxy} answer:`, error.message);
 *     else console.error(`${proxy} proxy failed with HTTP ${status}:`, error);
 *   },
 * });
 * ```
 */
export class ProxyAnswerError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong with the answer.
   * @param options `cause`: the answer that was refused, or the error it came from.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProxyAnswerError";
  }
}

/**
 * Reported to `onError` when a proxy handler refused a request before the
 * function saw it: not a POST (405), a body over `maxBodyBytes` (413), not
 * JSON or not the proxy type's request (400). Centrifugo sends none of these:
 * they mean a misconfigured endpoint (another proxy type's URL, a limit below
 * the client's messages) or a caller that is not Centrifugo.
 *
 * @example Log refused requests apart from failures
 * ```ts
 * import { ProxyRequestError, rpcHandler } from "@aiocent/aiocent/proxy";
 *
 * const rpc = rpcHandler(() => ({}), {
 *   onError(error) {
 *     if (error instanceof ProxyRequestError) console.warn(error.status, error.message);
 *     else console.error(error);
 *   },
 * });
 * ```
 */
export class ProxyRequestError extends Error {
  /** The HTTP status answered: 400, 405 or 413. */
  readonly status: number;

  /**
   * Creates the error.
   *
   * @param status The HTTP status answered.
   * @param message Why the request was refused.
   */
  constructor(status: number, message: string) {
    super(message);
    this.name = "ProxyRequestError";
    this.status = status;
  }
}
