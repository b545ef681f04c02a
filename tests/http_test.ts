// The HTTP plumbing of the handlers facing the network: the bounded JSON body
// reader (hostile bodies get a short 4xx, a huge one is not read whole) and
// the node:http adapter, run here under Deno's node:http (the cross-runtime
// suite runs it on Node and Bun).

import assert from "node:assert/strict";
import http from "node:http";
import { toNodeHandler } from "@aiocent/aiocent/node";
import { readJsonBody } from "../src/_http/body.ts";

const post = (body: BodyInit | null, headers: HeadersInit = {}) =>
  new Request("http://x/", { method: "POST", body, headers });

Deno.test("readJsonBody: only POSTed UTF-8 JSON within the limit", async (t) => {
  await t.step("a JSON body is parsed", async () => {
    const read = await readJsonBody(post('{"a":[1,"é"]}'), 100);
    assert.deepEqual(read, { ok: true, value: { a: [1, "é"] } });
  });
  for (
    const [name, request, status] of [
      ["GET", new Request("http://x/"), 405],
      ["invalid JSON", post("{"), 400],
      ["an empty body", post(null), 400],
      ["invalid UTF-8", post(new Uint8Array([0x7b, 0xff, 0x7d])), 400],
      ["a declared length over the limit", post("{}", { "content-length": "1000" }), 413],
    ] as const
  ) {
    await t.step(`${name}: ${status}`, async () => {
      const read = await readJsonBody(request, 100);
      assert.ok(!read.ok);
      assert.equal(read.response.status, status);
      const text = await read.response.text();
      assert.ok(text.length < 40, text);
      if (status === 405) assert.equal(read.response.headers.get("allow"), "POST");
    });
  }
  await t.step("with a declared length (read in one go) as without (streamed)", async () => {
    const bytes = (text: string) => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
    const declared = (body: Uint8Array<ArrayBuffer>) =>
      post(body, { "content-length": String(body.byteLength) });
    // U+FFFD itself is UTF-8; a byte that is not is refused either way.
    const replacement = bytes('{"a":"\uFFFD é"}');
    for (const request of [declared(replacement), post(replacement)]) {
      assert.deepEqual(await readJsonBody(request, 100), { ok: true, value: { a: "\uFFFD é" } });
    }
    const invalid = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d]);
    for (const request of [declared(invalid), post(invalid)]) {
      const read = await readJsonBody(request, 100);
      assert.ok(!read.ok);
      assert.equal(read.response.status, 400);
      await read.response.body?.cancel();
    }
    const read = await readJsonBody(declared(bytes('{"n":[1,2]}')), 100);
    assert.deepEqual(read, { ok: true, value: { n: [1, 2] } });
  });

  await t.step("a never-ending stream stops at the limit, read no further", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024).fill(0x20));
      },
    });
    const read = await readJsonBody(post(endless), 64 * 1024);
    assert.ok(!read.ok);
    assert.equal(read.response.status, 413);
    assert.ok(pulled <= 66, `read ${pulled} chunks of 1 KiB for a 64 KiB limit`);
  });
});

/** Serves `listener` with node:http on a free port while `fn` runs. */
async function withNodeServer(
  listener: http.RequestListener,
  fn: (origin: string) => Promise<void>,
): Promise<void> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

Deno.test("toNodeHandler: a Web handler under node:http", async (t) => {
  await t.step("method, URL, headers and a streamed body reach the handler", async () => {
    let seen: Record<string, unknown> = {};
    const handler = toNodeHandler(async (request) => {
      seen = {
        method: request.method,
        url: request.url,
        cookie: request.headers.get("cookie"),
        body: await request.text(),
      };
      const headers = new Headers({ "x-one": "1" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response("answered", { status: 201, headers });
    });
    await withNodeServer(handler as http.RequestListener, async (origin) => {
      const res = await fetch(`${origin}/path?q=1`, {
        method: "POST",
        headers: { cookie: "session=abc" },
        body: "x".repeat(100_000),
      });
      assert.equal(res.status, 201);
      assert.equal(await res.text(), "answered");
      assert.equal(res.headers.get("x-one"), "1");
      assert.deepEqual(res.headers.getSetCookie(), ["a=1", "b=2"]);
    });
    assert.equal(seen.method, "POST");
    assert.match(String(seen.url), /^http:\/\/127\.0\.0\.1:\d+\/path\?q=1$/);
    assert.equal(seen.cookie, "session=abc");
    assert.equal(seen.body, "x".repeat(100_000));
  });

  await t.step("a body a parser already read (Express's express.json()) is used", async () => {
    let body: unknown;
    const handler = toNodeHandler(async (request) => {
      body = await request.json();
      return new Response(null, { status: 204 });
    });
    const listener: http.RequestListener = (req, res) => {
      // What express.json() leaves behind: the stream read, the value parsed.
      let text = "";
      req.on("data", (c) => text += c);
      req.on("end", () => {
        (req as unknown as { body: unknown }).body = JSON.parse(text);
        handler(req as never, res as never);
      });
    };
    await withNodeServer(listener, async (origin) => {
      const res = await fetch(origin, { method: "POST", body: '{"user":"alice"}' });
      assert.equal(res.status, 204);
      await res.body?.cancel();
    });
    assert.deepEqual(body, { user: "alice" });
  });

  await t.step("a handler that refuses the body still answers: 413, or cancelled", async () => {
    const handler = toNodeHandler(async (request) => {
      if (new URL(request.url).pathname === "/cancel") {
        await request.body?.cancel();
        return new Response("not read", { status: 202 });
      }
      const read = await readJsonBody(request, 1000);
      return read.ok ? new Response("read") : read.response;
    });
    await withNodeServer(handler as http.RequestListener, async (origin) => {
      const big = await fetch(origin, { method: "POST", body: "x".repeat(100_000) });
      assert.equal(big.status, 413);
      assert.equal(await big.text(), "request body too large\n");
      for (const body of [undefined, "{}", "x".repeat(100_000)]) {
        const res = await fetch(`${origin}/cancel`, { method: "POST", body });
        assert.equal(res.status, 202);
        assert.equal(await res.text(), "not read");
      }
      // A connection whose body was all received stays usable.
      const after = await fetch(origin, { method: "POST", body: "{}" });
      assert.equal(await after.text(), "read");
    });
  });

  await t.step("a body over the limit: the answer arrives, the rest is never read", async () => {
    // Raw HTTP/1.1 over TCP: a client that announces (or streams) far more
    // than the handler takes, sends a little, and waits. The server answers
    // 413 and closes the connection without waiting for the rest.
    const handler = toNodeHandler(async (request) => {
      const read = await readJsonBody(request, 1024);
      return read.ok ? Response.json(read.value) : read.response;
    });
    await withNodeServer(handler as http.RequestListener, async (origin) => {
      const { port } = new URL(origin);
      for (
        const framing of [
          "Content-Length: 50000000\r\n",
          "Transfer-Encoding: chunked\r\n",
        ]
      ) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
        const body = framing.startsWith("Content")
          ? "x".repeat(64 * 1024)
          : `10000\r\n${"x".repeat(0x10000)}\r\n`;
        await conn.write(
          new TextEncoder().encode(`POST / HTTP/1.1\r\nHost: x\r\n${framing}\r\n${body}`),
        );
        let text = "";
        const timer = setTimeout(() => conn.close(), 5000);
        try {
          for await (const chunk of conn.readable) text += new TextDecoder().decode(chunk);
        } catch {
          // A reset after the answer is fine: the answer is what counts.
        } finally {
          clearTimeout(timer);
        }
        assert.match(text, /^HTTP\/1\.1 413 /, framing);
        assert.match(text, /\r\nconnection: close\r\n/i, framing);
      }
    });
  });

  await t.step("a handler that throws: a 500 that says nothing of why", async () => {
    const handler = toNodeHandler(() => Promise.reject(new Error("secret detail")));
    await withNodeServer(handler as http.RequestListener, async (origin) => {
      const res = await fetch(origin, { method: "POST", body: "{}" });
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.ok(!text.includes("secret"), text);
    });
  });
});
