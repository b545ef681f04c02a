// The legacy format (Centrifugo v3/v4's only one, still served by v6.9.1):
// every method and a Batch through it, against a real Centrifugo, with the
// same typed results and errors as the v6 format.

import assert from "node:assert/strict";
import {
  Batch,
  Client,
  type FetchLike,
  isSuccess,
  RequestError,
  ResponseError,
} from "@aiocent/aiocent";
import { API_KEY, NAMESPACES, startCentrifugo } from "./_centrifugo.ts";
import { connectSubscriber } from "./_subscriber.ts";

/** What the client sent: URL, auth headers and body of each request. */
interface Sent {
  url: string;
  authorization: string | null;
  apiKey: string | null;
  body: string;
}

/** A fetch that records each request before sending it for real. */
function recording(sent: Sent[]): FetchLike {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    sent.push({
      url: String(input),
      authorization: headers.get("authorization"),
      apiKey: headers.get("x-api-key"),
      body: String(init?.body),
    });
    return fetch(input, init);
  };
}

async function rejectsWithCode(promise: Promise<unknown>, method: string, code: number) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ResponseError, `expected ResponseError, got ${err}`);
    assert.equal(err.code, code);
    assert.equal(err.method, method);
    return true;
  });
}

Deno.test("the legacy format against a real Centrifugo", async (t) => {
  const server = await startCentrifugo();
  const sent: Sent[] = [];
  const client = new Client(server.apiUrl, {
    apiKey: API_KEY,
    format: "legacy",
    fetch: recording(sent),
    timeout: 5000,
  });
  try {
    await t.step("a call is {method, params} to the endpoint itself, key as apikey", async () => {
      const result = await client.publish("legacy-pub", { text: "hi" }, { tags: { k: "v" } });
      assert.equal(result.offset, 1);
      const [request] = sent;
      assert.equal(request?.url, server.apiUrl);
      assert.equal(request?.authorization, `apikey ${API_KEY}`);
      assert.equal(request?.apiKey, null);
      assert.deepEqual(JSON.parse(request!.body), {
        method: "publish",
        params: { channel: "legacy-pub", data: { text: "hi" }, tags: { k: "v" } },
      });
    });

    await t.step("every method returns the same typed results", async () => {
      const history = await client.history("legacy-pub", { limit: -1 });
      assert.deepEqual(history.publications.map((p) => [p.data, p.tags]), [[{ text: "hi" }, {
        k: "v",
      }]]);
      const { responses } = await client.broadcast(["legacy-a", "nosuchns:x"], 1);
      assert.ok(responses[0]?.ok);
      assert.ok(responses[1] && !responses[1].ok && responses[1].error.code === 102);
      assert.deepEqual(await client.subscribe("nobody", "legacy-pub"), {});
      assert.deepEqual(await client.unsubscribe("nobody", "legacy-pub"), {});
      assert.deepEqual(await client.disconnect("nobody"), {});
      assert.deepEqual(await client.refresh("nobody", { expired: false }), {});
      assert.deepEqual(await client.presence("legacy-empty"), { presence: {} });
      assert.deepEqual(await client.presenceStats("legacy-empty"), {
        num_clients: 0,
        num_users: 0,
      });
      assert.deepEqual(await client.historyRemove("legacy-pub"), {});
      assert.deepEqual((await client.history("legacy-pub", { limit: -1 })).publications, []);
      assert.deepEqual(await client.channels({ pattern: "legacy-*" }), { channels: {} });
      assert.equal((await client.info()).nodes.length, 1);
    });

    await t.step("errors are the same ResponseErrors", async () => {
      await rejectsWithCode(client.publish("nosuchns:x", 1), "publish", 102);
      await rejectsWithCode(client.history(`${NAMESPACES.bare}:x`), "history", 108);
      await rejectsWithCode(client.rpc("nosuch"), "rpc", 104);
      await rejectsWithCode(
        client.history("legacy-112", { limit: -1, since: { offset: 1, epoch: "wrong" } }),
        "history",
        112,
      );
    });

    await t.step("a subscriber receives a legacy publish", async () => {
      const sub = await connectSubscriber(server.wsUrl, "legacy-user");
      try {
        await sub.subscribe("legacy-live");
        await client.publish("legacy-live", { via: "legacy" });
        const got = await sub.waitFor("publication", (e) => e.channel === "legacy-live");
        assert.deepEqual(got.data, { via: "legacy" });
      } finally {
        await sub.close();
      }
    });

    await t.step("a batch is newline-delimited commands with ids; replies map back", async () => {
      sent.length = 0;
      const replies = await client.send(
        new Batch()
          .publish("legacy-batch", { n: 1 })
          .publish("nosuchns:x", { n: 2 })
          .history("legacy-batch", { limit: -1 })
          .presenceStats("legacy-batch"),
      );
      const lines = sent[0]!.body.split("\n").map((line) => JSON.parse(line));
      assert.deepEqual(lines.map((c) => [c.id, c.method]), [
        [1, "publish"],
        [2, "publish"],
        [3, "history"],
        [4, "presence_stats"],
      ]);
      assert.equal(sent[0]!.url, server.apiUrl);
      assert.deepEqual(replies.map((r) => [r.method, r.ok]), [
        ["publish", true],
        ["publish", false],
        ["history", true],
        ["presence_stats", true],
      ]);
      assert.ok(!replies[1]!.ok && replies[1]!.error.code === 102);
      assert.ok(isSuccess(replies[2], "history"));
      assert.deepEqual(replies[2].result.publications.map((p) => p.data), [{ n: 1 }]);
    });

    await t.step("parallel batches are refused in the legacy format", async () => {
      await assert.rejects(client.send(new Batch().info(), { parallel: true }), TypeError);
    });

    await t.step("a wrong key is a 401 RequestError", async () => {
      const wrong = new Client(server.apiUrl, { apiKey: "wrong", format: "legacy" });
      await assert.rejects(wrong.info(), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.status, 401);
        assert.match(err.message, /^info: POST http:\/\/127\.0\.0\.1:\d+\/api answered HTTP 401/);
        return true;
      });
    });
  } finally {
    await server.stop();
  }
});
