// Writing commands into the outbox table of Centrifugo's `postgresql`
// consumer with any driver: one parameterized INSERT (text and values), which
// node-postgres, postgres.js (`unsafe`) and deno-postgres all take, and a
// stable key-to-partition hash. Centrifugo v6.9.1 reads the table with
// `SELECT id, method, payload, partition FROM <table> WHERE partition=$1
// ORDER BY id`, applies the rows in that order and deletes them.

import { describe, isPlainObject } from "./_validate.ts";
import { type Command, isConsumerMethod, type OutboxRow, partitionArg } from "./command.ts";

/**
 * Options of {@linkcode outboxInsert}.
 *
 * @example The consumer's table and notification channel
 * ```ts
 * import type { OutboxInsertOptions } from "@aiocent/aiocent/commands";
 *
 * const options: OutboxInsertOptions = { table: "app.centrifugo_outbox", notify: "centrifugo" };
 * ```
 */
export interface OutboxInsertOptions {
  /**
   * The table, as the consumer's `outbox_table_name` names it (default
   * `centrifugo_outbox`): an unquoted SQL name, optionally with its schema.
   */
  table?: string;
  /**
   * The consumer's `partition_notification_channel`: the statement then also
   * runs `pg_notify(<channel>, <partition>)` for each partition it wrote to.
   * PostgreSQL delivers the notification at commit (never on rollback) and
   * Centrifugo reads the partition at once instead of at its next poll.
   */
  notify?: string;
}

/**
 * A parameterized statement: `text` with `$1, $2, …` placeholders and their
 * `values`. node-postgres takes it as is (`client.query(insert)`),
 * postgres.js as `sql.unsafe(insert.text, insert.values)`, and deno-postgres
 * (not covered by this package's tests) as
 * `client.queryArray(insert.text, insert.values)`.
 *
 * @example Run it with node-postgres
 * ```ts no-run
 * import pg from "pg";
 * import { Commands, outboxInsert } from "@aiocent/aiocent/commands";
 *
 * const client = new pg.Client({ connectionString: "postgres://localhost/app" });
 * await client.connect();
 * await client.query(outboxInsert(new Commands().publish("chat", { text: "hi" })));
 * await client.end();
 * ```
 */
export interface OutboxInsert {
  /** The SQL, with placeholders. */
  readonly text: string;
  /** The placeholders' values, in order. */
  readonly values: (string | number)[];
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;
/** PostgreSQL's limit of parameters in one statement. */
const MAX_PARAMS = 65_535;

/**
 * One `INSERT` of commands into the outbox table of Centrifugo's
 * `postgresql` consumer: run it inside the transaction that changes your
 * data, so the commands are applied if and only if it commits. Rows keep the
 * order given, and Centrifugo applies the rows of one partition in that
 * order. The payload goes in as text cast to `jsonb`, which every driver
 * sends correctly (a `json` or `text` payload column works too).
 *
 * @example Publish in the transaction that writes the data (postgres.js)
 * ```ts no-run
 * import postgres from "postgres";
 * import { Commands, outboxInsert } from "@aiocent/aiocent/commands";
 *
 * const sql = postgres("postgres://localhost/app");
 * const commands = new Commands();
 * await sql.begin(async (tx) => {
 *   await tx`UPDATE orders SET status = 'paid' WHERE id = 42`;
 *   const insert = outboxInsert([
 *     commands.publish("orders:42", { status: "paid" }),
 *     commands.publish("dashboard", { order: 42 }).toOutboxRow(1),
 *   ]);
 *   await tx.unsafe(insert.text, insert.values);
 * });
 * await sql.end();
 * ```
 *
 * @param rows Commands (partition 0) or outbox rows, in the order to apply them.
 * @param options The table and the notification channel.
 * @returns The statement's text and values.
 */
export function outboxInsert(
  rows: Command | OutboxRow | readonly (Command | OutboxRow)[],
  options: OutboxInsertOptions = {},
): OutboxInsert {
  const what = "outboxInsert";
  if (!isPlainObject(options)) {
    throw new TypeError(`${what}: options must be a plain object, got ${describe(options)}`);
  }
  for (const key in options) {
    if (key !== "table" && key !== "notify") {
      throw new TypeError(`${what}: unknown option ${key}; known options: table, notify`);
    }
  }
  const table = options.table ?? "centrifugo_outbox";
  if (typeof table !== "string" || !TABLE.test(table)) {
    throw new TypeError(
      `${what}: table must be the consumer's outbox_table_name, an unquoted SQL name such as ` +
        `centrifugo_outbox or app.centrifugo_outbox, got ${
          typeof table === "string" ? JSON.stringify(table) : describe(table)
        }`,
    );
  }
  const notify = options.notify;
  if (
    notify !== undefined &&
    (typeof notify !== "string" || notify === "" || new TextEncoder().encode(notify).length > 63)
  ) {
    throw new TypeError(
      `${what}: notify must be the consumer's partition_notification_channel, a non-empty ` +
        `name of at most 63 bytes, got ${describe(notify)}`,
    );
  }
  const list = Array.isArray(rows) ? rows : [rows];
  if (list.length === 0) throw new TypeError(`${what}: rows must hold at least one command`);
  const most = Math.floor((MAX_PARAMS - (notify === undefined ? 0 : 1)) / 3);
  if (list.length > most) {
    throw new TypeError(
      `${what}: ${list.length} rows need more than PostgreSQL's ${MAX_PARAMS} parameters in one ` +
        `statement; split them (at most ${most} rows a statement)`,
    );
  }
  const values: (string | number)[] = [];
  const tuples: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const row = list[i] as Partial<OutboxRow> | undefined;
    if (
      typeof row !== "object" || row === null || !isConsumerMethod(row.method) ||
      typeof row.payload !== "string"
    ) {
      throw new TypeError(
        `${what}: rows[${i}] must be a command from Commands or its toOutboxRow(), got ${
          describe(row)
        }`,
      );
    }
    const partition = row.partition === undefined
      ? 0
      : partitionArg(`${what}: rows[${i}]`, row.partition);
    const n = values.push(row.method, row.payload, partition);
    tuples.push(`($${n - 2}, $${n - 1}::text::jsonb, $${n})`);
  }
  const insert = `INSERT INTO ${table} (method, payload, partition) VALUES ${tuples.join(", ")}`;
  if (notify === undefined) return { text: insert, values };
  values.push(notify);
  return {
    text: `WITH inserted AS (${insert} RETURNING partition) ` +
      `SELECT pg_notify($${values.length}, partition::text) ` +
      `FROM (SELECT DISTINCT partition FROM inserted) AS partitions`,
    values,
  };
}

/**
 * A partition for `key` among `partitions` (the consumer's `num_partitions`):
 * a stable hash (32-bit FNV-1a of the key's UTF-8 bytes), the same on every
 * runtime and in every version of this package. Commands whose order matters
 * to each other, such as those of one channel, keep it when they share a key.
 *
 * @example Spread channels over four partitions, in order per channel
 * ```ts
 * import { Commands, outboxPartition } from "@aiocent/aiocent/commands";
 *
 * const channel = "chat:42";
 * const row = new Commands().publish(channel, { text: "hi" })
 *   .toOutboxRow(outboxPartition(channel, 4));
 * ```
 *
 * @param key What the order is kept for, e.g. a channel name.
 * @param partitions The consumer's `num_partitions` (a positive integer).
 * @returns An integer from 0 to `partitions` - 1.
 */
export function outboxPartition(key: string, partitions: number): number {
  if (typeof key !== "string") {
    throw new TypeError(`outboxPartition: key must be a string, got ${describe(key)}`);
  }
  if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions >= 2 ** 31) {
    throw new TypeError(
      `outboxPartition: partitions must be the consumer's num_partitions, a positive integer, ` +
        `got ${describe(partitions)}`,
    );
  }
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
