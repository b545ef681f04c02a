// The proxy handlers proven end to end: a real Centrifugo whose HTTP proxies
// point at tests/_proxy_app.mjs (served by whichever runtime is under test:
// Deno.serve here, node:http through toNodeHandler, Bun.serve, workerd), and
// real centrifuge-js clients, WebSocket and JSON or Protobuf, that connect,
// subscribe, publish, call RPCs, refresh, use map and shared-poll channels.
// Every scenario asserts what the client (or another client, or the server
// API) observes, and that the answer came from that runtime.

import assert from "node:assert/strict";
import { Centrifuge } from "centrifuge";
import { Centrifuge as ProtobufCentrifuge } from "centrifuge/build/protobuf";
import { Client } from "@aiocent/aiocent";
import {
  API_KEY,
  type Centrifugo,
  HMAC_SECRET,
  NAMESPACES,
  SHARED_POLL_SECRET,
} from "./_centrifugo.ts";
import { trackSignature } from "./_keys.ts";

/**
 * Centrifugo overrides (for startCentrifugo) with every HTTP proxy type
 * pointing at the proxy app served at `origin`.
 */
export function proxyConfig(origin: string): Record<string, unknown> {
  const proxy = (path: string, extra: Record<string, unknown> = {}) => ({
    endpoint: `${origin}${path}`,
    timeout: "3s",
    ...extra,
  });
  return {
    client: {
      token: { hmac_secret_key: HMAC_SECRET },
      allowed_origins: ["*"],
      // Sub refreshes are checked on this tick, after this delay past expire_at.
      presence_update_interval: "1s",
      expired_sub_close_delay: "1s",
      proxy: {
        connect: {
          enabled: true,
          ...proxy("/connect"),
          http_headers: ["cookie"],
          emulated_headers: ["authorization"],
        },
        refresh: { enabled: true, ...proxy("/refresh") },
      },
    },
    channel: {
      without_namespace: { allow_subscribe_for_client: true },
      namespaces: [
        {
          name: "px",
          presence: true,
          subscribe_proxy_enabled: true,
          publish_proxy_enabled: true,
          sub_refresh_proxy_enabled: true,
        },
        {
          name: "mp",
          subscription_type: "map",
          allow_subscribe_for_client: true,
          map: {
            mode: "recoverable",
            key_ttl: "60s",
            publish_proxy_enabled: true,
            remove_proxy_enabled: true,
          },
        },
        {
          name: NAMESPACES.scores,
          subscription_type: "shared_poll",
          allow_subscribe_for_client: true,
          shared_poll: { mode: "versioned", publish_enabled: true, refresh_interval: "500ms" },
        },
      ],
      proxy: {
        subscribe: proxy("/subscribe", { include_connection_meta: true }),
        publish: proxy("/publish", { include_connection_meta: true }),
        sub_refresh: proxy("/sub_refresh"),
        map_publish: proxy("/map_publish"),
        map_remove: proxy("/map_remove"),
        shared_poll_refresh: proxy("/shared_poll_refresh"),
      },
    },
    rpc: {
      proxy: proxy("/rpc"),
      without_namespace: { proxy_enabled: true },
      namespaces: [{ name: "bin", proxy_enabled: true, proxy_name: "binrpc" }],
    },
    proxies: [{ name: "binrpc", ...proxy("/rpc"), binary_encoding: true }],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  what: string,
  probe: () => T | Promise<T>,
  ms = 8000,
): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

interface Calls {
  calls: Record<string, number>;
  errors: { proxy: string; status: number; name: string; message: string }[];
}

/** What the proxy app has been called for, and what its onError saw. */
async function callsOf(origin: string): Promise<Calls> {
  const res = await fetch(`${origin}/calls`);
  return await res.json();
}

/** A centrifuge-js event, recorded in order. */
type Seen = { event: string; [key: string]: unknown };

interface TestClient {
  // deno-lint-ignore no-explicit-any
  readonly client: any;
  readonly seen: Seen[];
  /** Resolves with the first recorded event (past or future) that matches. */
  waitFor(event: string, match?: (e: Seen) => boolean, ms?: number): Promise<Seen>;
  close(): Promise<void>;
}

interface ClientOptions {
  /** A Cookie header on the WebSocket handshake (Deno's WebSocket sends it). */
  cookie?: string;
  /** Emulated headers (centrifuge-js `headers`), sent inside the connect command. */
  headers?: Record<string, string>;
  data?: unknown;
  protobuf?: boolean;
  connect?: boolean;
}

function openClient(server: Centrifugo, options: ClientOptions = {}): TestClient {
  const sockets: WebSocket[] = [];
  const handshake = options.cookie ? { cookie: options.cookie } : {};
  class HeaderWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      // Deno's WebSocket takes handshake headers; browsers send cookies themselves.
      const init = {
        headers: handshake,
        ...(protocols === undefined ? {} : { protocols: [protocols].flat() }),
      };
      super(url, init as unknown as string[]);
      sockets.push(this);
    }
  }
  const Sdk = options.protobuf ? ProtobufCentrifuge : Centrifuge;
  const client = new Sdk(server.wsUrl, {
    websocket: HeaderWebSocket,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.data !== undefined ? { data: options.data } : {}),
    minReconnectDelay: 100,
    maxReconnectDelay: 300,
  });
  const seen: Seen[] = [];
  const waiters = new Set<() => void>();
  const record = (event: string) => (ctx: object) => {
    seen.push({ event, ...ctx });
    for (const wake of waiters) wake();
  };
  for (const event of ["connected", "connecting", "disconnected", "error", "subscribed"]) {
    client.on(event as "connected", record(event));
  }
  if (options.connect !== false) client.connect();
  return {
    client,
    seen,
    waitFor: (event, match = () => true, ms = 8000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = seen.find((e) => e.event === event && match(e));
          if (!found) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${event} within ${ms} ms; saw ${JSON.stringify(seen)}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    async close() {
      client.disconnect();
      await Promise.all(
        sockets.map((socket) =>
          socket.readyState === WebSocket.CLOSED
            ? undefined
            : new Promise((resolve) => socket.addEventListener("close", resolve, { once: true }))
        ),
      );
    },
  };
}

/** Runs `fn` with clients it opens, closing them all afterwards. */
async function withClients(
  server: Centrifugo,
  fn: (open: (options?: ClientOptions) => TestClient) => Promise<void>,
): Promise<void> {
  const opened: TestClient[] = [];
  try {
    await fn((options) => {
      const c = openClient(server, options);
      opened.push(c);
      return c;
    });
  } finally {
    await Promise.all(opened.map((c) => c.close()));
  }
}

// deno-lint-ignore no-explicit-any
function subscriptionEvents(sub: any): Seen[] {
  const seen: Seen[] = [];
  for (const event of ["subscribed", "subscribing", "unsubscribed", "publication", "update"]) {
    sub.on(event, (ctx: object) => seen.push({ event, ...ctx }));
  }
  return seen;
}

/**
 * Every proxy type through `server` (started with proxyConfig(origin)) and
 * real clients, as steps of `t`; the app at `origin` answers as `runtime`.
 */
export async function runProxyScenarios(
  t: Deno.TestContext,
  server: Centrifugo,
  origin: string,
  runtime: string,
): Promise<void> {
  const api = new Client(server.apiUrl, { apiKey: API_KEY });
  const R = Math.random().toString(36).slice(2, 7);

  await t.step("connect authenticates from a cookie: user, info, data, channels", async () => {
    await withClients(server, async (open) => {
      const alice = open({ cookie: `theme=dark; session=good-alice${R}` });
      const connected = await alice.waitFor("connected");
      assert.deepEqual(connected.data, { welcome: `alice${R}`, runtime, via: "cookie" });
      // The connect result's channels: a server-side subscription.
      await alice.waitFor("subscribed", (e) => e.channel === `px:server-alice${R}`);
      const { presence } = await api.presence(`px:server-alice${R}`);
      const entries = Object.values(presence);
      assert.equal(entries.length, 1);
      assert.equal(entries[0]!.user, `alice${R}`);
      assert.deepEqual(entries[0]!.conn_info, { name: `alice${R}`, runtime });
    });
  });

  await t.step("connect authenticates from an emulated Authorization header", async () => {
    await withClients(server, async (open) => {
      const bob = open({ headers: { Authorization: `Bearer good-bob${R}` } });
      const connected = await bob.waitFor("connected");
      assert.deepEqual(connected.data, { welcome: `bob${R}`, runtime, via: "authorization" });
    });
  });

  await t.step("a refused connect reaches the client with its code, no reconnect", async () => {
    await withClients(server, async (open) => {
      const before = (await callsOf(origin)).calls.connect ?? 0;
      const anonymous = open({ cookie: "session=stolen" });
      const disconnected = await anonymous.waitFor("disconnected");
      assert.equal(disconnected.code, 1401);
      assert.equal(disconnected.reason, "unauthorized");
      await sleep(800);
      assert.equal(anonymous.client.state, "disconnected");
      assert.equal((await callsOf(origin)).calls.connect, before + 1);
    });
  });

  await t.step(
    "a 4501 disconnect reaches the client with its reason and stops reconnects",
    async () => {
      await withClients(server, async (open) => {
        const before = (await callsOf(origin)).calls.connect ?? 0;
        const banned = open({ cookie: `session=good-carol${R}`, data: { scenario: "ban" } });
        const disconnected = await banned.waitFor("disconnected");
        assert.equal(disconnected.code, 4501);
        assert.equal(disconnected.reason, "banned");
        await sleep(1000);
        assert.equal(banned.client.state, "disconnected");
        assert.equal((await callsOf(origin)).calls.connect, before + 1, "it reconnected");
      });
    },
  );

  await t.step("subscribe allows with data and info, and denies with a code", async () => {
    await withClients(server, async (open) => {
      const dave = open({ cookie: `session=good-dave${R}` });
      await dave.waitFor("connected");
      const room = dave.client.newSubscription(`px:room${R}`);
      const events = subscriptionEvents(room);
      room.subscribe();
      await room.ready(5000);
      const subscribed = events.find((e) => e.event === "subscribed")!;
      assert.deepEqual(subscribed.data, { joined: `px:room${R}`, user: `dave${R}`, runtime });
      // The subscribe result's info is this subscriber's channel info in its publications.
      await room.publish({ text: "info?" });
      const publication = await until(
        "the publication",
        () => events.find((e) => e.event === "publication"),
      );
      assert.deepEqual((publication.info as Record<string, unknown>).chanInfo, {
        room: `room${R}`,
        tenant: "t1", // the connect result's meta, sent to the subscribe proxy
      });

      const denied = dave.client.newSubscription(`px:denied${R}`);
      const deniedEvents = subscriptionEvents(denied);
      denied.subscribe();
      const unsubscribed = await until(
        "unsubscribed",
        () => deniedEvents.find((e) => e.event === "unsubscribed"),
      );
      assert.equal(unsubscribed.code, 1403);
      assert.equal(unsubscribed.reason, "denied");
      for (const sub of [room, denied]) {
        sub.unsubscribe();
        dave.client.removeSubscription(sub);
      }
    });
  });

  await t.step("a 4001 disconnect from subscribe: the client reconnects", async () => {
    await withClients(server, async (open) => {
      const frank = open({ cookie: `session=good-frank${R}` });
      await frank.waitFor("connected");
      const kick = frank.client.newSubscription(`px:kick${R}`);
      kick.subscribe();
      const connecting = await frank.waitFor("connecting", (e) => e.code === 4001);
      assert.equal(connecting.reason, "kicked");
      kick.unsubscribe();
      frank.client.removeSubscription(kick);
      await until(
        "connected again",
        () => frank.seen.filter((e) => e.event === "connected").length >= 2,
      );
    });
  });

  await t.step("publish rewrites the data, and rejects with a code", async () => {
    await withClients(server, async (open) => {
      const reader = open({ cookie: `session=good-erin${R}` });
      const writer = open({ cookie: `session=good-dave${R}` });
      await Promise.all([reader.waitFor("connected"), writer.waitFor("connected")]);
      const channel = `px:chat${R}`;
      const readerSub = reader.client.newSubscription(channel);
      const received = subscriptionEvents(readerSub);
      const writerSub = writer.client.newSubscription(channel);
      readerSub.subscribe();
      writerSub.subscribe();
      await Promise.all([readerSub.ready(5000), writerSub.ready(5000)]);
      await writerSub.publish({ text: "hello" });
      const publication = await until(
        "the publication",
        () => received.find((e) => e.event === "publication"),
      );
      assert.deepEqual(publication.data, { text: "HELLO", by: `dave${R}`, runtime });
      await assert.rejects(writerSub.publish({ text: "forbidden" }), (err: unknown) => {
        assert.deepEqual(err, { code: 1403, message: "read only", temporary: false });
        return true;
      });
      await sleep(200);
      assert.equal(received.filter((e) => e.event === "publication").length, 1);
      for (const [c, sub] of [[reader, readerSub], [writer, writerSub]] as const) {
        sub.unsubscribe();
        c.client.removeSubscription(sub);
      }
    });
  });

  await t.step("rpc answers data and errors; a thrown error never reaches the client", async () => {
    await withClients(server, async (open) => {
      const gina = open({ cookie: `session=good-gina${R}` });
      await gina.waitFor("connected");
      assert.deepEqual(await gina.client.rpc("echo", { n: [1, "é"] }), {
        data: { echo: { n: [1, "é"] }, user: `gina${R}`, runtime },
      });
      const rejection = async (method: string) => {
        try {
          await gina.client.rpc(method, {});
        } catch (err) {
          return err;
        }
        throw new Error(`rpc ${method} resolved`);
      };
      assert.deepEqual(await rejection("fail"), {
        code: 1404,
        message: "no such thing",
        temporary: false,
      });
      assert.deepEqual(await rejection("busy"), {
        code: 1503,
        message: "try later",
        temporary: true,
      });
      const internal = { code: 100, message: "internal server error", temporary: true };
      assert.deepEqual(await rejection("boom"), internal);
      assert.deepEqual(await rejection("badfield"), internal);
      const { errors } = await callsOf(origin);
      const boom = errors.find((e) => e.message.includes("hunter2"));
      assert.deepEqual(boom && { ...boom, message: "" }, {
        proxy: "rpc",
        status: 500,
        name: "Error",
        message: "",
      });
      assert.ok(
        errors.some((e) =>
          e.name === "ProxyAnswerError" &&
          /result\.user: RpcResult has no field user/.test(e.message)
        ),
        JSON.stringify(errors),
      );
    });
  });

  await t.step(
    "binary_encoding: payloads as bytes both ways (JSON and Protobuf clients)",
    async () => {
      await withClients(server, async (open) => {
        const json = open({ cookie: `session=good-hal${R}` });
        const protobuf = open({ cookie: `session=good-hal${R}`, protobuf: true });
        await Promise.all([json.waitFor("connected"), protobuf.waitFor("connected")]);
        assert.deepEqual(await json.client.rpc("bin:echo", { a: 1 }), {
          data: { got: { a: 1 }, runtime },
        });
        const reply = await protobuf.client.rpc("bin:echo", new Uint8Array([0, 255, 10, 7]));
        assert.deepEqual([...reply.data], [7, 10, 255, 0]);
      });
    },
  );

  await t.step("refresh extends expire_at, and its info replaces the connection's", async () => {
    await withClients(server, async (open) => {
      const before = (await callsOf(origin)).calls.refresh ?? 0;
      const henry = open({ cookie: `session=good-henry${R}`, data: { expireIn: 1 } });
      await henry.waitFor("connected");
      await until("a refresh", async () => ((await callsOf(origin)).calls.refresh ?? 0) > before);
      await sleep(300);
      assert.equal(henry.client.state, "connected");
      // Nothing but the first connect: no disconnect, no reconnect, no error.
      const after = henry.seen.filter((e) =>
        !["connected", "subscribed"].includes(e.event) &&
        !(e.event === "connecting" && e.code === 0)
      );
      assert.deepEqual(after, []);
      // Presence shows the refreshed info after its next update tick.
      const info = await until("the refreshed info in presence", async () => {
        const { presence } = await api.presence(`px:server-henry${R}`);
        const connInfo = Object.values(presence)[0]?.conn_info as { refreshed?: boolean };
        return connInfo?.refreshed && connInfo;
      });
      assert.deepEqual(info, { name: `henry${R}`, runtime, refreshed: true });
    });
  });

  await t.step(
    "refresh expired: true closes the connection (3005); the client comes back",
    async () => {
      await withClients(server, async (open) => {
        const ian = open({ cookie: `session=good-expire-ian${R}`, data: { expireIn: 1 } });
        await ian.waitFor("connected");
        const closed = await ian.waitFor("connecting", (e) => e.code === 3005);
        assert.equal(closed.reason, "connection expired");
        await until(
          "connected again",
          () => ian.seen.filter((e) => e.event === "connected").length >= 2,
        );
      });
    },
  );

  await t.step("sub_refresh keeps a subscription, and ends another (2501)", async () => {
    await withClients(server, async (open) => {
      const before = (await callsOf(origin)).calls.sub_refresh ?? 0;
      const jack = open({ cookie: `session=good-jack${R}` });
      await jack.waitFor("connected");
      const keep = jack.client.newSubscription(`px:expiring-keep${R}`);
      const end = jack.client.newSubscription(`px:expiring-end${R}`);
      const keepEvents = subscriptionEvents(keep);
      const endEvents = subscriptionEvents(end);
      keep.subscribe();
      end.subscribe();
      await Promise.all([keep.ready(5000), end.ready(5000)]);
      const expired = await until(
        "the end of a subscription",
        () => endEvents.find((e) => e.event === "subscribing" && e.code === 2501),
        10_000,
      );
      assert.equal(expired.reason, "subscription expired");
      await until(
        "two sub refreshes",
        async () => ((await callsOf(origin)).calls.sub_refresh ?? 0) >= before + 2,
      );
      await sleep(300);
      assert.equal(keep.state, "subscribed");
      // Nothing but the first subscribe.
      const after = keepEvents.filter((e) =>
        e.event !== "subscribed" && !(e.event === "subscribing" && e.code === 0)
      );
      assert.deepEqual(after, []);
      for (const sub of [keep, end]) {
        sub.unsubscribe();
        jack.client.removeSubscription(sub);
      }
    });
  });

  await t.step(
    "map publish/remove proxies rewrite the change (the caller gets 107: v6.9.1)",
    async () => {
      await withClients(server, async (open) => {
        const kate = open({ cookie: `session=good-kate${R}` });
        const leo = open({ cookie: `session=good-leo${R}` });
        await Promise.all([kate.waitFor("connected"), leo.waitFor("connected")]);
        const channel = `mp:board${R}`;
        const board = kate.client.newMapSubscription(channel);
        const updates = subscriptionEvents(board);
        board.subscribe();
        await board.ready(5000);
        const code = async (p: Promise<unknown>) => {
          try {
            await p;
            return "resolved";
          } catch (err) {
            return (err as { code: number }).code;
          }
        };
        // Centrifugo 6.9.1 applies the change, then answers the caller 107 (bad request).
        assert.equal(await code(leo.client.mapPublish(channel, "k1", { v: 1 })), 107);
        const update = await until(
          "the map update",
          () => updates.find((e) => e.event === "update" && !e.removed),
        );
        assert.equal(update.key, `k1-by-leo${R}`);
        assert.deepEqual(update.data, { value: { v: 1 }, by: `leo${R}`, runtime });
        assert.equal(await code(leo.client.mapRemove(channel, "k1")), 107);
        const removal = await until(
          "the map removal",
          () => updates.find((e) => e.event === "update" && e.removed),
        );
        assert.equal(removal.key, `k1-by-leo${R}`);
        // A refusal is the application's error, as sent.
        assert.equal(await code(leo.client.mapPublish(channel, "locked-1", { v: 2 })), 1403);
        assert.equal(await code(leo.client.mapRemove(channel, "locked-1")), 1403);
        await sleep(200);
        assert.equal(
          updates.filter((e) => e.event === "update").length,
          2,
        );
        board.unsubscribe();
        kate.client.removeMapSubscription(board);
      });
    },
  );

  await t.step(
    "shared-poll refresh: tracked keys get the polled data, versions rising",
    async () => {
      await withClients(server, async (open) => {
        const mia = open({ cookie: `session=good-mia${R}` });
        await mia.waitFor("connected");
        const channel = `${NAMESPACES.scores}:match${R}`;
        const poll = mia.client.newSharedPollSubscription(channel, {
          getSignature: async ({ keys }: { keys: string[] }) => ({
            keys,
            signature: await trackSignature(SHARED_POLL_SECRET, `mia${R}`, channel, keys),
          }),
        });
        const updates = subscriptionEvents(poll);
        poll.subscribe();
        await poll.ready(5000);
        poll.track(["k1"]);
        const second = await until(
          "two polls",
          () => updates.filter((e) => e.event === "update")[1],
        );
        const first = updates.find((e) => e.event === "update")!;
        assert.deepEqual([first.key, first.data, first.version], [
          "k1",
          { key: "k1", channel, runtime },
          1,
        ]);
        assert.equal(second.version, 2);
        poll.unsubscribe();
        mia.client.removeSharedPollSubscription(poll);
      });
    },
  );

  await t.step("onError saw only the two failures on purpose", async () => {
    const { errors } = await callsOf(origin);
    assert.deepEqual(errors.map((e) => [e.proxy, e.status, e.name]), [
      ["rpc", 500, "Error"],
      ["rpc", 500, "ProxyAnswerError"],
    ]);
  });
  await api.close();
}

/**
 * Hostile requests to the proxy app at `origin`, over the network as the
 * runtime serving it receives them: a short 4xx each, and a body far over
 * the limit answered 413 without the rest being read.
 */
export async function runHostileChecks(t: Deno.TestContext, origin: string): Promise<void> {
  await t.step("hostile requests over the network: 405, 400, 413", async () => {
    let res = await fetch(`${origin}/connect`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST");
    await res.body?.cancel();
    for (
      const [body, text] of [
        ["{", /^bad request/],
        ['{"client":5}', /^bad request: client must be a string/],
        ["[]", /^bad request: the body must be a JSON object/],
      ] as const
    ) {
      res = await fetch(`${origin}/connect`, { method: "POST", body });
      assert.equal(res.status, 400);
      assert.match(await res.text(), text);
    }
    // 50 MB announced, 64 KiB sent: the answer comes without the rest.
    const { hostname, port } = new URL(origin);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    const head = "POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
      "Content-Length: 50000000\r\n\r\n";
    await conn.write(new TextEncoder().encode(head + " ".repeat(64 * 1024)));
    let answer = "";
    const timer = setTimeout(() => conn.close(), 5000);
    try {
      for await (const chunk of conn.readable) {
        answer += new TextDecoder().decode(chunk);
        if (/\r\n\r\nrequest body too large\n/.test(answer)) break;
      }
    } catch {
      // A reset after the answer is fine.
    } finally {
      clearTimeout(timer);
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
    assert.match(answer, /^HTTP\/1\.1 413 /);
  });
}
