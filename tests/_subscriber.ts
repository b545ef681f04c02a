// A real WebSocket client of Centrifugo (the official `centrifuge` SDK) that
// records what reaches it, so tests can check effects only a connected client
// sees: deliveries, presence, server-side subscribe/unsubscribe, disconnects.

import { Centrifuge, type Subscription } from "centrifuge";
import { HMAC_SECRET } from "./_centrifugo.ts";
import { hmacSha256 } from "./_keys.ts";

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array | string): string {
  const raw = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/** An HS256 connection JWT for `user`, signed with the test server's secret. */
export async function connectionToken(
  user: string,
  claims: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const head = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = base64url(JSON.stringify({ sub: user, iat: now, exp: now + 3600, ...claims }));
  return `${head}.${body}.${base64url(await hmacSha256(HMAC_SECRET, `${head}.${body}`))}`;
}

/** Something that happened to the client, in arrival order. */
export type Event =
  | { type: "publication"; channel: string; data: unknown; tags?: Record<string, string> }
  | { type: "subscribed"; channel: string; data?: unknown }
  | { type: "unsubscribed"; channel: string }
  | { type: "disconnected"; code: number; reason: string }
  | { type: "connecting"; code: number; reason: string };

/** A connected WebSocket client and the events it has seen. */
export interface Subscriber {
  readonly user: string;
  /** The connection's client ID, as Centrifugo reports it in presence. */
  readonly clientId: string;
  readonly events: Event[];
  /** Subscribes from the client side and waits until subscribed. */
  subscribe(channel: string): Promise<Subscription>;
  /** Resolves with the first event (already seen or future) that matches. */
  waitFor<T extends Event["type"]>(
    type: T,
    match?: (event: Extract<Event, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<Event, { type: T }>>;
  /** Disconnects and waits until the socket is closed. */
  close(): Promise<void>;
}

/**
 * A WebSocket class for the SDK's `websocket` option that remembers every
 * socket it opens, and `closed()`, which resolves once all of them are closed
 * (the sanitizers fail a test that ends with a socket still open).
 */
export function trackedWebSocket(): {
  WebSocket: new (url: string | URL, protocols?: string | string[]) => WebSocket;
  closed(): Promise<unknown>;
} {
  const sockets: WebSocket[] = [];
  class TrackedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  return {
    WebSocket: TrackedWebSocket,
    closed: () =>
      Promise.all(
        sockets.map((socket) =>
          socket.readyState === WebSocket.CLOSED
            ? undefined
            : new Promise((resolve) => socket.addEventListener("close", resolve, { once: true }))
        ),
      ),
  };
}

/**
 * Connects a real client as `user` and waits until it is connected. `token`
 * replaces the HS256 token minted here (e.g. one signed on another runtime).
 */
export async function connectSubscriber(
  wsUrl: string,
  user: string,
  token?: string,
): Promise<Subscriber> {
  const tracked = trackedWebSocket();
  const events: Event[] = [];
  const waiters = new Set<() => void>();
  const record = (event: Event) => {
    events.push(event);
    for (const wake of waiters) wake();
  };
  const client = new Centrifuge(wsUrl, {
    token: token ?? await connectionToken(user),
    websocket: tracked.WebSocket,
    minReconnectDelay: 60_000,
    maxReconnectDelay: 60_000,
  });
  client.on(
    "publication",
    (ctx) => record({ type: "publication", channel: ctx.channel, data: ctx.data, tags: ctx.tags }),
  );
  client.on(
    "subscribed",
    (ctx) => record({ type: "subscribed", channel: ctx.channel, data: ctx.data }),
  );
  client.on("unsubscribed", (ctx) => record({ type: "unsubscribed", channel: ctx.channel }));
  client.on(
    "disconnected",
    (ctx) => record({ type: "disconnected", code: ctx.code, reason: ctx.reason }),
  );
  client.on(
    "connecting",
    (ctx) => record({ type: "connecting", code: ctx.code, reason: ctx.reason }),
  );
  // Errors are reported through the events above; keep the SDK from logging them.
  client.on("error", () => {});

  const waitFor: Subscriber["waitFor"] = (type, match, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = events.find((e) =>
          e.type === type && (!match || match(e as Extract<Event, { type: typeof type }>))
        );
        if (!found) return false;
        done();
        resolve(found as Extract<Event, { type: typeof type }>);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`no ${type} event within ${timeoutMs} ms; saw ${JSON.stringify(events)}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = () => void check();
      waiters.add(wake);
      check();
    });

  const connected = new Promise<string>((resolve, reject) => {
    client.once("connected", (ctx) => resolve(ctx.client));
    client.once("disconnected", (ctx) => reject(new Error(`not connected: ${ctx.reason}`)));
  });
  client.connect();
  const clientId = await connected;

  return {
    user,
    clientId,
    events,
    waitFor,
    async subscribe(channel) {
      const sub = client.newSubscription(channel);
      sub.on(
        "publication",
        (ctx) => record({ type: "publication", channel, data: ctx.data, tags: ctx.tags }),
      );
      sub.subscribe();
      await sub.ready(5000);
      return sub;
    },
    async close() {
      client.disconnect();
      await tracked.closed();
    },
  };
}
