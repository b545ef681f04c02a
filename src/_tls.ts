// Picks, per runtime, a fetch that applies one client's TLS settings without
// touching any process-wide switch:
// - Bun: its fetch takes `tls` options per request.
// - Deno with verification on: a Deno.HttpClient with the extra CAs and the
//   client certificate.
// - Deno with verification off, and Node: node:https with a keep-alive agent
//   (Deno.createHttpClient cannot skip verification; Node's fetch takes no CA).
// `Deno` and `Bun` are reached through globalThis so that this module also
// loads where they do not exist.

import type { FetchLike } from "./options.ts";
import { nodeFetch } from "./_node_fetch.ts";

/** A client's TLS settings. */
export interface TlsSettings {
  verify: boolean;
  caCerts?: readonly string[];
  cert?: string;
  key?: string;
}

/** A fetch bound to TLS settings, and how to release what it holds. */
export interface Transport {
  fetch: FetchLike;
  close(): Promise<void>;
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
export function tlsTransport(tls: TlsSettings): Transport {
  const runtime = globalThis as { Bun?: unknown; Deno?: DenoLike };
  if (runtime.Bun !== undefined) {
    const options = {
      rejectUnauthorized: tls.verify,
      ca: tls.caCerts,
      cert: tls.cert,
      key: tls.key,
    };
    return {
      fetch: (input, init) => fetch(input, { ...init, tls: options } as RequestInit),
      close: () => Promise.resolve(),
    };
  }
  if (runtime.Deno?.createHttpClient && tls.verify) {
    const client = runtime.Deno.createHttpClient({
      caCerts: tls.caCerts,
      cert: tls.cert,
      key: tls.key,
    });
    return {
      fetch: (input, init) => fetch(input, { ...init, client } as RequestInit),
      close: () => Promise.resolve(client.close()),
    };
  }
  // node:https is loaded on first use, so runtimes that never need it never load it.
  let agent: ReturnType<typeof nodeFetch> | undefined;
  const load = () =>
    agent ??= nodeFetch({
      rejectUnauthorized: tls.verify,
      ca: tls.caCerts,
      cert: tls.cert,
      key: tls.key,
    });
  return {
    fetch: async (input, init) => await (await load()).fetch(input, init),
    close: async () => {
      if (agent) (await agent).close();
    },
  };
}
