// Shared-poll signatures end to end: a real Centrifugo with the test config's
// shared-poll namespace `scores` (versioned, publish_enabled), a refresh
// proxy (test-local; the proxy handlers have their own tests), centrifuge-js
// 5.8's SharedPollSubscription whose getSignature fetches
// sharedPollSignatureEndpoint (the callback the README shows), and the API
// client's sharedPollPublish: the signed keys are delivered, a key outside
// the signature is not, the signature is refreshed through the endpoint,
// and a refusal revokes every key.

import assert from "node:assert/strict";
import { Client } from "@aiocent/aiocent";
import {
  connectionToken,
  sharedPollSignature,
  sharedPollSignatureEndpoint,
} from "@aiocent/aiocent/token";
import {
  API_KEY,
  HMAC_SECRET,
  NAMESPACES,
  SHARED_POLL_SECRET,
  startCentrifugo,
} from "./_centrifugo.ts";
import { type SdkClient, type SdkEvent, withSdkClients } from "./_sdk_client.ts";
import type { SharedPollSubscription } from "centrifuge";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, checking every 50 ms. */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await delay(50);
  }
}
const CHANNEL = `${NAMESPACES.scores}:final`;

/** The refresh proxy Centrifugo polls for keys' data: answers what is newer than it holds. */
function startRefreshProxy(store: Map<string, { version: number; data: unknown }>) {
  const polled: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const { items } = await req.json() as { items: { key: string; version?: number }[] };
    const out = [];
    for (const { key, version = 0 } of items) {
      polled.push(key);
      const entry = store.get(key);
      if (entry && entry.version > version) out.push({ key, ...entry });
    }
    return Response.json({ result: { items: out } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/shared_poll_refresh`,
    polled,
    close: () => server.shutdown(),
  };
}

/** The user of a request: its session cookie. */
const sessionUser = (request: Request) =>
  request.headers.get("cookie")?.match(/(?:^|;\s*)session=([\w-]+)/)?.[1];

// The getSignature callback of the README, with the session cookie a
// browser would send. A response not read is cancelled, for the sanitizers.
const getSignature = (url: string, channel: string, cookie: string) =>
async (
  { keys }: { keys: string[] },
) => {
  const res = await fetch(url, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ channel, keys }),
  });
  if (res.status === 403) {
    await res.body?.cancel();
    return { keys: [], signature: "" };
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`shared-poll signature: HTTP ${res.status}`);
  }
  return await res.json() as { keys: string[]; signature: string };
};

const isUpdate = (key: string, version?: number) => (e: SdkEvent) =>
  e.type === "update" && e.key === key && (version === undefined || e.version === version);
const isRemoved = (key: string) => (e: SdkEvent) =>
  e.type === "update" && e.key === key && e.removed === true;

Deno.test("SharedPollSubscription tracks the keys its getSignature endpoint signs", async (t) => {
  const store = new Map([
    ["final-1", { version: 1, data: { home: 0, away: 0 } }],
    ["final-2", { version: 1, data: { home: 1, away: 0 } }],
    ["final-3", { version: 1, data: { home: 2, away: 2 } }],
    ["secret", { version: 1, data: { leaked: true } }],
    ["other", { version: 1, data: { leaked: true } }],
  ]);
  const proxy = startRefreshProxy(store);
  const allowed: Record<string, string[]> = { alice: ["final-1", "final-2", "final-3"] };
  const errors: unknown[] = [];
  const asked: string[][] = [];
  const endpoint = sharedPollSignatureEndpoint({
    secret: SHARED_POLL_SECRET,
    expiresIn: 2,
    authorize: (request, channel, keys) => {
      const user = sessionUser(request);
      if (!user || channel !== CHANNEL) return null;
      asked.push(keys);
      return { user, keys: keys.filter((key) => allowed[user]?.includes(key)) };
    },
    onError: (error) => errors.push(error),
  });
  const requests: string[] = []; // the cookie of each request to the endpoint
  const backend = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    requests.push(request.headers.get("cookie") ?? "");
    return endpoint(request);
  });
  const signatureUrl = `http://127.0.0.1:${backend.addr.port}/centrifugo/shared-poll-signature`;
  const server = await startCentrifugo({
    channel: {
      namespaces: [{
        name: NAMESPACES.scores,
        subscription_type: "shared_poll",
        allow_subscribe_for_client: true,
        shared_poll: { mode: "versioned", publish_enabled: true },
      }],
      proxy: { shared_poll_refresh: { endpoint: proxy.url, timeout: "1s" } },
    },
  });
  const api = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  const subs: [SdkClient, SharedPollSubscription][] = [];
  const subscribe = (client: SdkClient, cookie: string) => {
    const sub = client.client.newSharedPollSubscription(CHANNEL, {
      getSignature: getSignature(signatureUrl, CHANNEL, cookie),
    });
    client.watch(sub);
    subs.push([client, sub]);
    return sub;
  };
  try {
    await withSdkClients(server.wsUrl, async (open) => {
      const alice = open({
        token: await connectionToken({ sub: "alice" }, HMAC_SECRET, { expiresIn: 600 }),
      });
      const sub = subscribe(alice, "session=alice");

      await t.step("the keys signed are tracked, the others revoked", async () => {
        sub.track(["final-1", "secret", "final-2"]);
        sub.subscribe();
        await alice.waitFor(isUpdate("final-1", 1), "final-1 v1 from the proxy");
        await alice.waitFor(isUpdate("final-2", 1), "final-2 v1 from the proxy");
        await alice.waitFor(isRemoved("secret"), "secret revoked");
        assert.deepEqual(asked[0], ["final-1", "secret", "final-2"]);
        assert.deepEqual([...sub.trackedKeys()].sort(), ["final-1", "final-2"]);
        assert.ok(!proxy.polled.includes("secret"), "Centrifugo polled a revoked key");
      });

      await t.step("sharedPollPublish reaches the signed keys, and only them", async () => {
        assert.deepEqual(
          await api.sharedPollPublish(CHANNEL, "final-1", { home: 1, away: 0 }, { version: 2 }),
          {},
        );
        const update = await alice.waitFor(isUpdate("final-1", 2), "final-1 v2");
        assert.deepEqual(update, {
          type: "update",
          channel: CHANNEL,
          key: "final-1",
          data: { home: 1, away: 0 },
          version: 2,
        });
        await api.sharedPollPublish(CHANNEL, "secret", { leaked: "published" }, { version: 9 });
        await delay(500);
        assert.ok(
          !alice.events.some((e) => e.type === "update" && e.key === "secret" && !e.removed),
          "a key outside the signature was delivered",
        );
      });

      await t.step("a key outside the signature it comes with is refused", async () => {
        const signature = await sharedPollSignature(
          { user: "alice", channel: CHANNEL, keys: ["final-1"] },
          SHARED_POLL_SECRET,
          { expiresIn: 60 },
        );
        sub.track([{ key: "other", version: 0 }], signature);
        const refused = await alice.waitFor(
          (e) => e.type === "sub-error" && e.kind === "track",
          "track error",
        );
        assert.equal(refused.type === "sub-error" && refused.code, 103);
        await alice.waitFor(isRemoved("other"), "other removed");
        // Another user's signature for the very key, or another channel's: refused too.
        for (
          const grant of [
            { user: "bob", channel: CHANNEL, keys: ["final-3"] },
            { user: "alice", channel: `${NAMESPACES.scores}:semi`, keys: ["final-3"] },
          ]
        ) {
          const before = alice.ofType("sub-error").length;
          sub.track(
            [{ key: "final-3", version: 0 }],
            await sharedPollSignature(grant, SHARED_POLL_SECRET, { expiresIn: 60 }),
          );
          await alice.waitFor(
            (e) => e === alice.ofType("sub-error")[before],
            "track error",
          );
          assert.equal(alice.ofType("sub-error")[before]?.code, 103);
        }
        await api.sharedPollPublish(CHANNEL, "other", { leaked: "published" }, { version: 9 });
        await api.sharedPollPublish(CHANNEL, "final-3", { home: 3, away: 2 }, { version: 9 });
        await delay(500);
        assert.ok(
          !alice.events.some((e) =>
            e.type === "update" && (e.key === "other" || e.key === "final-3") && !e.removed
          ),
          JSON.stringify(alice.ofType("update")),
        );
      });

      await t.step("a signature that never expires is taken as well", async () => {
        const signature = await sharedPollSignature(
          { user: "alice", channel: CHANNEL, keys: ["final-3"] },
          SHARED_POLL_SECRET,
          { expiresIn: "never" },
        );
        assert.match(signature, /^\d+:0:[0-9a-f]{64}$/);
        sub.track([{ key: "final-3", version: 0 }], signature);
        // Its data from the proxy (a publication to a key nobody tracked was not kept).
        const update = await alice.waitFor(
          (e) => isUpdate("final-3")(e) && !(e as { removed?: boolean }).removed,
          "final-3 from the proxy",
        );
        assert.deepEqual(update, {
          type: "update",
          channel: CHANNEL,
          key: "final-3",
          data: { home: 2, away: 2 },
          version: 1,
        });
      });

      await t.step("the signature is refreshed through the endpoint as it expires", async () => {
        const calls = asked.length;
        await until(() => asked.length > calls, "signature refresh", 6000);
        // One consolidated call for the keys tracked through getSignature.
        assert.deepEqual([...asked[calls]!].sort(), ["final-1", "final-2", "final-3"]);
        await delay(300);
        await api.sharedPollPublish(CHANNEL, "final-2", { home: 1, away: 1 }, { version: 3 });
        await alice.waitFor(isUpdate("final-2", 3), "final-2 v3 after the refresh");
        assert.equal(alice.ofType("unsubscribed").length, 0);
      });

      await t.step("a refusal (403) revokes every key, and is not retried", async () => {
        const mallory = open({
          token: await connectionToken({ sub: "mallory" }, HMAC_SECRET, { expiresIn: 600 }),
        });
        const stranger = subscribe(mallory, "theme=dark");
        stranger.track(["final-1", "final-2"]);
        stranger.subscribe();
        await mallory.waitFor(isRemoved("final-1"), "final-1 revoked");
        await mallory.waitFor(isRemoved("final-2"), "final-2 revoked");
        await api.sharedPollPublish(CHANNEL, "final-1", { home: 2, away: 0 }, { version: 4 });
        await alice.waitFor(isUpdate("final-1", 4), "final-1 v4 for alice");
        await delay(500);
        assert.ok(!mallory.events.some((e) => e.type === "update" && !e.removed));
        assert.equal(requests.filter((cookie) => cookie === "theme=dark").length, 1);
        assert.deepEqual([...stranger.trackedKeys()], []);
      });

      for (const [client, sub] of subs) {
        sub.unsubscribe();
        client.client.removeSharedPollSubscription(sub);
      }
    });
    assert.deepEqual(errors, []);
  } finally {
    await server.stop();
    await backend.shutdown();
    await proxy.close();
  }
});

Deno.test("sharedPollSignatureEndpoint treats every request as hostile", async () => {
  const errors: unknown[] = [];
  const handler = sharedPollSignatureEndpoint({
    secret: SHARED_POLL_SECRET,
    expiresIn: 60,
    maxBodyBytes: 1024,
    authorize: (_request, channel, keys) => {
      if (channel === "extra") return { user: "u", keys: [...keys, "not-asked"] };
      if (channel === "undefined") return undefined as never;
      if (channel === "nul") return { user: "u\0v", keys };
      return { user: "u", keys: [...keys].reverse() };
    },
    onError: (error) => errors.push(error),
  });
  const post = (body: unknown) =>
    handler(
      new Request("http://x/", {
        method: "POST",
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    );
  const ok = await post({ channel: "c", keys: ["a", "b"] });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("cache-control"), "no-store");
  const signed = await ok.json();
  assert.deepEqual(signed.keys, ["b", "a"]); // in the order authorize gave
  const [iat, exp] = signed.signature.split(":").map(Number);
  assert.equal(exp - iat, 60);
  // It is the signature of those keys, in that order, for that user and channel.
  assert.equal(
    signed.signature,
    await sharedPollSignature(
      { user: "u", channel: "c", keys: ["b", "a"], iat, exp },
      SHARED_POLL_SECRET,
    ),
  );
  const cases: [Promise<Response>, number][] = [
    [post({ keys: ["a"] }), 400],
    [post({ channel: "c" }), 400],
    [post({ channel: "c", keys: "a" }), 400],
    [post({ channel: "c", keys: [1] }), 400],
    [post({ channel: "", keys: [] }), 400],
    [post("[1, 2]"), 400],
    [post("{"), 400],
    [post({ channel: "c", keys: ["x".repeat(2000)] }), 413],
    [handler(new Request("http://x/?channel=c")), 405],
    [post({ channel: "extra", keys: ["a"] }), 500],
    [post({ channel: "undefined", keys: ["a"] }), 500],
    [post({ channel: "nul", keys: ["a"] }), 500],
  ];
  for (const [response, status] of cases) {
    const res = await response;
    assert.equal(res.status, status);
    const text = await res.text();
    assert.ok(text.length < 40 && !text.includes("not-asked"), text);
  }
  assert.deepEqual(errors.map((e) => (e as Error).message), [
    "sharedPollSignatureEndpoint: authorize returned a key the client did not ask for",
    "sharedPollSignatureEndpoint: authorize returned undefined; return the claims, or null to refuse",
    'sharedPollSignature: user must be a string ("" for anonymous) without NUL',
  ]);
  assert.throws(
    () => sharedPollSignatureEndpoint({ secret: "", expiresIn: 60, authorize: () => null }),
    /option secret must be shared_poll.hmac_secret_key/,
  );
});

Deno.test("sharedPollSignature: the format, the order, the expiry, the checks", async () => {
  const grant = { user: "42", channel: "scores:x", keys: ["a", "b"], iat: 1_700_000_000 };
  const signature = await sharedPollSignature(grant, "secret", { expiresIn: 60 });
  assert.match(signature, /^\d+:\d+:[0-9a-f]{64}$/);
  const [, exp] = signature.split(":").map(Number);
  assert.equal(exp, Math.floor(Date.now() / 1000) + 60);
  const fixed = await sharedPollSignature({ ...grant, exp: 1_700_003_600 }, "secret");
  assert.match(fixed, /^1700000000:1700003600:[0-9a-f]{64}$/);
  // Each part of the grant changes the mac; the secret may be bytes or a CryptoKey.
  const variants = await Promise.all([
    sharedPollSignature({ ...grant, exp: 1_700_003_600, keys: ["b", "a"] }, "secret"),
    sharedPollSignature({ ...grant, exp: 1_700_003_600, user: "43" }, "secret"),
    sharedPollSignature({ ...grant, exp: 1_700_003_600, channel: "scores:y" }, "secret"),
    sharedPollSignature({ ...grant, exp: 1_700_003_601 }, "secret"),
    sharedPollSignature({ ...grant, exp: 1_700_003_600 }, "secret2"),
  ]);
  assert.equal(new Set([fixed, ...variants.map((v) => v)]).size, 6);
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode("secret"),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  assert.equal(await sharedPollSignature({ ...grant, exp: 1_700_003_600 }, key), fixed);
  assert.equal(
    await sharedPollSignature({ ...grant, exp: 1_700_003_600 }, new TextEncoder().encode("secret")),
    fixed,
  );

  const rejects = async (promise: Promise<unknown>, message: RegExp) => {
    const err = await promise.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`);
    assert.match(err.message, message);
    assert.ok(!err.message.includes("top-secret"));
  };
  await rejects(
    sharedPollSignature(grant, "top-secret"),
    /the signature would never expire; give the grant's exp or the expiresIn option \(seconds\), or expiresIn: "never"/,
  );
  await rejects(
    sharedPollSignature({ ...grant, exp: 0 }, "top-secret"),
    /exp 0 means "never expires"; say so with expiresIn: "never"/,
  );
  await rejects(
    sharedPollSignature({ ...grant, exp: 5 }, "top-secret", { expiresIn: 5 }),
    /either the grant's exp or the expiresIn option/,
  );
  await rejects(
    sharedPollSignature({ ...grant, keys: ["a\0b"] }, "top-secret", { expiresIn: 5 }),
    /keys must be an array of strings without NUL/,
  );
  await rejects(
    sharedPollSignature({ ...grant, exp: Date.now() }, "top-secret"),
    /exp must be Unix time in seconds, not milliseconds/,
  );
  await rejects(
    sharedPollSignature({ ...grant, key: "a" } as never, "top-secret", { expiresIn: 5 }),
    /unknown grant field key/,
  );
  await rejects(sharedPollSignature(grant, "", { expiresIn: 5 }), /the secret is empty/);
  await rejects(
    sharedPollSignature(grant, 42 as never, { expiresIn: 5 }),
    /the secret must be shared_poll.hmac_secret_key/,
  );
  const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
    "sign",
  ]);
  await rejects(
    sharedPollSignature(grant, ec.privateKey, { expiresIn: 5 }),
    /the CryptoKey must be an HMAC SHA-256 key that can sign/,
  );
});
