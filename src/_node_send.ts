// Sends requests over `node:http`/`node:https` with keep-alive agents, one
// pair per client. It is the transport on Node, where it is about three times
// cheaper than Node's fetch (undici) for these small requests, and wherever
// TLS settings must be applied per client that the runtime's fetch cannot
// take (Deno cannot skip verification; Node's fetch takes no CA or client
// certificate). It keeps fetch's contract where the request path relies on it:
// redirects are answers, not followed; `signal` aborts the request and the
// body read.
//
// Node's types are described locally (not imported from `node:*`) so that the
// declarations JSR emits for Node users need no @types/node, and the modules
// are imported on first use, so runtimes that never need them never load them.

import type { Answer, Sender } from "./_transport.ts";

/** TLS settings of the https agent. */
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
  setEncoding(encoding: "utf8"): void;
  on(event: "data", listener: (chunk: string) => void): this;
  on(event: "end" | "close", listener: () => void): this;
  on(event: "error", listener: (err: unknown) => void): this;
  destroy(error?: unknown): void;
}
interface ClientRequest {
  on(event: "response", listener: (res: IncomingMessage) => void): this;
  on(event: "error", listener: (err: unknown) => void): this;
  destroy(error?: unknown): void;
  end(body?: Uint8Array): void;
}
interface HttpModule {
  Agent: new (options: Record<string, unknown>) => NodeAgent;
  request(url: string, options: Record<string, unknown>): ClientRequest;
}
interface Modules {
  http: HttpModule;
  https: HttpModule;
  httpAgent: NodeAgent;
  httpsAgent: NodeAgent;
}

/** Bytes of a non-2xx body kept for the error message; the rest is not read. */
const EXCERPT_BYTES = 512;
const encoder = new TextEncoder();

/** A Sender over node:http(s), and the function that releases its agents. */
export function nodeSender(tls?: AgentTls): { send: Sender; close(): Promise<void> } {
  let modules: Modules | undefined;
  let loading: Promise<Modules> | undefined;
  const load = () =>
    loading ??= Promise.all([
      import("node:http") as Promise<unknown> as Promise<HttpModule>,
      import("node:https") as Promise<unknown> as Promise<HttpModule>,
    ]).then(([http, https]) =>
      modules = {
        http,
        https,
        httpAgent: new http.Agent({ keepAlive: true }),
        httpsAgent: new https.Agent({ keepAlive: true, ...tls }),
      }
    );
  return {
    send: (url, headers, body, signal) =>
      modules
        ? exchange(modules, url, headers, body, signal)
        : load().then((m) => exchange(m, url, headers, body, signal)),
    async close() {
      if (!loading) return;
      const { httpAgent, httpsAgent } = await loading;
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function exchange(
  m: Modules,
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal | undefined,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const bytes = encoder.encode(body);
    const secure = url.startsWith("https:");
    const request = (secure ? m.https : m.http).request(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(bytes.length) },
      agent: secure ? m.httpsAgent : m.httpAgent,
    });
    let response: IncomingMessage | undefined;
    const onAbort = () => {
      request.destroy();
      response?.destroy();
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);
    const fail = (err: unknown) => {
      done();
      reject(err);
    };
    request.on("error", fail);
    request.on("response", (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      const statusText = res.statusMessage ?? "";
      const whole = status >= 200 && status < 300;
      let text = "";
      res.setEncoding("utf8");
      res.on("error", fail);
      res.on("data", (chunk) => {
        text += chunk;
        // An error page is only read as far as the message shows it.
        if (!whole && text.length >= EXCERPT_BYTES) {
          res.destroy();
          done();
          resolve({ status, statusText, body: text });
        }
      });
      res.on("end", () => {
        done();
        resolve({ status, statusText, body: text });
      });
      // A connection that drops before the end: end never comes.
      res.on("close", () => fail(new Error("the connection closed before the body ended")));
    });
    request.end(bytes);
  });
}
