// A real centrifuge-js client for the token, JWKS and shared-poll tests,
// recording everything that happens to it and to its subscriptions, so a
// test can wait for an event and then assert on the whole history. close()
// disconnects and waits for every socket to close (for the sanitizers).

import {
  Centrifuge,
  type Options,
  type SharedPollSubscription,
  type Subscription,
} from "centrifuge";
import { trackedWebSocket } from "./_subscriber.ts";

/** Something that happened, in arrival order. */
export type SdkEvent =
  | { type: "connected"; client: string }
  | { type: "connecting" | "disconnected"; code: number; reason: string }
  | { type: "error"; kind: string; code: number; message: string }
  | { type: "subscribed"; channel: string; data?: unknown }
  | { type: "server-subscribed"; channel: string; data?: unknown }
  | { type: "unsubscribed"; channel: string; code: number; reason: string }
  | { type: "sub-error"; channel: string; kind: string; code: number; message: string }
  | { type: "publication"; channel: string; data: unknown }
  | {
    type: "update";
    channel: string;
    key: string;
    data: unknown;
    version?: number;
    removed?: boolean;
  };

/** A client and its history. */
export interface SdkClient {
  readonly client: Centrifuge;
  readonly events: SdkEvent[];
  /** Resolves with the first event, seen or future, that matches; rejects after `timeoutMs`. */
  waitFor(match: (event: SdkEvent) => boolean, what: string, timeoutMs?: number): Promise<SdkEvent>;
  /** Records the events of a subscription (call before subscribe()). */
  watch(sub: Subscription | SharedPollSubscription): void;
  /** The events of one type. */
  ofType<T extends SdkEvent["type"]>(type: T): Extract<SdkEvent, { type: T }>[];
  /** Disconnects and waits until its sockets are closed. */
  close(): Promise<void>;
}

/**
 * Opens a client (it connects at once) with `options`; reconnects are slow
 * unless the options say otherwise, so that a refused token shows as one
 * attempt.
 */
export function openClient(wsUrl: string, options: Partial<Options> = {}): SdkClient {
  const tracked = trackedWebSocket();
  const events: SdkEvent[] = [];
  const waiters = new Set<() => void>();
  const record = (event: SdkEvent) => {
    events.push(event);
    for (const wake of waiters) wake();
  };
  const client = new Centrifuge(wsUrl, {
    websocket: tracked.WebSocket,
    minReconnectDelay: 60_000,
    maxReconnectDelay: 60_000,
    ...options,
  });
  client.on("connected", (ctx) => record({ type: "connected", client: ctx.client }));
  client.on(
    "connecting",
    (ctx) => record({ type: "connecting", code: ctx.code, reason: ctx.reason }),
  );
  client.on(
    "disconnected",
    (ctx) => record({ type: "disconnected", code: ctx.code, reason: ctx.reason }),
  );
  client.on("subscribed", (ctx) =>
    record({
      type: "server-subscribed",
      channel: ctx.channel,
      ...(ctx.data !== undefined ? { data: ctx.data } : {}),
    }));
  client.on("error", (ctx) =>
    record({
      type: "error",
      kind: ctx.type,
      code: ctx.error.code,
      message: ctx.error.message,
    }));
  const waitFor: SdkClient["waitFor"] = (match, what, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = events.find(match);
        if (!found) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms; saw ${JSON.stringify(events)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  client.connect();
  return {
    client,
    events,
    waitFor,
    watch(sub) {
      const channel = sub.channel;
      // Both kinds of subscriptions emit these; their typings do not unify.
      const on = <T>(event: string, listener: (ctx: T) => void) =>
        (sub as unknown as { on(event: string, listener: (ctx: T) => void): unknown }).on(
          event,
          listener,
        );
      type Ended = { code: number; reason: string };
      type Failed = { type: string; error: { code: number; message: string } };
      type Update = { key: string; data: unknown; version?: number; removed?: boolean };
      on<{ data?: unknown }>("subscribed", (ctx) =>
        record({
          type: "subscribed",
          channel,
          ...(ctx.data !== undefined ? { data: ctx.data } : {}),
        }));
      on<Ended>(
        "unsubscribed",
        (ctx) => record({ type: "unsubscribed", channel, code: ctx.code, reason: ctx.reason }),
      );
      on<Failed>("error", (ctx) =>
        record({
          type: "sub-error",
          channel,
          kind: ctx.type,
          code: ctx.error.code,
          message: ctx.error.message,
        }));
      on<{ data: unknown }>(
        "publication",
        (ctx) => record({ type: "publication", channel, data: ctx.data }),
      );
      if ("track" in sub) {
        on<Update>("update", (ctx) =>
          record({
            type: "update",
            channel,
            key: ctx.key,
            data: ctx.data,
            ...(ctx.version !== undefined ? { version: ctx.version } : {}),
            ...(ctx.removed ? { removed: true } : {}),
          }));
      }
    },
    ofType(type) {
      return events.filter((e) => e.type === type) as never;
    },
    async close() {
      client.disconnect();
      await tracked.closed();
    },
  };
}

/** Runs `fn` with a way to open clients, and closes them all afterwards. */
export async function withSdkClients(
  wsUrl: string,
  fn: (open: (options?: Partial<Options>) => SdkClient) => Promise<void>,
): Promise<void> {
  const opened: SdkClient[] = [];
  try {
    await fn((options) => {
      const client = openClient(wsUrl, options);
      opened.push(client);
      return client;
    });
  } finally {
    await Promise.all(opened.map((client) => client.close()));
  }
}

/** Whether a client connected, or the code and reason of its end. */
export async function connectOutcome(
  client: SdkClient,
): Promise<
  { connected: true; client: string } | { connected: false; code: number; reason: string }
> {
  const event = await client.waitFor(
    (e) => e.type === "connected" || e.type === "disconnected",
    "connected or disconnected",
  );
  return event.type === "connected" ? { connected: true, client: event.client } : {
    connected: false,
    code: (event as { code: number }).code,
    reason: (event as { reason: string }).reason,
  };
}
