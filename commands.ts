/**
 * API commands for Centrifugo's asynchronous consumers: publish through a
 * PostgreSQL outbox table in the same transaction as your data (the
 * transactional outbox), or through Redis Streams, Kafka or NATS JetStream,
 * and Centrifugo applies them. {@linkcode Commands} builds them with the
 * arguments and checks of the {@linkcode Client}'s methods; nothing here sends
 * anything or depends on a database driver.
 *
 * @example A publication in the transaction that writes the data (node-postgres)
 * ```ts no-run
 * import pg from "pg";
 * import { Commands, outboxInsert } from "@aiocent/aiocent/commands";
 *
 * const commands = new Commands();
 * const db = new pg.Client({ connectionString: "postgres://localhost/app" });
 * await db.connect();
 * await db.query("BEGIN");
 * await db.query("UPDATE orders SET status = 'paid' WHERE id = $1", [42]);
 * await db.query(outboxInsert(commands.publish("orders:42", { status: "paid" })));
 * await db.query("COMMIT"); // Centrifugo publishes it now; after a ROLLBACK, never
 * await db.end();
 * ```
 *
 * @module
 */

export { Commands, type CommandsOptions } from "./src/commands.ts";
export { type Command, type OutboxRow, type StreamEntryFields } from "./src/command.ts";
export {
  type OutboxInsert,
  outboxInsert,
  type OutboxInsertOptions,
  outboxPartition,
} from "./src/outbox.ts";
export {
  CONSUMER_METHODS,
  type ConsumerMethod,
  type ConsumerRequests,
} from "./src/_generated/consumers.ts";
