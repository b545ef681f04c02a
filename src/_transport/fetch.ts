// A Sender over a fetch function: the runtime's own on Deno and Bun, the
// caller's `fetch` option anywhere.

import type { FetchLike } from "../options.ts";
import { EXCERPT_BYTES, type Sender } from "./types.ts";

/** A Sender over `fetch`. */
export function fetchSender(fetch: FetchLike): Sender {
  return async (url, headers, body, signal) => {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      signal,
      redirect: "manual",
    });
    const { status, statusText } = response;
    const text = status >= 200 && status < 300
      ? await response.text()
      : await readExcerpt(response);
    return { status, statusText, body: text };
  };
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
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes.subarray(0, EXCERPT_BYTES));
}
