// A fake Centrifugo for what a real one cannot be made to do (a PRO method's
// answer, a v6.10 error field, a temporary failure): it records each request
// and answers it by script. Shared by the tests written after the schema.

/** A request the fake server received. */
export interface Seen {
  path: string;
  headers: Headers;
  body: unknown;
}

/** Answers request number `n` (from 0). */
export type Script = (n: number, seen: Seen) => Response | Promise<Response>;

/** Runs `fn` with the API address of a fake server answering by `script`. */
export async function withFake(
  script: Script,
  fn: (api: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const text = await req.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    const one = { path: new URL(req.url).pathname, headers: req.headers, body };
    seen.push(one);
    return await script(seen.length - 1, one);
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/api`, seen);
  } finally {
    await server.shutdown();
  }
}

/** A JSON answer. */
export const json = (value: unknown, status = 200): Response =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
