// A fetch over `node:http`/`node:https` with one keep-alive agent per client:
// the transport for TLS settings that the runtime's fetch cannot take per
// client (Deno's fetch has no way to skip verification; Node's fetch takes no
// CA or client certificate). It keeps fetch's contract where the request path
// relies on it: redirects are returned, not followed; `signal` aborts the
// request and the body read; the body is a web ReadableStream.
//
// Node's types are described locally (not imported from `node:*`) so that the
// declarations JSR emits for Node users need no @types/node.

import type { FetchLike } from "./options.ts";

/** TLS settings of the agent. */
export interface AgentTls {
  rejectUnauthorized: boolean;
  ca?: readonly string[];
  cert?: string;
  key?: string;
}

interface NodeAgent {
  destroy(): void;
}
interface IncomingMessage {
  statusCode?: number;
  statusMessage?: string;
  headers: Record<string, string | string[] | undefined>;
  destroy(error?: unknown): void;
}
interface ClientRequest {
  on(event: "response", listener: (res: IncomingMessage) => void): this;
  on(event: "error", listener: (err: unknown) => void): this;
  destroy(error?: unknown): void;
  end(body?: string): void;
}
interface HttpModule {
  Agent: new (options: Record<string, unknown>) => NodeAgent;
  request(url: URL, options: Record<string, unknown>): ClientRequest;
}
interface StreamModule {
  Readable: { toWeb(stream: IncomingMessage): ReadableStream<Uint8Array> };
}

/** Statuses whose responses have no body (the Response constructor rejects one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** A fetch over node:http(s) and the function that releases its agents. */
export async function nodeFetch(tls: AgentTls): Promise<{ fetch: FetchLike; close(): void }> {
  const [https, http, stream] = await Promise.all([
    import("node:https") as Promise<unknown> as Promise<HttpModule>,
    import("node:http") as Promise<unknown> as Promise<HttpModule>,
    import("node:stream") as Promise<unknown> as Promise<StreamModule>,
  ]);
  const httpsAgent = new https.Agent({ keepAlive: true, ...tls });
  const httpAgent = new http.Agent({ keepAlive: true });

  const fetch: FetchLike = (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(String(input));
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const secure = url.protocol === "https:";
      const request = (secure ? https : http).request(url, {
        method: init.method ?? "GET",
        headers: Object.fromEntries(new Headers(init.headers)),
        agent: secure ? httpsAgent : httpAgent,
      });
      let response: IncomingMessage | undefined;
      const onAbort = () => {
        // Ends the request, or the body stream once the response has started.
        request.destroy(signal?.reason);
        response?.destroy(signal?.reason);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      request.on("error", (err) => {
        signal?.removeEventListener("abort", onAbort);
        reject(err);
      });
      request.on("response", (res) => {
        response = res;
        const status = res.statusCode ?? 0;
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const item of Array.isArray(value) ? value : value ? [value] : []) {
            headers.append(name, item);
          }
        }
        const body = NULL_BODY.has(status) ? null : stream.Readable.toWeb(res);
        if (!body) res.destroy();
        const done = () => signal?.removeEventListener("abort", onAbort);
        resolve(
          new Response(body && withCleanup(body, done), {
            status,
            statusText: res.statusMessage ?? "",
            headers,
          }),
        );
        if (!body) done();
      });
      request.end(typeof init.body === "string" ? init.body : undefined);
    });

  return {
    fetch,
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

/** Runs `done` once the body has been read to the end, has failed or was cancelled. */
function withCleanup(body: ReadableStream<Uint8Array>, done: () => void) {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          done();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        done();
        controller.error(err);
      }
    },
    async cancel(reason) {
      done();
      await reader.cancel(reason);
    },
  });
}
