// The one handler all proxy types share: read the body as hostile (POST only,
// bounded, JSON), check and complete it as the type's request, call the
// application's function, and answer with exactly what the type can carry.
// Anything else is HTTP 500 with a body that says nothing, reported to
// onError: Centrifugo then answers the client with its own "internal server
// error" (code 100), and for refresh and sub_refresh asks again later.

import { PROXIES } from "../_generated/proxy_table.ts";
import type { ProxyType, ProxyTypes } from "../_generated/proxy.ts";
import { plain, readJsonBody } from "../_http/body.ts";
import { answerResponse, decodeRequest, encodeAnswer } from "./_wire.ts";
import { ProxyAnswerError, ProxyDisconnect, ProxyError, ProxyRequestError } from "./errors.ts";
import type {
  ProxyErrorContext,
  ProxyFunction,
  ProxyHandler,
  ProxyHandlerOptions,
} from "./types.ts";

const DEFAULT_MAX_BODY_BYTES = 1 << 20;

function defaultOnError(error: unknown, context: ProxyErrorContext): void {
  const what = `aiocent: ${context.proxy} proxy answered HTTP ${context.status}:`;
  // A refused request is one line; a failure gets its stack (and cause).
  if (error instanceof ProxyRequestError) console.warn(what, error.message);
  else console.error(what, error);
}

/** Why readJsonBody refused a request, for onError. */
function refusal(status: number, request: Request, maxBytes: number): ProxyRequestError {
  switch (status) {
    case 405:
      return new ProxyRequestError(405, `a ${request.method} request: proxies take POST`);
    case 413:
      return new ProxyRequestError(413, `a body over maxBodyBytes (${maxBytes} bytes)`);
    default:
      return new ProxyRequestError(status, "a body that is not UTF-8 JSON");
  }
}

/** The handler of proxy type `type` around `fn`; throws a TypeError for bad arguments. */
export function makeHandler<T extends ProxyType>(
  type: T,
  fn: ProxyFunction<T>,
  options: ProxyHandlerOptions = {},
): ProxyHandler {
  const what = `${type} proxy handler`;
  if (typeof fn !== "function") throw new TypeError(`${what}: the function must be a function`);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${what}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "onError" && key !== "maxBodyBytes") {
      throw new TypeError(`${what}: unknown option ${key}; known options: onError, maxBodyBytes`);
    }
  }
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new TypeError(`${what}: maxBodyBytes must be a positive integer`);
  }
  const onError = options.onError ?? defaultOnError;
  if (typeof onError !== "function") throw new TypeError(`${what}: onError must be a function`);
  const spec = PROXIES[type];
  const report = (error: unknown, status: number, request: Request) => {
    try {
      onError(error, { proxy: type, status, request });
    } catch {
      // A failing reporter must not change the answer.
    }
  };
  const failed = (error: unknown, request: Request) => {
    report(error, 500, request);
    return plain(500, "internal server error");
  };

  return async (request) => {
    // Centrifugo forwards clients' raw JSON unchecked, and its own encoder turns bytes that
    // are not UTF-8 into U+FFFD: so do the handlers, reading bodies the fastest way.
    const read = await readJsonBody(request, maxBytes, { utf8: "replace" });
    if (!read.ok) {
      report(refusal(read.response.status, request, maxBytes), read.response.status, request);
      return read.response;
    }
    const body = read.value;
    const problem = decodeRequest(spec.request, body);
    if (problem) {
      report(new ProxyRequestError(400, `not a ${spec.request}: ${problem}`), 400, request);
      return plain(400, `bad request: ${problem}`);
    }
    let answer: unknown;
    try {
      answer = fn(body as ProxyTypes[T]["request"], request);
      // A function that answers at once costs no extra turn of the event loop.
      if (typeof (answer as PromiseLike<unknown> | undefined)?.then === "function") {
        answer = await answer;
      }
    } catch (err) {
      // A thrown rejection is an answer; anything else is a failure.
      if (!(err instanceof ProxyError || err instanceof ProxyDisconnect)) {
        return failed(err, request);
      }
      answer = err;
    }
    try {
      return answerResponse(spec, encodeAnswer(spec, answer));
    } catch (err) {
      return failed(
        err instanceof ProxyAnswerError ? err : new ProxyAnswerError(String(err)),
        request,
      );
    }
  };
}
