// The token endpoints centrifuge-js's getToken callbacks fetch, proved with
// a real Centrifugo and real centrifuge-js clients whose getToken fetches
// them (the callbacks the README shows): a client connects, subscribes to a
// private ($) channel, and refreshes both expiring tokens through the
// endpoints while staying connected; a refusal (403) makes the client stop
// asking, as centrifuge-js's UnauthorizedError does, while a failure (500)
// makes it retry. Served by node:http through toNodeHandler, and by
// Deno.serve.

import assert from "node:assert/strict";
import http from "node:http";
import { UnauthorizedError } from "centrifuge";
import { Client } from "@aiocent/aiocent";
import { toNodeHandler } from "@aiocent/aiocent/node";
import {
  connectionTokenEndpoint,
  type ConnectionTokenEndpointOptions,
  KeyRing,
  subscriptionTokenEndpoint,
  type SubscriptionTokenEndpointOptions,
  type WebHandler,
} from "@aiocent/aiocent/token";
import { API_KEY, HMAC_SECRET, startCentrifugo } from "./_centrifugo.ts";
import { keyPair } from "./_keys.ts";
import { type SdkClient, withSdkClients } from "./_sdk_client.ts";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The user of a request: its session cookie (browsers send it with credentials: "include"). */
function sessionUser(request: Request): string | undefined {
  return request.headers.get("cookie")?.match(/(?:^|;\s*)session=([\w-]+)/)?.[1];
}

/** Serves `routes` by path with node:http through toNodeHandler, or with Deno.serve. */
async function serve(
  kind: "node" | "deno",
  routes: Record<string, WebHandler>,
): Promise<{ origin: string; calls: Record<string, number>; close(): Promise<void> }> {
  const calls: Record<string, number> = {};
  const handler: WebHandler = (request) => {
    const path = new URL(request.url).pathname;
    calls[path] = (calls[path] ?? 0) + 1;
    return routes[path]?.(request) ?? Promise.resolve(new Response("not found", { status: 404 }));
  };
  if (kind === "deno") {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    return {
      origin: `http://127.0.0.1:${server.addr.port}`,
      calls,
      close: () => server.shutdown(),
    };
  }
  const server = http.createServer(toNodeHandler(handler) as http.RequestListener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// The getToken callbacks of the README, with the session cookie a browser
// would send. A response not read is cancelled, for Deno's sanitizers.
const connectionGetToken = (url: string, cookie?: string) => async () => {
  const res = await fetch(url, { method: "POST", headers: cookie ? { cookie } : {} });
  if (res.status === 403) {
    await res.body?.cancel();
    throw new UnauthorizedError("refused");
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`connection token: HTTP ${res.status}`);
  }
  return (await res.json()).token as string;
};
const subscriptionGetToken = (url: string, cookie: string) => async (ctx: { channel: string }) => {
  const res = await fetch(url, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ channel: ctx.channel }),
  });
  if (res.status === 403) {
    await res.body?.cancel();
    throw new UnauthorizedError("refused");
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`subscription token: HTTP ${res.status}`);
  }
  return (await res.json()).token as string;
};

const payloadOf = (token: string) =>
  JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));

Deno.test("getToken through the endpoints: connect, subscribe to $, refresh both, stay connected", async () => {
  const server = await startCentrifugo({
    client: {
      token: { hmac_secret_key: HMAC_SECRET },
      allowed_origins: ["*"],
      // An expired connection or subscription not refreshed ends 3 s later:
      // within the test, unless the refreshes through the endpoints work.
      expired_close_delay: "3s",
      expired_sub_close_delay: "3s",
    },
  });
  const api = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  const tokens: string[] = [];
  const record = (token: string) => (tokens.push(token), token);
  const backend = await serve("node", {
    "/centrifugo/connection-token": connectionTokenEndpoint({
      key: HMAC_SECRET,
      expiresIn: 2,
      authorize: (request) => {
        const user = sessionUser(request);
        return user ? { sub: user, info: { via: "endpoint" } } : null;
      },
    }),
    "/centrifugo/subscription-token": subscriptionTokenEndpoint({
      key: HMAC_SECRET,
      expiresIn: 2,
      authorize: (request, channel) => {
        const user = sessionUser(request);
        return user && channel === `$inbox-${user}` ? { sub: user, info: { owner: true } } : null;
      },
    }),
  });
  const cookie = "theme=dark; session=alice";
  try {
    await withSdkClients(server.wsUrl, async (open) => {
      const client = open({
        getToken: async () =>
          record(
            await connectionGetToken(`${backend.origin}/centrifugo/connection-token`, cookie)(),
          ),
      });
      const connected = await client.waitFor((e) => e.type === "connected", "connected");
      const channel = "$inbox-alice";
      const sub = client.client.newSubscription(channel, {
        getToken: async (ctx) =>
          record(
            await subscriptionGetToken(`${backend.origin}/centrifugo/subscription-token`, cookie)(
              ctx,
            ),
          ),
      });
      client.watch(sub);
      sub.subscribe();
      await client.waitFor((e) => e.type === "subscribed", "subscribed");
      const clientId = connected.type === "connected" ? connected.client : "";
      const { presence } = await api.presence(channel);
      assert.equal(presence[clientId]?.user, "alice");
      assert.deepEqual(presence[clientId]?.conn_info, { via: "endpoint" });
      assert.deepEqual(presence[clientId]?.chan_info, { owner: true });

      // Two-second tokens, seven seconds: each is refreshed through its endpoint.
      await delay(7000);
      const connectionCalls = backend.calls["/centrifugo/connection-token"] ?? 0;
      const subscriptionCalls = backend.calls["/centrifugo/subscription-token"] ?? 0;
      assert.ok(connectionCalls >= 3, `${connectionCalls} connection token requests`);
      assert.ok(subscriptionCalls >= 3, `${subscriptionCalls} subscription token requests`);
      // Still the same connection and subscription: nothing dropped in between.
      assert.deepEqual(
        client.events.filter((e) => e.type !== "connected" && e.type !== "subscribed"),
        [{ type: "connecting", code: 0, reason: "connect called" }],
      );
      assert.equal(client.ofType("connected").length, 1);
      assert.equal(client.ofType("subscribed").length, 1);
      assert.equal((await api.presence(channel)).presence[clientId]?.user, "alice");
      // The tokens came from the endpoints: alice's, two seconds each.
      assert.ok(tokens.length >= 6);
      for (const token of tokens) {
        const claims = payloadOf(token);
        assert.equal(claims.sub, "alice");
        assert.equal(claims.exp - claims.iat, 2);
      }
      assert.ok(tokens.some((token) => payloadOf(token).channel === channel));
    });
  } finally {
    await server.stop();
    await backend.close();
  }
});

Deno.test("a refusal stops the client asking; a failure makes it retry", async (t) => {
  const server = await startCentrifugo({
    client: { token: { hmac_secret_key: HMAC_SECRET }, allowed_origins: ["*"] },
  });
  const failures: unknown[] = [];
  let refuseFrom = Infinity; // connection-token requests from this one on are refused
  let requests = 0;
  const backend = await serve("deno", {
    "/refusing": connectionTokenEndpoint({
      key: HMAC_SECRET,
      expiresIn: 60,
      authorize: () => null,
    }),
    "/failing": connectionTokenEndpoint({
      key: HMAC_SECRET,
      expiresIn: 60,
      authorize: () => {
        throw new Error("session store down: password=hunter2");
      },
      onError: (error) => failures.push(error),
    }),
    "/refusing-later": connectionTokenEndpoint({
      key: HMAC_SECRET,
      expiresIn: 2,
      authorize: (request) => (++requests >= refuseFrom ? null : { sub: sessionUser(request)! }),
    }),
    "/connection": connectionTokenEndpoint({
      key: HMAC_SECRET,
      expiresIn: 60,
      authorize: (request) => ({ sub: sessionUser(request)! }),
    }),
    "/subscription": subscriptionTokenEndpoint({
      key: HMAC_SECRET,
      expiresIn: 60,
      authorize: (request, channel) => channel === "$open" ? { sub: sessionUser(request)! } : null,
    }),
  });
  const fast = { minReconnectDelay: 100, maxReconnectDelay: 300 };
  const ended = (client: SdkClient) =>
    client.waitFor((e) => e.type === "disconnected", "disconnected", 5000);
  try {
    await t.step("refused at connect: disconnected as unauthorized, asked once", async () => {
      await withSdkClients(server.wsUrl, async (open) => {
        const client = open({
          ...fast,
          getToken: connectionGetToken(`${backend.origin}/refusing`),
        });
        assert.deepEqual(await ended(client), {
          type: "disconnected",
          code: 1,
          reason: "unauthorized",
        });
        await delay(1500);
        assert.equal(backend.calls["/refusing"], 1);
        assert.equal(client.ofType("connected").length, 0);
      });
    });

    await t.step("failing: a 500 that says nothing, told to onError, and retried", async () => {
      const res = await fetch(`${backend.origin}/failing`);
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.ok(!text.includes("hunter2") && !text.includes("session"), text);
      assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
      await withSdkClients(server.wsUrl, async (open) => {
        const client = open({ ...fast, getToken: connectionGetToken(`${backend.origin}/failing`) });
        await delay(1500);
        assert.ok((backend.calls["/failing"] ?? 0) >= 3, `${backend.calls["/failing"]} attempts`);
        assert.ok(client.ofType("error").every((e) => e.kind === "connectToken"));
        assert.equal(client.ofType("disconnected").length, 0); // still trying
      });
      assert.ok(failures.length >= 3);
      assert.match(String(failures[0]), /session store down/);
    });

    await t.step("refused at refresh: disconnected then, not asked again", async () => {
      refuseFrom = 2;
      await withSdkClients(server.wsUrl, async (open) => {
        const client = open({
          ...fast,
          getToken: connectionGetToken(`${backend.origin}/refusing-later`, "session=bob"),
        });
        await client.waitFor((e) => e.type === "connected", "connected");
        const end = await client.waitFor((e) => e.type === "disconnected", "refused refresh", 6000);
        assert.deepEqual(end, { type: "disconnected", code: 1, reason: "unauthorized" });
        await delay(1000);
        assert.equal(requests, 2);
      });
    });

    await t.step("a subscription refused: unsubscribed, the connection stays", async () => {
      await withSdkClients(server.wsUrl, async (open) => {
        const client = open({
          ...fast,
          getToken: connectionGetToken(`${backend.origin}/connection`, "session=carol"),
        });
        await client.waitFor((e) => e.type === "connected", "connected");
        const getToken = subscriptionGetToken(`${backend.origin}/subscription`, "session=carol");
        const open$ = client.client.newSubscription("$open", { getToken });
        const closed = client.client.newSubscription("$closed", { getToken });
        client.watch(open$);
        client.watch(closed);
        open$.subscribe();
        closed.subscribe();
        await client.waitFor((e) => e.type === "subscribed", "subscribed to $open");
        const refused = await client.waitFor((e) => e.type === "unsubscribed", "unsubscribed");
        assert.deepEqual(refused, {
          type: "unsubscribed",
          channel: "$closed",
          code: 1,
          reason: "unauthorized",
        });
        await delay(1000);
        assert.equal(backend.calls["/subscription"], 2); // once each, no retry
        assert.equal(client.ofType("disconnected").length, 0);
      });
    });
  } finally {
    await server.stop();
    await backend.close();
  }
});

Deno.test("the endpoints treat every request as hostile and every option as checked", async (t) => {
  const errors: unknown[] = [];
  const options: SubscriptionTokenEndpointOptions = {
    key: HMAC_SECRET,
    expiresIn: 60,
    maxBodyBytes: 1024,
    authorize: (request, channel) => {
      if (channel === "other") return { sub: "u", channel: "not-other" };
      if (channel === "undefined") return undefined as never;
      if (channel === "bad-claims") return { sub: "u", expireAt: 1 } as never;
      return request.headers.get("x-user") ? { sub: request.headers.get("x-user")! } : null;
    },
    onError: (error) => errors.push(error),
  };
  const handler = subscriptionTokenEndpoint(options);
  const post = (body: BodyInit, headers: HeadersInit = {}) =>
    handler(new Request("http://x/", { method: "POST", body, headers }));

  await t.step("subscription endpoint: what it answers", async () => {
    const ok = await post(JSON.stringify({ channel: "$c" }), { "x-user": "ann" });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("cache-control"), "no-store");
    assert.equal(ok.headers.get("content-type"), "application/json");
    const { token } = await ok.json();
    assert.deepEqual(
      Object.keys(payloadOf(token)).sort(),
      ["channel", "exp", "iat", "sub"],
    );
    assert.equal(payloadOf(token).channel, "$c");
    const viaGet = await handler(
      new Request("http://x/?channel=%24c%3A1", { headers: { "x-user": "ann" } }),
    );
    assert.equal(payloadOf((await viaGet.json()).token).channel, "$c:1");

    const cases: [Promise<Response>, number][] = [
      [post(JSON.stringify({ channel: "$c" })), 403],
      [post("{"), 400],
      [post("[]"), 400],
      [post(JSON.stringify({ channel: "" })), 400],
      [post(JSON.stringify({ channel: 7 })), 400],
      [post(JSON.stringify({ channel: "x".repeat(2000) })), 413],
      [handler(new Request("http://x/")), 400],
      [handler(new Request("http://x/", { method: "PUT", body: "{}" })), 405],
      [post(JSON.stringify({ channel: "other" })), 500],
      [post(JSON.stringify({ channel: "undefined" })), 500],
      [post(JSON.stringify({ channel: "bad-claims" })), 500],
    ];
    for (const [response, status] of cases) {
      const res = await response;
      assert.equal(res.status, status);
      const text = await res.text();
      assert.ok(text.length < 40 && !text.includes("claim"), text);
    }
    assert.deepEqual(errors.map((e) => (e as Error).message), [
      "subscriptionTokenEndpoint: authorize returned claims for another channel than the one asked for",
      "subscriptionTokenEndpoint: authorize returned undefined; return the claims, or null to refuse",
      "subscriptionToken: unknown claim expireAt (did you mean expire_at?); Centrifugo reads only sub, exp, iat, nbf, jti, aud, iss, channel, info, b64info, data, b64data, override, expire_at, client",
    ]);
  });

  await t.step("connection endpoint: GET or POST, the body unread; 405 otherwise", async () => {
    const connection = connectionTokenEndpoint({
      key: HMAC_SECRET,
      expiresIn: 60,
      userIdClaim: "uid",
      authorize: (request) => ({ sub: request.headers.get("x-user") ?? "", exp: 2_000_000_000 }),
    });
    const get = await connection(new Request("http://x/", { headers: { "x-user": "ann" } }));
    // The claims' own exp wins over expiresIn; userIdClaim applies.
    const claims = payloadOf((await get.json()).token);
    assert.equal(claims.uid, "ann");
    assert.equal(claims.exp, 2_000_000_000);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const posted = await connection(
      new Request("http://x/", { method: "POST", body: endless, duplex: "half" } as RequestInit),
    );
    assert.equal(posted.status, 200);
    await posted.body?.cancel();
    assert.ok(pulled <= 2, `read ${pulled} chunks of a body it should not read`);
    const put = await connection(new Request("http://x/", { method: "DELETE" }));
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET, POST");
    await put.body?.cancel();
  });

  await t.step("options are checked when the endpoint is made", async () => {
    const [ed] = await Promise.all([keyPair("Ed25519")]);
    const ring = await KeyRing.create([{ kid: "k", key: ed.jwk }], { maxTokenLifetime: 60 });
    const base: ConnectionTokenEndpointOptions = {
      key: HMAC_SECRET,
      expiresIn: 60,
      authorize: () => null,
    };
    const bad: [unknown, RegExp][] = [
      [{ ...base, expiresin: 5 }, /unknown option expiresin/],
      [{ ...base, authorize: undefined }, /option authorize must be a function/],
      [{ ...base, expiresIn: "never" }, /option expiresIn must be a positive integer/],
      [{ ...base, key: ed.publicPem }, /the PEM block is a PUBLIC KEY/],
      [{ ...base, key: "" }, /the HMAC secret is empty/],
      [{ ...base, userIdClaim: "a.b" }, /option userIdClaim must be a claim name/],
      [{ ...base, key: ring, keyId: "k" }, /a KeyRing writes the kid of its active key/],
      [
        { ...base, key: ring, expiresIn: 61 },
        /longer than the KeyRing's maxTokenLifetime \(60 s\)/,
      ],
      [{ ...base, onError: "log" }, /option onError must be a function/],
    ];
    for (const [opts, message] of bad) {
      assert.throws(
        () => connectionTokenEndpoint(opts as ConnectionTokenEndpointOptions),
        (err: Error) => err instanceof TypeError && message.test(err.message),
        String(message),
      );
    }
    assert.throws(
      () => subscriptionTokenEndpoint({ ...base, maxBodyBytes: 0 }),
      /option maxBodyBytes must be a positive integer/,
    );
    // A ring signs with its active key and kid.
    const ringed = connectionTokenEndpoint({ ...base, key: ring, authorize: () => ({ sub: "r" }) });
    const { token } = await (await ringed(new Request("http://x/"))).json();
    assert.equal(JSON.parse(atob(token.split(".")[0])).kid, "k");
  });
});
