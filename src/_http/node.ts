// Runs a Web-standard handler (`(request) => Promise<Response>`) under
// node:http: the incoming message becomes a Request (its body streamed, with
// a signal that aborts when the client goes away), the Response is written
// back. Node's types are described locally so that the declarations JSR
// emits need no @types/node, and nothing here imports a node: module, so the
// module loads on every runtime.

/**
 * The part of node:http's `IncomingMessage` the adapter reads (an Express
 * request is one too).
 *
 * @example A node:http request is one
 * ```ts no-run
 * import type { IncomingMessage } from "node:http";
 * import type { NodeRequest } from "@aiocent/aiocent/node";
 *
 * const accept = (req: IncomingMessage): NodeRequest => req;
 * ```
 */
export interface NodeRequest {
  /** The HTTP method. */
  method?: string;
  /** The path and query. */
  url?: string;
  /** The request headers, lower-cased. */
  headers: Record<string, string | string[] | undefined>;
  /** The connection: a TLS socket has `encrypted: true`. */
  socket?: object;
  /** Set by body parsers (Express's `express.json()`, …) that already read the stream. */
  body?: unknown;
  /** True once the body stream has been read to its end. */
  readableEnded?: boolean;
  /** The body, chunk by chunk. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array | string>;
  /** Closes the request's stream. */
  destroy?(error?: unknown): void;
}

/**
 * The part of node:http's `ServerResponse` the adapter writes (an Express
 * response is one too).
 *
 * @example A node:http response is one
 * ```ts no-run
 * import type { ServerResponse } from "node:http";
 * import type { NodeResponse } from "@aiocent/aiocent/node";
 *
 * const accept = (res: ServerResponse): NodeResponse => res;
 * ```
 */
export interface NodeResponse {
  /** True once the status line and headers were sent. */
  headersSent?: boolean;
  /** True once `end()` was called. */
  writableEnded?: boolean;
  /** Sends the status and headers. */
  writeHead(status: number, headers: Record<string, string | string[]>): unknown;
  /** Sends part of the body. */
  write(chunk: Uint8Array): unknown;
  /** Ends the response. */
  end(chunk?: Uint8Array): unknown;
  /** Listens for the connection closing. */
  on(event: "close" | "finish", listener: () => void): unknown;
  /** Drops the connection. */
  destroy?(error?: unknown): void;
}

/**
 * A Web-standard request handler, as `Deno.serve`, `Bun.serve`, Hono and
 * Cloudflare Workers take it.
 *
 * @example A handler
 * ```ts
 * import type { WebHandler } from "@aiocent/aiocent/node";
 *
 * const hello: WebHandler = () => Promise.resolve(new Response("hello"));
 * ```
 */
export type WebHandler = (request: Request) => Promise<Response>;

const encoder = new TextEncoder();

/** The body a body parser has already read, as bytes, if it did. */
function parsedBody(req: NodeRequest): Uint8Array<ArrayBuffer> | undefined {
  const body = req.body;
  if (body === undefined || req.readableEnded === false) return undefined;
  if (body instanceof Uint8Array) return new Uint8Array(body);
  if (typeof body === "string") return encoder.encode(body);
  // express.json() gives the parsed value: the handler reads it again as JSON.
  return encoder.encode(JSON.stringify(body));
}

/** A Request made from an incoming message, and whether part of its body is still unread. */
interface Incoming {
  request: Request;
  unread(): boolean;
}

function toRequest(req: NodeRequest, signal: AbortSignal): Incoming {
  let unread = false;
  const method = req.method ?? "GET";
  const host = typeof req.headers.host === "string" ? req.headers.host : "localhost";
  const tls = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const url = new URL(req.url ?? "/", `${tls ? "https" : "http"}://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const init: RequestInit & { duplex?: "half" } = { method, headers, signal };
  if (method !== "GET" && method !== "HEAD") {
    const parsed = parsedBody(req);
    if (parsed) {
      init.body = parsed;
      headers.delete("content-length");
    } else {
      unread = req.readableEnded !== true;
      const chunks = req[Symbol.asyncIterator]();
      init.body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value, done } = await chunks.next();
          if (done) {
            unread = false;
            controller.close();
          } else controller.enqueue(typeof value === "string" ? encoder.encode(value) : value);
        },
        // A handler that stops reading (a body over its limit) still answers:
        // the rest is left unread and the connection closed after the
        // response (see toNodeHandler), never drained.
        cancel() {},
      });
      init.duplex = "half";
    }
  }
  return { request: new Request(url, init), unread: () => unread };
}

async function write(res: NodeResponse, response: Response, close: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  if (close) headers.connection = "close";
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      res.write(chunk);
    }
  }
  res.end();
}

/**
 * Adapts a Web-standard handler to node:http's `(req, res)`: the incoming
 * message becomes a `Request` (its body streamed, or taken from a body
 * parser that already read it, with a `signal` that aborts when the client
 * goes away), and the `Response` is written back, cookies included.
 *
 * @example Serve a handler with node:http
 * ```ts no-run
 * import http from "node:http";
 * import { toNodeHandler } from "@aiocent/aiocent/node";
 *
 * const hello = () => Promise.resolve(Response.json({ hello: "world" }));
 * http.createServer(toNodeHandler(hello)).listen(3000);
 * ```
 *
 * @param handler The handler.
 * @returns A listener for `http.createServer`, an Express route or
 *   `server.on("request")`.
 */
export function toNodeHandler(handler: WebHandler): (req: NodeRequest, res: NodeResponse) => void {
  return (req, res) => {
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableEnded) controller.abort(new Error("the client closed the connection"));
    });
    (async () => {
      let response: Response;
      const incoming = toRequest(req, controller.signal);
      try {
        response = await handler(incoming.request);
      } catch {
        // Handlers answer every failure themselves; this is a last resort
        // that never shows what went wrong.
        response = new Response("internal server error\n", {
          status: 500,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      }
      // The unread rest of a body is never drained: the response says
      // `connection: close`, and the socket goes once it is sent.
      const unread = incoming.unread();
      if (unread) {
        res.on("finish", () => (req.socket as { destroy?(): void } | undefined)?.destroy?.());
      }
      await write(res, response, unread);
    })().catch((err) => {
      if (!res.headersSent) {
        try {
          res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
          res.end(encoder.encode("internal server error\n"));
          return;
        } catch {
          // Fall through: the socket is gone.
        }
      }
      res.destroy?.(err);
    });
  };
}
