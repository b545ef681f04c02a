// Redis Streams, end to end: commands from @aiocent/aiocent/commands added
// with a real Redis client (node-redis) to a stream that a real Centrifugo
// v6.9.1's `redis_stream` consumer (config from the README) reads; their
// effects seen by real centrifuge-js subscribers and in history. Also: the
// payload is the HTTP API's own request body, and malformed entries are
// reported and skipped without holding up the entries after them.
//
// Needs redis-server (apt-get install redis-server): without it this test
// fails with the install command, it is not skipped.

import assert from "node:assert/strict";
// @ts-types="./_redis_client.d.ts"
import { createClient, type RedisClient } from "redis";
import { Client } from "@aiocent/aiocent";
import { Commands } from "@aiocent/aiocent/commands";
import { API_KEY, type Centrifugo, startCentrifugo } from "./_centrifugo.ts";
import { type Redis, startRedis } from "./_redis.ts";
import { connectSubscriber, type Subscriber } from "./_subscriber.ts";
import { readmeBlock, readmeSection, runReadmeExample } from "./_readme.ts";
import { eventually } from "./_tools.ts";

const commands = new Commands();

Deno.test("Redis Streams: Centrifugo's redis_stream consumer applies the commands", async (t) => {
  const section = await readmeSection("Redis Streams");
  const config = JSON.parse(readmeBlock(section, "json", '"redis_stream"')) as {
    consumers: { enabled: boolean; redis_stream: Record<string, unknown> }[];
  };
  const [documented] = config.consumers;
  assert.ok(documented?.enabled, "the README's consumer must be enabled");
  const stream = (documented.redis_stream.streams as string[])[0]!;

  let redis: Redis | undefined;
  let server: Centrifugo | undefined;
  let redisClient: RedisClient | undefined;
  const subscribers: Subscriber[] = [];
  try {
    redis = await startRedis();
    server = await startCentrifugo({
      log: { level: "info" }, // "skip unsupported API command method" is an info line
      consumers: [{
        ...documented,
        redis_stream: { ...documented.redis_stream, address: [redis.url] },
      }],
    });
    const api = new Client(server.apiUrl, { apiKey: API_KEY });
    const history = async (channel: string) =>
      (await api.history(channel, { limit: -1 })).publications.map((p) => p.data);
    redisClient = createClient({ url: redis.url });
    await redisClient.connect();
    const r = redisClient;
    const add = (entry: Record<string, string>) => r.xAdd(stream, "*", entry);
    // Centrifugo creates its group at startup, at the stream's end.
    await eventually("the consumer group", async () => {
      const groups = await r.sendCommand(["XINFO", "GROUPS", stream]).catch(() => []);
      return Array.isArray(groups) && groups.length === 1;
    });

    await t.step("the payload is the HTTP API's request body", async () => {
      for (
        const command of [
          commands.publish("chat:http", { n: 1 }),
          commands.broadcast(["chat:http"], { n: 2 }),
        ]
      ) {
        const res = await fetch(`${server!.apiUrl}/${command.method}`, {
          method: "POST",
          headers: { "X-API-Key": API_KEY, "Content-Type": "application/json" },
          body: command.payload,
        });
        const body = await res.json();
        assert.equal(res.status, 200);
        assert.equal(body.error, undefined, JSON.stringify(body));
      }
      assert.deepEqual(await history("chat:http"), [{ n: 1 }, { n: 2 }]);
    });

    await t.step("every command the consumers apply reaches real subscribers", async () => {
      const bob = await connectSubscriber(server!.wsUrl, "bob");
      subscribers.push(bob);
      const carol = await connectSubscriber(server!.wsUrl, "carol");
      subscribers.push(carol);
      const channel = "chat:server-side";
      await add(commands.subscribe("bob", channel).toStreamEntry());
      await bob.waitFor("subscribed", (e) => e.channel === channel);
      await add(commands.publish(channel, { n: 1 }).toStreamEntry());
      await add(commands.broadcast([channel, "chat:other"], { n: 2 }).toStreamEntry());
      await bob.waitFor(
        "publication",
        (e) => e.channel === channel && (e.data as { n: number }).n === 2,
      );
      assert.deepEqual(
        bob.events.flatMap((e) => e.type === "publication" ? [[e.channel, e.data]] : []),
        [[channel, { n: 1 }], [channel, { n: 2 }]],
      );
      assert.deepEqual(await history("chat:other"), [{ n: 2 }]);
      await add(commands.historyRemove("chat:other").toStreamEntry());
      await add(commands.unsubscribe("bob", channel).toStreamEntry());
      await bob.waitFor("unsubscribed", (e) => e.channel === channel);
      assert.deepEqual(await history("chat:other"), []);
      // refresh with expired: Centrifugo disconnects the connection as expired.
      await add(commands.refresh("carol", { expired: true }).toStreamEntry());
      const expired = await carol.waitFor("connecting", (e) => e.code === 3005);
      assert.match(expired.reason, /expired/);
      await add(
        commands.disconnect("bob", { disconnect: { code: 4501, reason: "bye" } }).toStreamEntry(),
      );
      const gone = await bob.waitFor("disconnected");
      assert.deepEqual([gone.code, gone.reason], [4501, "bye"]);
    });

    await t.step("malformed entries are reported and skipped; the rest are applied", async () => {
      const channel = "chat:after-bad";
      const good = commands.publish(channel, { n: 1 });
      const bad: Record<string, string>[] = [
        { method: "publish" }, // no payload field
        { method: "publish", payload: "{not json" },
        { payload: "{not json" }, // an envelope that is not JSON
        { method: "batch", payload: JSON.stringify({ commands: [] }) },
        { method: "publish", payload: JSON.stringify({ channel: "nosuchns:x", data: {} }) },
      ];
      const before = Number(await r.xLen(stream));
      for (const entry of bad) await add(entry);
      await add(good.toStreamEntry());
      // An envelope alone (no method field) is a command too.
      await add({ payload: commands.publish(channel, { n: 2 }).toEnvelope() });
      await eventually(
        "the entries after the bad ones",
        async () => (await history(channel)).length === 2,
      );
      assert.deepEqual(await history(channel), [{ n: 1 }, { n: 2 }]);
      const logs = server!.logs();
      for (
        const line of [
          /payload value not found in redis stream message/,
          /"error":"invalid data".*non retryable error during consuming, skip message/,
          /skip malformed consumed message/,
          /skip unsupported API command method/,
          /"error":"102: unknown channel".*non retryable error during consuming/,
        ]
      ) {
        assert.match(logs, line);
      }
      // Every entry was acknowledged: none waits to be delivered again.
      await eventually("every entry acked", async () => {
        const pending = await r.sendCommand(["XPENDING", stream, "centrifugo"]) as unknown[];
        return pending[0] === 0;
      });
      assert.equal(
        Number(await r.xLen(stream)) - before,
        bad.length + 2,
        "Centrifugo trims nothing",
      );
    });

    await t.step("the README's example adds an entry Centrifugo applies", async () => {
      const code = readmeBlock(section, "ts", 'from "redis"');
      const url = "redis://localhost:6379";
      assert.ok(code.includes(url));
      await runReadmeExample("stream_redis", code.replaceAll(url, redis!.url));
      await eventually(
        "the example's publication",
        async () => (await history("chat")).length === 1,
      );
      assert.deepEqual(await history("chat"), [{ text: "hi" }]);
    });
  } finally {
    for (const subscriber of subscribers) await subscriber.close();
    await redisClient?.close();
    await server?.stop();
    await redis?.stop();
  }
});
