// Shared poll (Centrifugo 6.8+): sharedPollPublish against a real Centrifugo
// with a shared-poll namespace, reaching a real centrifuge-js
// SharedPollSubscription that tracks a key, next to the refresh proxy that
// Centrifugo polls for the key's data.

import assert from "node:assert/strict";
import { Centrifuge, type SharedPollUpdateContext } from "centrifuge";
import { Batch, Client, ERROR_CODE, ResponseError } from "@aiocent/aiocent";
import {
  API_KEY,
  channelConfig,
  NAMESPACES,
  SHARED_POLL_SECRET,
  startCentrifugo,
} from "./_centrifugo.ts";
import { trackSignature } from "./_keys.ts";
import { connectionToken, trackedWebSocket } from "./_subscriber.ts";

const encoder = new TextEncoder();

/** The backend's data of each key, and the refresh proxy Centrifugo polls it from. */
function refreshProxy(data: Map<string, { data: unknown; version: number }>) {
  const polled: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const { items } = await req.json() as { items: { key: string; version?: number }[] };
    const answer = [];
    for (const { key, version = 0 } of items) {
      polled.push(key);
      const item = data.get(key);
      if (!item) answer.push({ key, removed: true });
      else if (item.version > version) answer.push({ key, data: item.data, version: item.version });
    }
    return Response.json({ result: { items: answer } });
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}/shared_poll_refresh`,
    polled,
    close: () => server.shutdown(),
  };
}

Deno.test("shared poll against a real Centrifugo and a real SharedPollSubscription", async (t) => {
  const backend = new Map([["match-7", { data: { home: 0, away: 0 }, version: 1 }]]);
  const proxy = refreshProxy(backend);
  const server = await startCentrifugo({
    channel: channelConfig({
      proxy: { shared_poll_refresh: { endpoint: proxy.endpoint, timeout: "1s" } },
      namespaces: [{
        name: "frozen",
        subscription_type: "shared_poll",
        allow_subscribe_for_client: true,
        shared_poll: { mode: "versioned", publish_enabled: false },
      }],
    }),
  });
  const client = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  try {
    await t.step("a published version reaches the subscriber tracking the key", async () => {
      const channel = `${NAMESPACES.scores}:live`;
      const sockets = trackedWebSocket();
      const watcher = new Centrifuge(server.wsUrl, {
        token: await connectionToken("fan"),
        websocket: sockets.WebSocket,
      });
      const sub = watcher.newSharedPollSubscription(channel, {
        getSignature: async ({ keys }) => ({
          keys,
          signature: await trackSignature(SHARED_POLL_SECRET, "fan", channel, keys),
        }),
      });
      const updates: SharedPollUpdateContext[] = [];
      const arrived = (n: number) => {
        const deadline = Date.now() + 5000;
        return (async () => {
          while (updates.length < n && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        })();
      };
      sub.on("update", (ctx) => updates.push(ctx));
      watcher.connect();
      sub.subscribe();
      try {
        await sub.ready(5000);
        sub.track(["match-7"]);
        // First the key's data polled from the backend.
        await arrived(1);
        assert.deepEqual(updates.map((u) => [u.key, u.version, u.data]), [
          ["match-7", 1, { home: 0, away: 0 }],
        ]);
        assert.ok(proxy.polled.includes("match-7"));
        // Then a newer version pushed by the API, without waiting for a poll.
        assert.deepEqual(
          await client.sharedPollPublish(channel, "match-7", { home: 1, away: 0 }, { version: 2 }),
          {},
        );
        await arrived(2);
        // An older or equal version is accepted by the API but never delivered.
        await client.sharedPollPublish(channel, "match-7", { home: 9, away: 9 }, { version: 2 });
        // Binary data goes as b64data; a BigInt version is fine for a uint64.
        const encoded = new Client(server.apiUrl, {
          apiKey: API_KEY,
          jsonEncoder: (v) => JSON.stringify(v, (_k, x) => typeof x === "bigint" ? Number(x) : x),
        });
        await encoded.sharedPollPublish(
          channel,
          "match-7",
          encoder.encode('{"home":2,"away":1}'),
          { version: 4n },
        );
        await arrived(3);
        assert.deepEqual(updates.map((u) => [u.version, u.data]), [
          [1, { home: 0, away: 0 }],
          [2, { home: 1, away: 0 }],
          [4, { home: 2, away: 1 }],
        ]);
        // A key nobody tracks reaches nobody.
        await client.sharedPollPublish(channel, "match-8", { home: 5 }, { version: 9 });
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(updates.length, 3);
      } finally {
        const disconnected = new Promise<void>((r) => watcher.once("disconnected", () => r()));
        sub.unsubscribe();
        watcher.removeSharedPollSubscription(sub);
        watcher.disconnect();
        await disconnected;
        await sockets.closed();
      }
    });

    await t.step("what Centrifugo refuses: publish off 108, another namespace 107", async () => {
      const refused = async (promise: Promise<unknown>, code: number) =>
        await assert.rejects(promise, (err: unknown) => {
          assert.ok(err instanceof ResponseError, String(err));
          assert.equal(err.code, code);
          assert.equal(err.method, "shared_poll_publish");
          return true;
        });
      await refused(client.sharedPollPublish("frozen:x", "k", 1, { version: 1 }), 108);
      await refused(client.sharedPollPublish("chat:x", "k", 1, { version: 1 }), 107);
      await refused(
        client.sharedPollPublish(`${NAMESPACES.board}:x`, "k", 1, { version: 1 }),
        ERROR_CODE.BadRequest,
      );
      // In a batch, the same.
      const [reply] = await client.send(
        new Batch().sharedPollPublish("frozen:x", "k", 1, { version: 1 }),
      );
      assert.ok(reply && !reply.ok && reply.error.code === 108);
    });

    await t.step("version is required and above 0, checked before sending", async () => {
      await assert.rejects(
        client.sharedPollPublish("scores:x", "k", 1, { version: 0 }),
        /^TypeError: sharedPollPublish: option version must be a positive integer, got number 0$/,
      );
      await assert.rejects(
        client.sharedPollPublish("scores:x", "k", 1, {} as never),
        /sharedPollPublish: option version must be a positive integer, got undefined/,
      );
      await assert.rejects(
        client.sharedPollPublish("scores:x", "k", 1, { version: 1, b64data: "AQ==" }),
        /sharedPollPublish: pass data or b64data, not both/,
      );
      assert.throws(
        () => new Batch().sharedPollPublish("scores:x", "", 1, { version: 1 }),
        /sharedPollPublish: key must be a non-empty string/,
      );
    });
  } finally {
    await client.close();
    await server.stop();
    await proxy.close();
  }
});
