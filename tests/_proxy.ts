// A TCP pass-through proxy that counts the connections it accepts: it shows
// whether a client reuses one keep-alive connection (TLS passes through).

/** A running proxy. */
export interface CountingProxy {
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 that forwards every connection to `targetPort`. */
export function startCountingProxy(targetPort: number): CountingProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const open = new Set<Deno.Conn>();
  const pipes: Promise<unknown>[] = [];
  const serving = (async () => {
    for await (const inbound of listener) {
      accepted++;
      const outbound = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      open.add(inbound);
      open.add(outbound);
      const pipe = (from: Deno.Conn, to: Deno.Conn) =>
        from.readable.pipeTo(to.writable).catch(() => {}).finally(() => {
          for (const conn of [from, to]) {
            if (open.delete(conn)) {
              try {
                conn.close();
              } catch {
                // Closed by the other direction already.
              }
            }
          }
        });
      pipes.push(pipe(inbound, outbound), pipe(outbound, inbound));
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    connections: () => accepted,
    async close() {
      listener.close();
      await serving;
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      open.clear();
      await Promise.all(pipes);
    },
  };
}
