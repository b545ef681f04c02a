// Picks, per runtime, a fetch that applies one client's TLS settings without
// touching any process-wide switch:
// - Bun: its fetch takes `tls` options per request.
// - Deno with verification on: a Deno.HttpClient with the extra CAs and the
//   client certificate.
// - Deno with verification off, and Node: node:https with a keep-alive agent
//   (Deno.createHttpClient cannot skip verification; Node's fetch takes no CA).
// `Deno` and `Bun` are reached through globalThis so that this module also
// loads where they do not exist.

import type { FetchLike } from "../options.ts";
import { fetchSender } from "./fetch.ts";
import { nodeSender } from "./node.ts";
import type { CustomTransport, FetchTransport, Transport } from "./types.ts";

/** A client's TLS settings. */
export interface TlsSettings {
  verify: boolean;
  caCerts?: readonly string[];
  cert?: string;
  key?: string;
}

interface DenoHttpClient {
  close(): void;
}
interface DenoLike {
  createHttpClient(
    options: { caCerts?: readonly string[]; cert?: string; key?: string },
  ): DenoHttpClient;
}

/** Builds the transport for `tls` on the runtime this code runs on. */
export function tlsTransport(tls: TlsSettings, maxBytes: number): Transport {
  const runtime = globalThis as { Bun?: unknown; Deno?: DenoLike };
  if (runtime.Bun !== undefined) {
    const options = {
      rejectUnauthorized: tls.verify,
      ca: tls.caCerts,
      cert: tls.cert,
      key: tls.key,
    };
    return nativeTransport(
      (input, init) => fetch(input, { ...init, tls: options } as RequestInit),
      maxBytes,
      true,
    );
  }
  if (runtime.Deno?.createHttpClient && tls.verify) {
    const client = runtime.Deno.createHttpClient({
      caCerts: tls.caCerts,
      cert: tls.cert,
      key: tls.key,
    });
    return nativeTransport(
      (input, init) => fetch(input, { ...init, client } as RequestInit),
      maxBytes,
      false,
      () => client.close(),
    );
  }
  return nodeSender(maxBytes, {
    rejectUnauthorized: tls.verify,
    ca: tls.caCerts,
    cert: tls.cert,
    key: tls.key,
  });
}

/**
 * The transport of a client without TLS settings or a custom fetch: the
 * runtime's fetch on Deno and Bun, node:http with keep-alive agents on Node
 * (its fetch costs about three times as much per request).
 */
export function defaultTransport(maxBytes: number): Transport {
  const runtime = globalThis as {
    Bun?: unknown;
    Deno?: unknown;
    process?: { versions?: { node?: string } };
  };
  if (runtime.Deno === undefined && runtime.Bun === undefined && runtime.process?.versions?.node) {
    return nodeSender(maxBytes);
  }
  return nativeTransport(globalThis.fetch.bind(globalThis), maxBytes, runtime.Bun !== undefined);
}

/** A transport over the runtime's own fetch (`fetch` applies its settings). */
function nativeTransport(
  fetch: FetchLike,
  maxBytes: number,
  shareSignals: boolean,
  close = () => {},
): FetchTransport {
  return { fetch, maxBytes, shareSignals, close: () => Promise.resolve(close()) };
}

/**
 * The transport over the caller's `fetch`: it may ignore the signal, so the
 * request path races it against the deadline.
 */
export function customTransport(fetch: FetchLike, maxBytes: number): CustomTransport {
  return { send: fetchSender(fetch, maxBytes), close: () => Promise.resolve() };
}
