// A Sender over a fetch function: the runtime's own on Deno and Bun, the
// caller's `fetch` option anywhere.

import type { FetchLike } from "../options.ts";
import { joinChunks, readUpTo } from "../_http/body.ts";
import { type Answer, EXCERPT_BYTES, type Sender, TooLarge } from "./types.ts";

const decoder = new TextDecoder();

/** The request every fetch transport makes: a redirect is an answer, never followed. */
export function postInit(
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal | undefined,
): RequestInit {
  return { method: "POST", headers, body, signal, redirect: "manual" };
}

/**
 * The text of a 2xx answer that declares a length of at most `maxBytes`
 * (every answer of Centrifugo's), read the runtime's fastest way; undefined
 * for any other answer, which readAnswer() reads.
 */
export function wholeText(response: Response, maxBytes: number): Promise<string> | undefined {
  const { status } = response;
  if (status < 200 || status >= 300) return undefined;
  const declared = response.headers.get("content-length");
  return declared !== null && Number(declared) <= maxBytes ? response.text() : undefined;
}

/**
 * The answer of `response` that wholeText() left: a 2xx body without a
 * declared length or over `maxBytes`, or the start of another's body.
 */
export async function readAnswer(response: Response, maxBytes: number): Promise<Answer> {
  const { status, statusText } = response;
  if (status >= 200 && status < 300) {
    const declared = response.headers.get("content-length");
    return { status, statusText, body: await readBounded(response, declared, maxBytes) };
  }
  const retryAfter = response.headers.get("retry-after") ?? undefined;
  const text = await readExcerpt(response);
  return retryAfter === undefined
    ? { status, statusText, body: text }
    : { status, statusText, body: text, retryAfter };
}

/** A Sender over `fetch` reading at most `maxBytes` of a 2xx body. */
export function fetchSender(fetch: FetchLike, maxBytes: number): Sender {
  return async (url, headers, body, signal) => {
    const response = await fetch(url, postInit(headers, body, signal));
    // Centrifugo declares the length: the common case reads the text without another frame.
    const whole = wholeText(response, maxBytes);
    return whole === undefined
      ? await readAnswer(response, maxBytes)
      // As the request path reads it: a 2xx status text is in no error, so it is not read.
      : { status: response.status, statusText: "", body: await whole };
  };
}

/**
 * The body of `response`, refused past `maxBytes`. With a Content-Length the
 * runtime reads exactly that much, natively; without one (chunked), the
 * bytes are counted as they arrive and the rest is never read.
 */
async function readBounded(
  response: Response,
  declared: string | null,
  maxBytes: number,
): Promise<string> {
  if (declared !== null) {
    if (Number(declared) > maxBytes) {
      await response.body?.cancel().catch(() => {});
      throw new TooLarge(maxBytes);
    }
    return await response.text();
  }
  if (!response.body) return "";
  const bytes = await readUpTo(response.body, maxBytes);
  if (bytes === undefined) throw new TooLarge(maxBytes);
  return decoder.decode(bytes);
}

/** Reads at most EXCERPT_BYTES of the body, then cancels the rest. */
async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // The body is only decoration for the status error; a broken one is not worse news.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return decoder.decode(joinChunks(chunks, size).subarray(0, EXCERPT_BYTES));
}
