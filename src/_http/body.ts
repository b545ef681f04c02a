// Reads the JSON body of a request to a handler facing the network (proxy
// handlers, token endpoints), treating it as hostile: only POST, a bounded
// size checked as bytes arrive (a body past the limit is never read whole),
// strict UTF-8 and JSON. Every refusal is a short 4xx that says nothing of the
// handler's internals.

/** A body read, or the response refusing it. */
export type BodyRead = { ok: true; value: unknown } | { ok: false; response: Response };

/** A plain-text response with no detail beyond the status's own words. */
export function plain(status: number, text: string, headers: HeadersInit = {}): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** The refusal of a body larger than the limit. */
const tooLarge = () => plain(413, "request body too large");

/**
 * The parsed JSON body of a POST `request` of at most `maxBytes` bytes, or
 * the response to send instead: 405 for another method, 413 past the limit,
 * 400 for anything that is not UTF-8 JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyRead> {
  if (request.method !== "POST") {
    await request.body?.cancel().catch(() => {});
    return { ok: false, response: plain(405, "method not allowed", { allow: "POST" }) };
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && !(Number(declared) <= maxBytes)) {
    await request.body?.cancel().catch(() => {});
    return { ok: false, response: tooLarge() };
  }
  const bytes = await readBounded(request.body, maxBytes);
  if (bytes === "too large") return { ok: false, response: tooLarge() };
  if (bytes === "broken") return { ok: false, response: plain(400, "bad request") };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, response: plain(400, "bad request") };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: plain(400, "bad request") };
  }
}

/** The bytes of `body`, or why they could not be had. */
async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array | "too large" | "broken"> {
  if (body === null) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return "too large";
      }
      chunks.push(value);
    }
  } catch {
    return "broken";
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
