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

import { type Alarm, cancel, schedule } from "../_alarms.ts";
import { Expired } from "../_deadline.ts";
import {
  type Answer,
  EXCERPT_BYTES,
  type TimedSender,
  type TimedTransport,
  TooLarge,
} from "./types.ts";

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
  rawHeaders: string[];
  on(event: "data", listener: (chunk: Uint8Array) => void): this;
  on(event: "end" | "close", listener: () => void): this;
  on(event: "error", listener: (err: unknown) => void): this;
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
  request(options: RequestOptions & { headers: string[] }): ClientRequest;
}
interface BufferModule {
  Buffer: {
    byteLength(text: string): number;
    concat(chunks: Uint8Array[], length: number): { toString(encoding: "utf8"): string };
    from(
      bytes: ArrayBuffer,
      offset: number,
      length: number,
    ): { toString(encoding: "utf8"): string };
  };
}

/** Where one URL is sent: the module, and the request options apart from the headers. */
interface Target {
  http: HttpModule;
  /** The client's headers object these were built from. */
  headers: Readonly<Record<string, string>>;
  options: Readonly<RequestOptions>;
  /** Host and the client's headers as node:http's flat list (see exchange()). */
  head: readonly string[];
}

/** node:http's options of one request, apart from its headers. */
interface RequestOptions {
  method: "POST";
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  agent: NodeAgent;
}

interface Modules {
  byteLength(text: string): number;
  /** The UTF-8 text of `chunks`, `size` bytes in all. */
  text(chunks: Uint8Array[], size: number): string;
  httpAgent: NodeAgent;
  httpsAgent: NodeAgent;
  /**
   * The target of a URL with a client's headers, built once: a client posts
   * to a dozen URLs at most, always with the same headers object.
   */
  target(url: string, headers: Readonly<Record<string, string>>): Target;
}

/** A TimedSender over node:http(s), and the function that releases its agents. */
export function nodeSender(
  maxBytes: number,
  tls?: AgentTls,
): TimedTransport {
  let modules: Modules | undefined;
  let loading: Promise<Modules> | undefined;
  const load = () =>
    loading ??= Promise.all([
      import("node:http") as Promise<unknown> as Promise<HttpModule>,
      import("node:https") as Promise<unknown> as Promise<HttpModule>,
      import("node:buffer") as Promise<unknown> as Promise<BufferModule>,
    ]).then(([http, https, { Buffer }]) => {
      const httpAgent = new http.Agent({ keepAlive: true });
      const httpsAgent = new https.Agent({ keepAlive: true, ...tls });
      const targets = new Map<string, Target>();
      return modules = {
        byteLength: (text) => Buffer.byteLength(text),
        text: (chunks, size) =>
          chunks.length === 1
            ? Buffer.from(chunks[0]!.buffer as ArrayBuffer, chunks[0]!.byteOffset, size)
              .toString("utf8")
            : Buffer.concat(chunks, size).toString("utf8"),
        httpAgent,
        httpsAgent,
        target(url, headers) {
          let target = targets.get(url);
          if (target?.headers !== headers) {
            const secure = url.startsWith("https:");
            target = {
              http: secure ? https : http,
              headers,
              ...requestParts(url, headers, secure ? httpsAgent : httpAgent),
            };
            targets.set(url, target);
          }
          return target;
        },
      };
    });
  const timed: TimedSender = (url, headers, body, signal, until) =>
    modules
      ? exchange(modules, url, headers, body, signal, until, maxBytes)
      : load().then((m) => exchange(m, url, headers, body, signal, until, maxBytes));
  return {
    timed,
    async close() {
      if (!loading) return;
      const { httpAgent, httpsAgent } = await loading;
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/**
 * node:http's options for a URL, as it would derive them itself on every
 * call, and the request's headers but its length as the flat list node:http
 * also takes: `Host` as node:http would write it (the URL's host: an IPv6
 * literal bracketed, the port unless it is the scheme's), then the client's.
 * The Client allows no credentials in the URL, so there are none here.
 */
function requestParts(
  url: string,
  headers: Readonly<Record<string, string>>,
  agent: NodeAgent,
): Pick<Target, "options" | "head"> {
  const { protocol, host, hostname, port, pathname, search } = new URL(url);
  const head = ["Host", host];
  for (const [name, value] of Object.entries(headers)) head.push(name, value);
  return {
    options: {
      method: "POST",
      protocol,
      // An IPv6 literal is bracketed in a URL, not in a socket address.
      hostname: hostname.startsWith("[") ? hostname.slice(1, -1) : hostname,
      port: port === "" ? undefined : Number(port),
      path: pathname + search,
      agent,
    },
    head,
  };
}

function exchange(
  m: Modules,
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal | undefined,
  until: number,
  maxBytes: number,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    if (performance.now() >= until) return reject(new Expired());
    const { http, options: o, head } = m.target(url, headers);
    // Headers as a list are written as given, checked once: as an object,
    // node:http stores each through setHeader and writes them later, which
    // costs several µs more per request. The list needs the Host header,
    // which node:http adds to an object's itself. A new list and options
    // object per call: a runtime's node:http may read them after this call.
    // The options are written out, not spread: a spread copy made node:http's
    // own handling of them about as slow as the header object was.
    const request = http.request({
      method: o.method,
      protocol: o.protocol,
      hostname: o.hostname,
      port: o.port,
      path: o.path,
      agent: o.agent,
      headers: [...head, "content-length", String(m.byteLength(body))],
    });
    let response: IncomingMessage | undefined;
    let settled = false;
    let alarm: Alarm | undefined;
    // The one way out: the first outcome wins, later events change nothing.
    const finish = (error: unknown, answer?: Answer) => {
      if (settled) return;
      settled = true;
      if (alarm) cancel(alarm);
      signal?.removeEventListener("abort", onAbort);
      if (answer) resolve(answer);
      else reject(error);
    };
    const stop = (error: unknown) => {
      request.destroy();
      response?.destroy();
      finish(error);
    };
    const onAbort = () => stop(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    // An alarm, not an AbortSignal: no controller and no listeners per call.
    // The request in flight keeps the process alive, so the alarm need not.
    if (until !== Infinity) alarm = schedule(until, () => stop(new Expired()), false);
    request.on("error", finish);
    request.on("response", (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      const statusText = res.statusMessage ?? "";
      const whole = status >= 200 && status < 300;
      const chunks: Uint8Array[] = [];
      let size = 0;
      const retryAfter = whole ? undefined : header(res, "retry-after");
      const answer = (): Answer =>
        typeof retryAfter === "string"
          ? { status, statusText, body: m.text(chunks, size), retryAfter }
          : { status, statusText, body: m.text(chunks, size) };
      if (whole && Number(header(res, "content-length")) > maxBytes) {
        return stop(new TooLarge(maxBytes));
      }
      res.on("error", finish);
      res.on("data", (chunk) => {
        size += chunk.byteLength;
        // A success is read up to the client's limit, an error page only as
        // far as the message shows it.
        if (whole && size > maxBytes) return stop(new TooLarge(maxBytes));
        chunks.push(chunk);
        if (!whole && size >= EXCERPT_BYTES) {
          res.destroy();
          finish(undefined, answer());
        }
      });
      res.on("end", () => finish(undefined, answer()));
      // A connection that drops before the end: end never comes. (After the
      // end, close always follows; no error is built for it.)
      res.on("close", () => {
        if (!settled) finish(new Error("the connection closed before the body ended"));
      });
    });
    request.end(body);
  });
}

/**
 * The first value of a response header, from the list node:http received:
 * its `headers` object is built on first use, every header of the answer
 * copied and its name lower-cased, for the one or two this needs.
 */
function header(res: IncomingMessage, name: string): string | undefined {
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}
