// The Batch builder and Client.send against a real Centrifugo: one reply per
// command, in order, per-command errors as typed replies, whole-request
// failures as rejections.

import assert from "node:assert/strict";
import { Batch, Client, isSuccess, RequestError, ResponseError } from "@aiocent/aiocent";
import { API_KEY, NAMESPACES, startCentrifugo } from "./_centrifugo.ts";
import { connectSubscriber } from "./_subscriber.ts";

Deno.test("Batch builds the wire commands of each method", () => {
  const batch = new Batch();
  const same = batch
    .publish("a", { x: 1 }, { skip_history: true })
    .broadcast(["a", "b"], "hi")
    .subscribe("u", "a", { client: "c1" })
    .unsubscribe("u", "a")
    .disconnect("u", { disconnect: { code: 4000, reason: "r" } })
    .refresh("u", { expired: true })
    .presence("a")
    .presenceStats("a")
    .history("a", { limit: 5, reverse: true })
    .historyRemove("a")
    .channels({ pattern: "*" })
    .info()
    .rpc("m", { p: 1 })
    .add("get_user_status", { users: ["u"] });
  assert.equal(same, batch);
  assert.equal(batch.length, 14);
  assert.deepEqual(batch.commands, [
    { method: "publish", params: { channel: "a", data: { x: 1 }, skip_history: true } },
    { method: "broadcast", params: { channels: ["a", "b"], data: "hi" } },
    { method: "subscribe", params: { user: "u", channel: "a", client: "c1" } },
    { method: "unsubscribe", params: { user: "u", channel: "a" } },
    { method: "disconnect", params: { user: "u", disconnect: { code: 4000, reason: "r" } } },
    { method: "refresh", params: { user: "u", expired: true } },
    { method: "presence", params: { channel: "a" } },
    { method: "presence_stats", params: { channel: "a" } },
    { method: "history", params: { channel: "a", limit: 5, reverse: true } },
    { method: "history_remove", params: { channel: "a" } },
    { method: "channels", params: { pattern: "*" } },
    { method: "info", params: {} },
    { method: "rpc", params: { method: "m", params: { p: 1 } } },
    { method: "get_user_status", params: { users: ["u"] } },
  ]);
});

Deno.test("Client.send against a real Centrifugo", async (t) => {
  const server = await startCentrifugo();
  const client = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  try {
    await t.step("mixed results and per-command errors, in order", async () => {
      const batch = new Batch()
        .publish("batch-mixed", { n: 1 })
        .publish("nosuchnamespace:x", { n: 2 })
        .history(`${NAMESPACES.bare}:x`)
        .presenceStats("batch-mixed")
        .broadcast(["batch-mixed", "nosuchnamespace:y"], { n: 3 })
        .rpc("nosuchmethod")
        .add("get_user_status", { users: ["u"] })
        .history("batch-mixed", { limit: -1 })
        .info();
      const replies = await client.send(batch);
      assert.deepEqual(replies.map((r) => [r.method, r.ok]), [
        ["publish", true],
        ["publish", false],
        ["history", false],
        ["presence_stats", true],
        ["broadcast", true],
        ["rpc", false],
        ["get_user_status", false],
        ["history", true],
        ["info", true],
      ]);
      const codes = replies.map((r) => r.ok ? null : r.error.code);
      assert.deepEqual(codes, [null, 102, 108, null, null, 104, 104, null, null]);
      for (const reply of replies) {
        if (!reply.ok) {
          assert.ok(reply.error instanceof ResponseError);
          assert.equal(reply.error.method, reply.method);
        }
      }
      const [published, , , stats, broadcast, , , history, info] = replies;
      assert.ok(isSuccess(published, "publish"));
      assert.equal(published.result.offset, 1);
      assert.ok(isSuccess(stats, "presence_stats"));
      assert.deepEqual(stats.result, { num_clients: 0, num_users: 0 });
      assert.ok(isSuccess(broadcast, "broadcast"));
      const [ok, failed] = broadcast.result.responses;
      assert.ok(ok?.ok && ok.result.offset === 2);
      assert.ok(failed && !failed.ok && failed.error.code === 102);
      // Sequential by default: the history command sees both earlier publishes.
      assert.ok(isSuccess(history, "history"));
      assert.deepEqual(history.result.publications.map((p) => p.data), [{ n: 1 }, { n: 3 }]);
      assert.ok(isSuccess(info, "info"));
      assert.equal(info.result.nodes.length, 1);
      assert.equal(isSuccess(info, "publish"), false);
    });

    await t.step("parallel: 300 publishes in one request, all replied in order", async () => {
      const batch = new Batch();
      for (let i = 0; i < 300; i++) batch.publish(`batch-par-${i}`, { i });
      const replies = await client.send(batch, { parallel: true });
      assert.equal(replies.length, 300);
      assert.ok(replies.every((r) => isSuccess(r, "publish") && r.result.offset === 1));
      const check = new Batch();
      for (let i = 0; i < 300; i += 37) check.history(`batch-par-${i}`, { limit: -1 });
      const histories = await client.send(check);
      histories.forEach((reply, k) => {
        assert.ok(isSuccess(reply, "history"));
        assert.deepEqual(reply.result.publications.map((p) => p.data), [{ i: k * 37 }]);
      });
    });

    await t.step("a subscriber receives what a batch published", async () => {
      const sub = await connectSubscriber(server.wsUrl, "batch-user");
      try {
        await sub.subscribe("batch-live");
        await client.send(
          new Batch().publish("batch-live", { k: 1 }).publish("batch-live", { k: 2 }),
        );
        await sub.waitFor("publication", (e) => (e.data as { k: number }).k === 2);
        const received = sub.events.flatMap((e) => e.type === "publication" ? [e.data] : []);
        assert.deepEqual(received, [{ k: 1 }, { k: 2 }]);
      } finally {
        await sub.close();
      }
    });

    await t.step("the batch is captured when send is called", async () => {
      const batch = new Batch().publish("batch-snap", { k: 1 });
      const pending = client.send(batch);
      batch.publish("batch-snap", { k: 2 });
      const replies = await pending;
      assert.equal(replies.length, 1);
      const history = await client.history("batch-snap", { limit: -1 });
      assert.deepEqual(history.publications.map((p) => p.data), [{ k: 1 }]);
    });

    await t.step("an empty batch resolves [] without a request", async () => {
      const dead = new Client("http://127.0.0.1:9/api");
      assert.deepEqual(await dead.send(new Batch()), []);
    });

    await t.step("a failed request rejects as a whole", async () => {
      const wrong = new Client(server.apiUrl, { apiKey: "not-the-key" });
      await assert.rejects(wrong.send(new Batch().info()), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.status, 401);
        assert.equal(err.method, "batch");
        assert.match(err.message, /POST http:\/\/127\.0\.0\.1:\d+\/api\/batch/);
        return true;
      });
    });
  } finally {
    await server.stop();
  }
});
