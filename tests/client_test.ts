// Every API method against a real Centrifugo v6.9.1: results, their shapes,
// and the error codes the server really returns.

import assert from "node:assert/strict";
import { Client, RequestError, ResponseError } from "@aiocent/aiocent";
import { API_KEY, CENTRIFUGO_VERSION, NAMESPACES, startCentrifugo } from "./_centrifugo.ts";

/** Asserts that `promise` rejects with a ResponseError of `code` for `method`. */
async function rejectsWithCode(promise: Promise<unknown>, method: string, code: number) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ResponseError, `expected ResponseError, got ${err}`);
    assert.equal(err.code, code);
    assert.equal(err.method, method);
    assert.equal(err.name, "ResponseError");
    assert.match(err.message, new RegExp(`^${method}: .+ \\(code ${code}\\)$`));
    return true;
  });
}

Deno.test("every method against a real Centrifugo", async (t) => {
  const server = await startCentrifugo();
  const client = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  try {
    await t.step("publish returns the stream position, and history has the data", async () => {
      const channel = "client-publish";
      const first = await client.publish(channel, { text: "one", n: 1 });
      const second = await client.publish(channel, ["two", 2, null, true], {
        tags: { kind: "test" },
      });
      assert.equal(typeof first.epoch, "string");
      assert.equal(first.offset, 1);
      assert.equal(second.offset, 2);
      assert.equal(second.epoch, first.epoch);
      const history = await client.history(channel, { limit: -1 });
      assert.deepEqual(history.publications.map((p) => p.data), [
        { text: "one", n: 1 },
        ["two", 2, null, true],
      ]);
      assert.deepEqual(history.publications[1]?.tags, { kind: "test" });
      assert.equal(history.offset, 2);
      assert.equal(history.epoch, first.epoch);
    });

    await t.step("publish with skip_history keeps it out of history", async () => {
      const channel = "client-skip";
      const result = await client.publish(channel, "kept-out", { skip_history: true });
      assert.deepEqual(result, {});
      const history = await client.history(channel, { limit: -1 });
      assert.deepEqual(history.publications, []);
    });

    await t.step("publish into a namespace without history returns {}", async () => {
      assert.deepEqual(await client.publish(`${NAMESPACES.bare}:x`, { a: 1 }), {});
    });

    await t.step("publish of a Uint8Array goes as b64data, bytes intact", async () => {
      const channel = "client-binary";
      // Valid JSON bytes: the JSON protocol's history returns them as parsed data.
      const bytes = new TextEncoder().encode('{"bin":"ary ü"}');
      await client.publish(channel, bytes);
      const history = await client.history(channel, { limit: 1, reverse: true });
      assert.deepEqual(history.publications[0]?.data, { bin: "ary ü" });
    });

    await t.step("idempotency_key deduplicates a repeated publish", async () => {
      const channel = "client-idem";
      const a = await client.publish(channel, { n: 1 }, { idempotency_key: "k1" });
      const b = await client.publish(channel, { n: 1 }, { idempotency_key: "k1" });
      assert.deepEqual(b, a);
      const history = await client.history(channel, { limit: -1 });
      assert.equal(history.publications.length, 1);
    });

    await t.step("history: limit, reverse, since, position only", async () => {
      const channel = "client-history";
      for (let i = 1; i <= 5; i++) await client.publish(channel, { i });
      const position = await client.history(channel);
      assert.deepEqual(position.publications, []);
      assert.equal(position.offset, 5);
      const last2 = await client.history(channel, { limit: 2, reverse: true });
      assert.deepEqual(last2.publications.map((p) => p.data), [{ i: 5 }, { i: 4 }]);
      const since = await client.history(channel, {
        limit: -1,
        since: { offset: 3, epoch: position.epoch },
      });
      assert.deepEqual(since.publications.map((p) => p.offset), [4, 5]);
    });

    await t.step("history since a wrong epoch: 112 unrecoverable position", async () => {
      const channel = "client-history-112";
      await client.publish(channel, { i: 1 });
      await rejectsWithCode(
        client.history(channel, { limit: -1, since: { offset: 0, epoch: "not-the-epoch" } }),
        "history",
        112,
      );
    });

    await t.step("historyRemove empties the history", async () => {
      const channel = "client-remove";
      await client.publish(channel, { i: 1 });
      assert.deepEqual(await client.historyRemove(channel), {});
      const history = await client.history(channel, { limit: -1 });
      assert.deepEqual(history.publications, []);
    });

    await t.step("history and presence where the namespace has none: 108", async () => {
      const channel = `${NAMESPACES.bare}:room`;
      await rejectsWithCode(client.history(channel), "history", 108);
      await rejectsWithCode(client.historyRemove(channel), "history_remove", 108);
      await rejectsWithCode(client.presence(channel), "presence", 108);
      await rejectsWithCode(client.presenceStats(channel), "presence_stats", 108);
    });

    await t.step("unknown namespace: 102 on every channel method", async () => {
      const channel = "nosuchnamespace:room";
      await rejectsWithCode(client.publish(channel, {}), "publish", 102);
      await rejectsWithCode(client.history(channel), "history", 102);
      await rejectsWithCode(client.presence(channel), "presence", 102);
      await rejectsWithCode(client.subscribe("u", channel), "subscribe", 102);
      await rejectsWithCode(client.unsubscribe("u", channel), "unsubscribe", 102);
    });

    await t.step("bad request: 107 for invalid b64data", async () => {
      await rejectsWithCode(
        client.publish("client-107", undefined, { b64data: "%%% not base64 %%%" }),
        "publish",
        107,
      );
    });

    await t.step("broadcast: per-channel results and errors, in order", async () => {
      const result = await client.broadcast(
        ["client-bc-a", "nosuchnamespace:x", "client-bc-b"],
        { hello: "all" },
      );
      assert.equal(result.responses.length, 3);
      const [a, bad, b] = result.responses;
      assert.ok(a?.ok && a.channel === "client-bc-a" && a.result.offset === 1);
      assert.ok(b?.ok && b.channel === "client-bc-b" && b.result.offset === 1);
      assert.ok(bad && !bad.ok);
      assert.equal(bad.channel, "nosuchnamespace:x");
      assert.ok(bad.error instanceof ResponseError);
      assert.equal(bad.error.code, 102);
      const history = await client.history("client-bc-b", { limit: -1 });
      assert.deepEqual(history.publications.map((p) => p.data), [{ hello: "all" }]);
    });

    await t.step("subscribe, unsubscribe, disconnect, refresh of an absent user: {}", async () => {
      assert.deepEqual(await client.subscribe("nobody", "client-sub"), {});
      assert.deepEqual(await client.unsubscribe("nobody", "client-sub"), {});
      assert.deepEqual(
        await client.disconnect("nobody", { disconnect: { code: 4000, reason: "x" } }),
        {},
      );
      assert.deepEqual(await client.refresh("nobody", { expire_at: 2_000_000_000 }), {});
    });

    await t.step("presence and presenceStats of an empty channel", async () => {
      assert.deepEqual(await client.presence("client-empty"), { presence: {} });
      assert.deepEqual(await client.presenceStats("client-empty"), {
        num_clients: 0,
        num_users: 0,
      });
    });

    await t.step("channels of an idle server is empty", async () => {
      assert.deepEqual(await client.channels({ pattern: "client-*" }), { channels: {} });
    });

    await t.step("info describes the running node", async () => {
      const { nodes } = await client.info();
      assert.equal(nodes.length, 1);
      const [node] = nodes;
      assert.match(
        node?.version ?? "",
        new RegExp(`^${CENTRIFUGO_VERSION.replaceAll(".", "\\.")}\\b`),
      );
      assert.equal(typeof node?.uid, "string");
      assert.equal(typeof node?.name, "string");
      assert.equal(typeof node?.num_clients, "number");
    });

    await t.step("rpc without a registered handler: 104 not found", async () => {
      await rejectsWithCode(client.rpc("nosuchmethod", { a: 1 }), "rpc", 104);
    });

    await t.step("call reaches any method by name", async () => {
      const result = await client.call<{ num_clients: number }>("presence_stats", {
        channel: "client-call",
      });
      assert.deepEqual(result, { num_clients: 0, num_users: 0 });
    });

    await t.step("call of a PRO method: RequestError 404 saying it needs PRO", async () => {
      await assert.rejects(client.call("get_user_status", { users: ["a"] }), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.status, 404);
        assert.equal(err.method, "get_user_status");
        assert.match(
          err.message,
          /get_user_status: POST http:\/\/127\.0\.0\.1:\d+\/api\/get_user_status/,
        );
        assert.match(err.message, /HTTP 404/);
        assert.match(err.message, /get_user_status needs Centrifugo PRO/);
        assert.match(err.message, /404 page not found/);
        return true;
      });
    });

    await t.step("a wrong API key: RequestError 401 that never shows a key", async () => {
      const wrong = new Client(server.apiUrl, { apiKey: "wrong-key-123" });
      await assert.rejects(wrong.info(), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.status, 401);
        assert.match(err.message, /wrong or missing API key/);
        assert.doesNotMatch(err.message, /wrong-key-123|test-api-key/);
        return true;
      });
      const none = new Client(server.apiUrl);
      await assert.rejects(
        none.info(),
        (err: unknown) => err instanceof RequestError && err.status === 401,
      );
    });

    await t.step("an address without the /api prefix: 404 with a hint", async () => {
      const bare = new Client(server.origin, { apiKey: API_KEY });
      await assert.rejects(bare.info(), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.status, 404);
        assert.match(err.message, /e\.g\. http:\/\/localhost:8000\/api/);
        return true;
      });
    });

    await t.step("a trailing slash in the address is tolerated", async () => {
      const slashed = new Client(`${server.apiUrl}/`, { apiKey: API_KEY });
      assert.equal(slashed.address, server.apiUrl);
      const { nodes } = await slashed.info();
      assert.equal(nodes.length, 1);
    });
  } finally {
    await server.stop();
  }
});
