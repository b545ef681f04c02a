// The transactional outbox, end to end: commands from @aiocent/aiocent/commands
// written into a real PostgreSQL (tests/_postgres.ts) with real drivers
// (postgres.js and node-postgres), in the table the README's DDL creates, read
// by a real Centrifugo v6.9.1's `postgresql` consumer (config from the
// README), delivered to a real centrifuge-js subscriber and kept in history on
// the Redis engine (so history survives a Centrifugo restart).
//
// Needs PostgreSQL (apt-get install postgresql) and redis-server: without them
// this test fails with the install command, it is not skipped.

import assert from "node:assert/strict";
import postgres from "postgres";
import pg from "pg";
import { Client } from "@aiocent/aiocent";
import { Commands, outboxInsert, outboxPartition } from "@aiocent/aiocent/commands";
import { API_KEY, type Centrifugo, startCentrifugo } from "./_centrifugo.ts";
import { type Postgres, startPostgres } from "./_postgres.ts";
import { type Redis, startRedis } from "./_redis.ts";
import { connectSubscriber, type Subscriber } from "./_subscriber.ts";
import { readmeBlock, readmeSection, runReadmeExample } from "./_readme.ts";
import { eventually } from "./_tools.ts";

const commands = new Commands();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("transactional outbox: Centrifugo's postgresql consumer applies the commands", async (t) => {
  const section = await readmeSection("Transactional publishing");
  const ddl = readmeBlock(section, "sql", "CREATE TABLE");
  const trigger = readmeBlock(section, "sql", "pg_notify");
  const config = JSON.parse(readmeBlock(section, "json", '"postgresql"')) as {
    consumers: { name: string; enabled: boolean; postgresql: Record<string, unknown> }[];
  };
  const [documented] = config.consumers;
  assert.ok(documented?.enabled, "the README's consumer must be enabled");

  let db: Postgres | undefined;
  let redis: Redis | undefined;
  let server: Centrifugo | undefined;
  let subscriber: Subscriber | undefined;
  let sql: postgres.Sql | undefined;
  let client: pg.Client | undefined;
  try {
    [db, redis] = await Promise.all([startPostgres(), startRedis()]);
    sql = postgres(db.url, { max: 4, onnotice: () => {} });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // The README's table, as is; a copy for the LISTEN/NOTIFY consumer; and
    // one with the README's trigger (both renamed).
    await sql.unsafe(ddl);
    await sql.unsafe(ddl.replaceAll("centrifugo_outbox", "notified_outbox"));
    await sql.unsafe(ddl.replaceAll("centrifugo_outbox", "triggered_outbox"));
    await sql.unsafe(trigger.replaceAll("centrifugo_outbox", "triggered_outbox"));

    const consumer = (name: string, overrides: Record<string, unknown>) => ({
      ...documented,
      name,
      postgresql: { ...documented.postgresql, dsn: db!.url, ...overrides },
    });
    const settings = {
      engine: { type: "redis", redis: { address: [redis.url] } },
      consumers: [
        // Polled often, two partitions, small passes: many passes per test.
        consumer("outbox", {
          num_partitions: 2,
          partition_select_limit: 10,
          partition_poll_interval: "50ms",
        }),
        // Polled once an hour: only a notification gets a row applied.
        consumer("notified", {
          outbox_table_name: "notified_outbox",
          partition_poll_interval: "1h",
          partition_notification_channel: "notified_outbox",
        }),
        consumer("triggered", {
          outbox_table_name: "triggered_outbox",
          partition_poll_interval: "1h",
          partition_notification_channel: "triggered_outbox",
        }),
      ],
    };
    server = await startCentrifugo(settings);
    let api = new Client(server.apiUrl, { apiKey: API_KEY });
    const history = async (channel: string) =>
      (await api.history(channel, { limit: -1 })).publications.map((p) => p.data);
    const pending = async (table = "centrifugo_outbox") =>
      Number((await sql!.unsafe(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

    subscriber = await connectSubscriber(server.wsUrl, "alice");

    // Two channels that land in different partitions.
    const channels = ["chat:order-a", "chat:order-b", "chat:order-c", "chat:order-d"];
    const [first, second] = [0, 1].map((p) =>
      channels.find((c) => outboxPartition(c, 2) === p)!
    ) as [string, string];
    assert.ok(first && second, "no channel for each partition");

    await t.step("committed rows reach a subscriber in order, per partition", async () => {
      await subscriber!.subscribe(first);
      await subscriber!.subscribe(second);
      const row = (channel: string, n: number) =>
        commands.publish(channel, { n }).toOutboxRow(outboxPartition(channel, 2));
      // Four transactions, alternating drivers, each interleaving both channels.
      for (let tx = 0; tx < 4; tx++) {
        const rows = [];
        for (let i = tx * 5; i < tx * 5 + 5; i++) rows.push(row(first, i), row(second, i));
        const insert = outboxInsert(rows);
        if (tx % 2 === 0) {
          await sql!.begin(async (tx) => {
            await tx.unsafe(insert.text, insert.values);
          });
        } else {
          await client!.query("BEGIN");
          await client!.query(insert);
          await client!.query("COMMIT");
        }
      }
      const expected = Array.from({ length: 20 }, (_, n) => ({ n }));
      for (const channel of [first, second]) {
        await subscriber!.waitFor(
          "publication",
          (e) => e.channel === channel && (e.data as { n: number }).n === 19,
        );
        const seen = subscriber!.events.flatMap((e) =>
          e.type === "publication" && e.channel === channel ? [e.data] : []
        );
        assert.deepEqual(seen, expected, `${channel}: delivery order`);
        assert.deepEqual(await history(channel), expected, `${channel}: history`);
      }
      // Centrifugo deletes the rows in the transaction that applied them: the
      // publications can reach the subscriber before that commits.
      await eventually("applied rows deleted", async () => (await pending()) === 0);
    });

    await t.step("a rolled-back transaction delivers nothing", async () => {
      const channel = "chat:rollback";
      await subscriber!.subscribe(channel);
      const insert = (data: unknown) => outboxInsert(commands.publish(channel, data));
      // postgres.js rolls back when the transaction's callback throws.
      await assert.rejects(
        sql!.begin(async (tx) => {
          const { text, values } = insert({ rolled: "back", by: "postgres.js" });
          await tx.unsafe(text, values);
          throw new Error("business rule failed");
        }),
        /business rule failed/,
      );
      await client!.query("BEGIN");
      await client!.query(insert({ rolled: "back", by: "node-postgres" }));
      await client!.query("ROLLBACK");
      // A row committed after them, in the same partition: once it is applied,
      // they would have been too.
      await client!.query(insert({ committed: true }));
      await subscriber!.waitFor("publication", (e) => e.channel === channel);
      const seen = subscriber!.events.flatMap((e) =>
        e.type === "publication" && e.channel === channel ? [e.data] : []
      );
      assert.deepEqual(seen, [{ committed: true }]);
      assert.deepEqual(await history(channel), [{ committed: true }]);
      await eventually("the applied row deleted", async () => (await pending()) === 0);
    });

    await t.step("the README's examples write rows Centrifugo applies", async () => {
      await sql!.unsafe(
        "CREATE TABLE orders (id integer PRIMARY KEY, status text NOT NULL); " +
          "INSERT INTO orders VALUES (42, 'new')",
      );
      const dsn = "postgres://app:secret@localhost:5432/app";
      for (const [name, marker] of [["postgresjs", 'from "postgres"'], ["pg", 'from "pg"']]) {
        const code = readmeBlock(section, "ts", marker!);
        assert.ok(code.includes(dsn), `the ${name} example has no ${dsn}`);
        await runReadmeExample(`outbox_${name}`, code.replaceAll(dsn, db!.url));
      }
      await eventually(
        "the examples' publications",
        async () =>
          (await history("public:order-42")).length === 2 &&
          (await history("dashboard")).length === 1,
      );
      assert.deepEqual(await history("public:order-42"), [{ status: "paid" }, {
        status: "shipped",
      }]);
      assert.deepEqual(await history("dashboard"), [{ paid: 42 }]);
      assert.deepEqual([...await sql!`SELECT status FROM orders`], [{ status: "shipped" }]);
    });

    await t.step("a row delivered twice is published once (its idempotency_key)", async () => {
      const channel = "chat:redelivered";
      const write = async (row: Parameters<typeof outboxInsert>[0]) => {
        const { text, values } = outboxInsert(row);
        await sql!.unsafe(text, values);
      };
      const command = commands.publish(channel, { once: true });
      assert.match(JSON.parse(command.payload).idempotency_key, /^[0-9a-f-]{36}$/);
      await write(command);
      await eventually("the first delivery", async () => (await history(channel)).length === 1);
      // What a crash between applying and deleting a row does: the same row again.
      await write(command);
      // Centrifugo drops it by its key; the row after it shows the partition moved on.
      await write(commands.publish(channel, { after: true }));
      await eventually("the row after", async () => (await history(channel)).length === 2);
      await eventually("the rows deleted", async () => (await pending()) === 0);
      assert.deepEqual(await history(channel), [{ once: true }, { after: true }]);
      // Without a key, the same row twice is two publications.
      const keyless = {
        method: "publish",
        payload: JSON.stringify({ channel, data: { keyless: true } }),
      } as const;
      await write([{ ...keyless, partition: 0 }, { ...keyless, partition: 0 }]);
      await eventually("the keyless rows", async () => (await history(channel)).length === 4);
      assert.deepEqual((await history(channel)).slice(2), [{ keyless: true }, { keyless: true }]);
    });

    await t.step("LISTEN/NOTIFY: outboxInsert's notify wakes the consumer at commit", async () => {
      const channel = "chat:notified";
      const table = "notified_outbox";
      // Without a notification the row waits for the hourly poll.
      await client!.query(outboxInsert(commands.publish(channel, { n: 1 }), { table }));
      await sleep(600);
      assert.equal(await pending(table), 1, "applied without a notification");
      assert.deepEqual(await history(channel), []);
      // A notification in a rolled-back transaction is never delivered.
      await client!.query("BEGIN");
      await client!.query(
        outboxInsert(commands.publish(channel, { n: "rolled back" }), { table, notify: table }),
      );
      await client!.query("ROLLBACK");
      await sleep(300);
      assert.equal(await pending(table), 1, "woken by a rolled-back transaction");
      await sql!.begin(async (tx) => {
        const insert = outboxInsert(commands.publish(channel, { n: 2 }), { table, notify: table });
        await tx.unsafe(insert.text, insert.values);
      });
      await eventually("the notified rows", async () => (await history(channel)).length === 2);
      assert.deepEqual(await history(channel), [{ n: 1 }, { n: 2 }]);
      assert.equal(await pending(table), 0);
    });

    await t.step("LISTEN/NOTIFY: the README's trigger notifies for every row", async () => {
      const channel = "chat:triggered";
      const row = commands.publish(channel, { via: "trigger" }).toOutboxRow();
      // A row written with plain SQL (postgres.js: the payload cast from text).
      await sql!`INSERT INTO triggered_outbox (method, payload, partition)
        VALUES (${row.method}, ${row.payload}::text::jsonb, ${row.partition})`;
      await eventually("the triggered row", async () => (await history(channel)).length === 1);
      assert.deepEqual(await history(channel), [{ via: "trigger" }]);
    });

    await t.step("the jsonb trap the README warns of, and the cast that avoids it", async () => {
      const { payload } = commands.publish("chat:trap", {}).toOutboxRow();
      // postgres.js encodes a parameter PostgreSQL says is jsonb with JSON.stringify.
      const [plain] = await sql!`SELECT jsonb_typeof(${payload}::jsonb) AS type`;
      const [cast] = await sql!`SELECT jsonb_typeof(${payload}::text::jsonb) AS type`;
      assert.deepEqual([plain!.type, cast!.type], ["string", "object"]);
      // node-postgres sends strings as text, with or without the cast.
      const { rows } = await client!.query(
        "SELECT jsonb_typeof($1::jsonb) AS plain, jsonb_typeof($1::text::jsonb) AS cast",
        [payload],
      );
      assert.deepEqual(rows, [{ plain: "object", cast: "object" }]);
    });

    await subscriber.close();
    subscriber = undefined;

    await t.step("Centrifugo killed mid-stream: nothing lost, nothing duplicated", async () => {
      const channel = "chat:restart";
      let written = 0;
      /** Commits `count` publications, 5 rows a transaction, numbered in order. */
      const write = async (count: number) => {
        for (const end = written + count; written < end;) {
          const rows = Array.from(
            { length: 5 },
            (_, i) => commands.publish(channel, { n: written + i }),
          );
          const insert = outboxInsert(rows);
          await sql!.begin(async (tx) => {
            await tx.unsafe(insert.text, insert.values);
          });
          written += rows.length;
        }
      };
      await write(150);
      // SIGKILL once the consumer is at work: no graceful stop, so a worker may
      // be between applying rows and deleting them.
      await eventually("the consumer at work", async () => (await history(channel)).length >= 30);
      await server!.kill("SIGKILL");
      await write(75); // while Centrifugo is down
      server = await startCentrifugo(settings, undefined, { port: server!.port });
      api = new Client(server.apiUrl, { apiKey: API_KEY });
      await write(75); // after the restart
      await eventually("every row applied", async () => (await pending()) === 0, 20_000);
      const seen = await history(channel);
      assert.equal(seen.length, written, "lost or duplicated publications");
      assert.deepEqual(seen, Array.from({ length: 300 }, (_, n) => ({ n })));
    });
  } finally {
    await subscriber?.close();
    await client?.end().catch(() => {});
    await sql?.end();
    await server?.stop();
    await Promise.all([db?.stop(), redis?.stop()]);
  }
});
