// A Sender over a fetch function: the runtime's own on Deno and Bun, the
// caller's `fetch` option anywhere.

import type { FetchLike } from "../options.ts";
import { joinChunks, readUpTo } from "../_http/body.ts";
import { EXCERPT_BYTES, type Sender, TooLarge } from "./types.ts";

const decoder = new TextDecoder();

/** A Sender over `fetch` reading at most `maxBytes` of a 2xx body. */
export function fetchSender(fetch: FetchLike, maxBytes: number): Sender {
  return async (url, headers, body, signal) => {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      signal,
      redirect: "manual",
    });
    const { status, statusText } = response;
    if (status >= 200 && status < 300) {
      // Centrifugo declares the length: the common case reads the text without another frame.
      const declared = response.headers.get("content-length");
      const text = declared !== null && Number(declared) <= maxBytes
        ? await response.text()
        : await readBounded(response, declared, maxBytes);
      return { status, statusText, body: text };
    }
    const retryAfter = response.headers.get("retry-after") ?? undefined;
    const text = await readExcerpt(response);
    return retryAfter === undefined
      ? { status, statusText, body: text }
      : { status, statusText, body: text, retryAfter };
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
