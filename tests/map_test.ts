// Map channels (Centrifugo 6.8+): the client's map methods against a real
// Centrifugo with map namespaces of each mode, and a real centrifuge-js
// MapSubscription that sees the state, the live updates and the removals.

import assert from "node:assert/strict";
import { Centrifuge, type MapEntry, type MapUpdateContext } from "centrifuge";
import { Batch, Client, ERROR_CODE, isSuccess, ResponseError } from "@aiocent/aiocent";
import { API_KEY, NAMESPACES, startCentrifugo } from "./_centrifugo.ts";
import { connectionToken, trackedWebSocket } from "./_subscriber.ts";

const { board, cursors, settings } = NAMESPACES;
const unique = (ns: string) => `${ns}:${crypto.randomUUID().slice(0, 8)}`;

/** Asserts `promise` rejects with Centrifugo's `code` for `method`. */
async function rejectsCode(promise: Promise<unknown>, method: string, code: number) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ResponseError, `expected a ResponseError, got ${err}`);
    assert.equal(err.code, code);
    assert.equal(err.method, method);
    return true;
  });
}

/** A real MapSubscription: the app's copy of the map, and every update seen. */
async function mapSubscriber(wsUrl: string, channel: string) {
  const sockets = trackedWebSocket();
  const client = new Centrifuge(wsUrl, {
    token: await connectionToken("map-watcher"),
    websocket: sockets.WebSocket,
  });
  const sub = client.newMapSubscription(channel);
  const state = new Map<string, unknown>();
  const updates: MapUpdateContext[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  sub.on("sync", (ctx: { entries: MapEntry[] }) => {
    state.clear();
    for (const entry of ctx.entries) state.set(entry.key, entry.data);
  });
  sub.on("update", (ctx: MapUpdateContext) => {
    if (ctx.removed) state.delete(ctx.key);
    else state.set(ctx.key, ctx.data);
    updates.push(ctx);
    for (const w of waiters.filter((w) => updates.length >= w.n)) w.resolve();
  });
  client.connect();
  sub.subscribe();
  await sub.ready(5000);
  return {
    state,
    updates,
    /** Resolves once `n` updates have arrived in all. */
    updated(n: number): Promise<void> {
      if (updates.length >= n) return Promise.resolve();
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ n, resolve });
      const timer = setTimeout(() => resolve(), 5000);
      return promise.finally(() => clearTimeout(timer));
    },
    async close() {
      const disconnected = new Promise<void>((r) => client.once("disconnected", () => r()));
      sub.unsubscribe();
      client.removeMapSubscription(sub);
      client.disconnect();
      await disconnected;
      await sockets.closed();
    },
  };
}

Deno.test("map channels against a real Centrifugo and a real MapSubscription", async (t) => {
  const server = await startCentrifugo();
  const client = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  try {
    await t.step("state before subscribing, then live updates and removals arrive", async () => {
      const channel = unique(board);
      await client.mapPublish(channel, "a", { n: 1 });
      await client.mapPublish(channel, "b", { n: 2 }, { tags: { kind: "cell" } });
      const watcher = await mapSubscriber(server.wsUrl, channel);
      try {
        assert.deepEqual(Object.fromEntries(watcher.state), { a: { n: 1 }, b: { n: 2 } });
        const live = await client.mapPublish(channel, "c", { n: 3 });
        // Suppressed writes reach nobody.
        const again = await client.mapPublish(channel, "a", { n: 9 }, { key_mode: "if_new" });
        assert.equal(again.suppressed, true);
        assert.equal(again.suppress_reason, "key_exists");
        const removed = await client.mapRemove(channel, "b");
        assert.ok(!removed.suppressed);
        await watcher.updated(2);
        assert.deepEqual(
          watcher.updates.map((u) => [u.key, u.removed === true]),
          [["c", false], ["b", true]],
        );
        assert.equal(watcher.updates[0]!.offset, live.offset);
        assert.deepEqual(Object.fromEntries(watcher.state), { a: { n: 1 }, c: { n: 3 } });
      } finally {
        await watcher.close();
      }
    });

    await t.step("key_mode: if_new and if_exists suppress instead of failing", async () => {
      const channel = unique(board);
      const missing = await client.mapPublish(channel, "k", 1, { key_mode: "if_exists" });
      assert.deepEqual([missing.suppressed, missing.suppress_reason], [true, "key_not_found"]);
      const created = await client.mapPublish(channel, "k", 1, { key_mode: "if_new" });
      assert.equal(created.suppressed, undefined);
      assert.equal(created.offset, 1);
      const updated = await client.mapPublish(channel, "k", 2, { key_mode: "if_exists" });
      assert.equal(updated.suppressed, undefined);
      assert.equal(updated.offset, 2);
      const gone = await client.mapRemove(channel, "nope");
      assert.deepEqual([gone.suppressed, gone.suppress_reason], [true, "key_not_found"]);
      // A value Centrifugo does not know is refused by it, not by the client.
      await rejectsCode(
        client.mapPublish(channel, "k", 3, { key_mode: "sometimes" }),
        "map_publish",
        ERROR_CODE.BadRequest,
      );
      // An idempotency key repeated: the write happens once.
      const once = await client.mapPublish(channel, "j", 1, { idempotency_key: "j-1" });
      const twice = await client.mapPublish(channel, "j", 1, { idempotency_key: "j-1" });
      assert.deepEqual([twice.suppressed, twice.suppress_reason], [true, "idempotency"]);
      assert.equal(twice.offset, once.offset);
      assert.deepEqual(await client.mapStats(channel), { num_keys: 2 });
    });

    await t.step("mapReadState pages with cursor until the cursor is empty", async () => {
      const channel = unique(board);
      const keys = Array.from({ length: 7 }, (_, i) => `key-${i}`);
      for (const [i, key] of keys.entries()) await client.mapPublish(channel, key, { i });
      const seen: string[] = [];
      const pages: number[] = [];
      let cursor = "";
      let epoch: string | undefined;
      let offset: number | undefined;
      do {
        const page = await client.mapReadState(channel, {
          limit: 3,
          cursor,
          ...(epoch ? { revision_offset: offset, revision_epoch: epoch } : {}),
        });
        pages.push(page.entries?.length ?? 0);
        seen.push(...(page.entries ?? []).map((e) => e.key ?? ""));
        for (const e of page.entries ?? []) {
          assert.deepEqual(e.data, { i: Number(e.key?.slice(4)) });
        }
        cursor = page.cursor ?? "";
        epoch = page.epoch;
        offset = page.offset;
      } while (cursor !== "");
      assert.deepEqual(pages, [3, 3, 1]);
      assert.deepEqual(seen.sort(), keys);
      assert.equal(offset, 7);
      // One key, and no entries at all without a limit (only the position).
      const one = await client.mapReadState(channel, { key: "key-4" });
      assert.deepEqual(one.entries?.map((e) => e.key), ["key-4"]);
      const position = await client.mapReadState(channel);
      assert.equal(position.entries, undefined);
      assert.equal(position.offset, 7);
      // A revision epoch the channel never had: code 112.
      await rejectsCode(
        client.mapReadState(channel, { limit: 3, revision_offset: 1, revision_epoch: "wrong" }),
        "map_read_state",
        ERROR_CODE.UnrecoverablePosition,
      );
    });

    await t.step(
      "mapReadStream reads the changes since a position, removals included",
      async () => {
        const channel = unique(board);
        const first = await client.mapPublish(channel, "x", 1);
        await client.mapPublish(channel, "y", 2);
        await client.mapRemove(channel, "x");
        const since = await client.mapReadStream(channel, {
          since_offset: first.offset,
          since_epoch: first.epoch,
          limit: -1,
        });
        assert.deepEqual(
          since.entries?.map((e) => [e.key, e.offset, e.removed === true]),
          [["y", 2, false], ["x", 3, true]],
        );
        assert.equal(since.offset, 3);
        const newest = await client.mapReadStream(channel, { limit: 1, reverse: true });
        assert.deepEqual(newest.entries?.map((e) => e.key), ["x"]);
        await rejectsCode(
          client.mapReadStream(channel, { since_offset: 1, since_epoch: "wrong", limit: -1 }),
          "map_read_stream",
          ERROR_CODE.UnrecoverablePosition,
        );
      },
    );

    await t.step("mapClear empties the map; mapStats counts its keys", async () => {
      const channel = unique(settings);
      await client.mapPublish(channel, "theme", "dark");
      await client.mapPublish(channel, "lang", "en");
      assert.deepEqual(await client.mapStats(channel), { num_keys: 2 });
      assert.deepEqual(await client.mapClear(channel), {});
      assert.deepEqual(await client.mapStats(channel), {});
      assert.equal((await client.mapReadState(channel, { limit: -1 })).entries, undefined);
    });

    await t.step("an ephemeral map keeps state but no stream positions", async () => {
      const channel = unique(cursors);
      const result = await client.mapPublish(channel, "alice", { x: 10, y: 20 });
      assert.equal(result.offset, undefined);
      const state = await client.mapReadState(channel, { limit: -1 });
      assert.deepEqual(state.entries?.map((e) => [e.key, e.data]), [["alice", { x: 10, y: 20 }]]);
    });

    await t.step("binary data goes as b64data and comes back as its JSON", async () => {
      const channel = unique(board);
      const bytes = new TextEncoder().encode('{"raw":true}');
      await client.mapPublish(channel, "bin", bytes);
      const state = await client.mapReadState(channel, { limit: -1 });
      assert.deepEqual(state.entries?.[0]?.data, { raw: true });
    });

    await t.step("a map method on a stream namespace, publish on a map: code 107", async () => {
      await rejectsCode(client.mapPublish("chat:x", "k", 1), "map_publish", 107);
      await rejectsCode(client.mapStats("chat:x"), "map_stats", 107);
      await rejectsCode(client.mapReadState("chat:x"), "map_read_state", 107);
      await rejectsCode(client.publish(unique(board), 1), "publish", 107);
      await rejectsCode(client.mapStats("nosuchns:x"), "map_stats", ERROR_CODE.UnknownChannel);
    });

    await t.step("the same methods in a batch", async () => {
      const channel = unique(board);
      const replies = await client.send(
        new Batch()
          .mapPublish(channel, "a", 1)
          .mapPublish(channel, "a", 2, { key_mode: "if_new" })
          .mapStats(channel)
          .mapReadState(channel, { limit: -1 })
          .mapRemove(channel, "a")
          .mapStats("chat:x"),
      );
      assert.deepEqual(replies.map((r) => r.ok), [true, true, true, true, true, false]);
      const [, suppressed, stats, state] = replies;
      assert.ok(isSuccess(suppressed, "map_publish") && suppressed.result.suppressed === true);
      assert.ok(isSuccess(stats, "map_stats") && stats.result.num_keys === 1);
      assert.ok(isSuccess(state, "map_read_state"));
      assert.deepEqual(state.result.entries?.map((e) => e.data), [1]);
      const failed = replies[5]!;
      assert.ok(!failed.ok && failed.error.code === 107);
    });

    await t.step("arguments are checked before sending", async () => {
      await assert.rejects(
        client.mapPublish(channel(), "", 1),
        /^TypeError: mapPublish: key must be a non-empty string, got an empty string$/,
      );
      await assert.rejects(
        client.mapPublish(channel(), "k", undefined),
        /mapPublish: data must be a JSON value, got undefined/,
      );
      await assert.rejects(
        client.mapReadState(channel(), { revisionEpoch: "x" } as never),
        /mapReadState: unknown option revisionEpoch \(did you mean revision_epoch\?\)/,
      );
      await assert.rejects(
        client.mapReadStream(channel(), { since_offset: -1 }),
        /mapReadStream: option since_offset must be a non-negative integer, got number -1/,
      );
      assert.throws(() => new Batch().mapRemove("", "k"), /mapRemove: channel must be/);
    });
  } finally {
    await client.close();
    await server.stop();
  }
});

const channel = () => unique(board);
