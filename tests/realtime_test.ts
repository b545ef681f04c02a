// Effects only a connected client can show, checked with the official
// WebSocket SDK (`centrifuge`) against a real Centrifugo: delivery, presence,
// server-side subscribe/unsubscribe, disconnect and refresh.

import assert from "node:assert/strict";
import { Client } from "@aiocent/aiocent";
import { API_KEY, type Centrifugo, startCentrifugo } from "./_centrifugo.ts";
import { connectSubscriber, type Subscriber } from "./_subscriber.ts";

/** Runs `fn` with connected subscribers, closing them whatever happens. */
async function withSubscribers(
  server: Centrifugo,
  users: string[],
  fn: (...subs: Subscriber[]) => Promise<void>,
) {
  const subs: Subscriber[] = [];
  try {
    for (const user of users) subs.push(await connectSubscriber(server.wsUrl, user));
    await fn(...subs);
  } finally {
    await Promise.all(subs.map((s) => s.close()));
  }
}

Deno.test("effects seen by a real WebSocket client", async (t) => {
  const server = await startCentrifugo();
  const client = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  try {
    await t.step("published data and tags arrive exactly as sent", async () => {
      await withSubscribers(server, ["alice"], async (alice) => {
        await alice.subscribe("rt-delivery");
        const data = {
          text: "héllo, wörld — 你好 🎉",
          nested: { list: [1, 2.5, -3, 1e21, null, true, false], empty: {} },
          quote: "\"'\\\n\t",
        };
        await client.publish("rt-delivery", data, { tags: { source: "api" } });
        const got = await alice.waitFor("publication", (e) => e.channel === "rt-delivery");
        assert.deepEqual(got.data, data);
        assert.deepEqual(got.tags, { source: "api" });
        // The exact JSON text survives the round trip, not just an equal value.
        assert.equal(JSON.stringify(got.data), JSON.stringify(data));
      });
    });

    await t.step("broadcast reaches subscribers of every channel", async () => {
      await withSubscribers(server, ["alice"], async (alice) => {
        await alice.subscribe("rt-bc-1");
        await alice.subscribe("rt-bc-2");
        const { responses } = await client.broadcast(["rt-bc-1", "rt-bc-2"], { all: true });
        assert.ok(responses.every((r) => r.ok));
        await alice.waitFor("publication", (e) => e.channel === "rt-bc-1");
        await alice.waitFor("publication", (e) => e.channel === "rt-bc-2");
      });
    });

    await t.step("presence, presenceStats, channels and info see the subscribers", async () => {
      await withSubscribers(server, ["alice", "bob", "bob"], async (alice, bob1, bob2) => {
        for (const sub of [alice, bob1, bob2]) await sub.subscribe("rt-presence");
        const { presence } = await client.presence("rt-presence");
        assert.deepEqual(
          Object.fromEntries(Object.entries(presence).map(([id, info]) => [id, info.user])),
          { [alice.clientId]: "alice", [bob1.clientId]: "bob", [bob2.clientId]: "bob" },
        );
        assert.equal(presence[alice.clientId]?.client, alice.clientId);
        assert.deepEqual(await client.presenceStats("rt-presence"), {
          num_clients: 3,
          num_users: 2,
        });
        const { channels } = await client.channels({ pattern: "rt-pres*" });
        assert.deepEqual(channels, { "rt-presence": { num_clients: 3 } });
        // A node refreshes its own counts periodically, so poll for them.
        const deadline = Date.now() + 15_000;
        let node;
        do {
          node = (await client.info()).nodes[0];
          if (node?.num_clients === 3) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        } while (Date.now() < deadline);
        assert.equal(node?.num_clients, 3);
        assert.equal(node?.num_users, 2);
        assert.equal(node?.num_channels, 1);
      });
    });

    await t.step("subscribe puts a user into a channel it never asked for", async () => {
      await withSubscribers(server, ["carol"], async (carol) => {
        await client.subscribe("carol", "rt-forced", { data: { why: "server said so" } });
        const subscribed = await carol.waitFor("subscribed", (e) => e.channel === "rt-forced");
        assert.deepEqual(subscribed.data, { why: "server said so" });
        await client.publish("rt-forced", { n: 1 });
        const got = await carol.waitFor("publication", (e) => e.channel === "rt-forced");
        assert.deepEqual(got.data, { n: 1 });
      });
    });

    await t.step("unsubscribe ends the server-side subscription", async () => {
      await withSubscribers(server, ["dave"], async (dave) => {
        await dave.subscribe("rt-marker");
        await client.subscribe("dave", "rt-leave");
        await dave.waitFor("subscribed", (e) => e.channel === "rt-leave");
        await client.unsubscribe("dave", "rt-leave");
        await dave.waitFor("unsubscribed", (e) => e.channel === "rt-leave");
        await client.publish("rt-leave", { after: "unsubscribe" });
        // Publications reach a client in order: once the marker is here, the
        // earlier publication would have been too, had it been delivered.
        await client.publish("rt-marker", { marker: true });
        await dave.waitFor("publication", (e) => e.channel === "rt-marker");
        assert.equal(
          dave.events.filter((e) => e.type === "publication" && e.channel === "rt-leave").length,
          0,
        );
        const { presence } = await client.presence("rt-leave");
        assert.deepEqual(presence, {});
      });
    });

    await t.step("disconnect delivers a custom code and reason", async () => {
      await withSubscribers(server, ["erin"], async (erin) => {
        await client.disconnect("erin", { disconnect: { code: 4500, reason: "banned" } });
        const event = await erin.waitFor("disconnected");
        assert.equal(event.code, 4500);
        assert.equal(event.reason, "banned");
      });
    });

    await t.step("disconnect with a whitelist keeps the listed connection", async () => {
      await withSubscribers(server, ["frank", "frank"], async (kept, dropped) => {
        await client.disconnect("frank", {
          whitelist: [kept.clientId],
          disconnect: { code: 4501, reason: "one session only" },
        });
        const event = await dropped.waitFor("disconnected");
        assert.equal(event.code, 4501);
        await kept.subscribe("rt-still-here");
        await client.publish("rt-still-here", { ok: 1 });
        await kept.waitFor("publication", (e) => e.channel === "rt-still-here");
        assert.equal(kept.events.some((e) => e.type === "disconnected"), false);
      });
    });

    await t.step("refresh with expired: true ends the connection", async () => {
      await withSubscribers(server, ["gina"], async (gina) => {
        await client.refresh("gina", { expired: true });
        const event = await gina.waitFor("connecting", (e) => e.code !== 0);
        assert.equal(event.code, 3005);
      });
    });
  } finally {
    await server.stop();
  }
});
