// One API command for Centrifugo's async consumers, already checked and
// encoded: its method, its JSON payload, and the forms the consumers read
// (internal/consuming/*.go in Centrifugo v6.9.1): an outbox row for the
// `postgresql` consumer, an entry for the `redis_stream` consumer, and the
// `{"method","payload"}` envelope every consumer also takes.

import { CONSUMER_METHODS, type ConsumerMethod } from "./_generated/consumers.ts";
import { describe, isPlainObject } from "./_validate.ts";

/**
 * A row of the outbox table Centrifugo's `postgresql` consumer reads: its
 * `method`, `payload` and `partition` columns. Rows of one partition are
 * applied in `id` order.
 *
 * @example A row from a command
 * ```ts
 * import { Commands, type OutboxRow } from "@aiocent/aiocent/commands";
 *
 * const row: OutboxRow = new Commands().publish("chat", { text: "hi" }).toOutboxRow(0);
 * ```
 */
export interface OutboxRow {
  /** Centrifugo's method name, for the `method` column (text, NOT NULL). */
  readonly method: ConsumerMethod;
  /**
   * The request's JSON text, for the `payload` column. Into a `jsonb`
   * column, cast it from text (`$2::text::jsonb`): postgres.js sends a
   * string for a `jsonb` parameter as a JSON *string*, which Centrifugo drops
   * as invalid data. node-postgres stores it as is, with or without the cast.
   */
  readonly payload: string;
  /**
   * The partition, for the `partition` column: from 0 to the consumer's
   * `num_partitions` - 1. Rows of a higher partition are never read.
   */
  readonly partition: number;
}

/**
 * The names of a Redis Streams entry's fields, as the `redis_stream`
 * consumer's `method_value` and `payload_value` set them.
 *
 * @example Fields renamed in Centrifugo's config
 * ```ts
 * import { Commands, type StreamEntryFields } from "@aiocent/aiocent/commands";
 *
 * const fields: StreamEntryFields = { method: "m", payload: "p" };
 * const entry = new Commands().publish("chat", { text: "hi" }).toStreamEntry(fields);
 * ```
 */
export interface StreamEntryFields {
  /** The field holding the method (`method_value`, default `"method"`). */
  method?: string;
  /** The field holding the payload (`payload_value`, default `"payload"`). */
  payload?: string;
}

/**
 * One API command for Centrifugo's async consumers, built by
 * {@linkcode Commands}: checked like the {@linkcode Client} call of the same
 * name, and encoded once. Its `method` and `payload` are what the consumers
 * read; its methods give them in each consumer's form.
 *
 * @example Build a command and read its parts
 * ```ts
 * import { Commands } from "@aiocent/aiocent/commands";
 *
 * const command = new Commands().publish("chat", { text: "hi" }, { idempotency_key: "msg-1" });
 * console.log(command.method); // "publish"
 * console.log(command.payload); // {"channel":"chat","data":{"text":"hi"},"idempotency_key":"msg-1"}
 * ```
 */
export interface Command<M extends ConsumerMethod = ConsumerMethod> {
  /** Centrifugo's method name, e.g. `"publish"`. */
  readonly method: M;
  /**
   * The JSON text of the request: exactly the body the server HTTP API would
   * get for the same call (`POST /api/<method>`).
   */
  readonly payload: string;
  /**
   * The command as `{"method":…,"payload":{…}}` JSON text: what every consumer
   * takes when the method is not given beside the payload (a Redis entry with
   * only a payload field, a Kafka or NATS message without the
   * `centrifugo-method` header, an outbox row with an empty method).
   *
   * @example An envelope for a message body
   * ```ts
   * import { Commands } from "@aiocent/aiocent/commands";
   *
   * const body = new Commands().disconnect("alice").toEnvelope();
   * // {"method":"disconnect","payload":{"user":"alice"}}
   * ```
   *
   * @returns The envelope's JSON text.
   */
  toEnvelope(): string;
  /**
   * The command as a row of the `postgresql` consumer's outbox table. To write
   * rows with one statement, see {@linkcode outboxInsert}.
   *
   * @example A row for partition 0
   * ```ts
   * import { Commands } from "@aiocent/aiocent/commands";
   *
   * const { method, payload, partition } = new Commands().publish("chat", { n: 1 }).toOutboxRow();
   * // INSERT INTO centrifugo_outbox (method, payload, partition) VALUES ($1, $2::text::jsonb, $3)
   * ```
   *
   * @param partition The row's partition (default 0): an integer from 0 to the consumer's
   *   `num_partitions` - 1. Rows of one partition are applied in order; see
   *   {@linkcode outboxPartition} to pick one by key.
   * @returns The row's `method`, `payload` and `partition`.
   */
  toOutboxRow(partition?: number): OutboxRow;
  /**
   * The command as the fields of a Redis Streams entry for the `redis_stream`
   * consumer: `{ method, payload }`, for `XADD <stream> * method … payload …`.
   *
   * @example Fields for XADD
   * ```ts
   * import { Commands } from "@aiocent/aiocent/commands";
   *
   * const entry = new Commands().publish("chat", { text: "hi" }).toStreamEntry();
   * // node-redis: await redis.xAdd("centrifugo_api", "*", entry);
   * // ioredis:    await redis.xadd("centrifugo_api", "*", ...Object.entries(entry).flat());
   * ```
   *
   * @param fields The field names, when Centrifugo's config renames them.
   * @returns The entry's fields and values.
   */
  toStreamEntry(fields?: StreamEntryFields): Record<string, string>;
}

const INT32 = 2 ** 31;

/** An outbox partition: an integer column's value from 0. */
export function partitionArg(what: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) >= INT32) {
    throw new TypeError(
      `${what}: partition must be an integer from 0 to the consumer's num_partitions - 1, got ${
        describe(value)
      }`,
    );
  }
  return value as number;
}

const METHOD_SET: ReadonlySet<string> = new Set(CONSUMER_METHODS);

/** Whether `value` names a method the consumers apply. */
export function isConsumerMethod(value: unknown): value is ConsumerMethod {
  return typeof value === "string" && METHOD_SET.has(value);
}

function fieldName(what: string, name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `${what}: fields.${name} must be a non-empty string, got ${describe(value)}`,
    );
  }
  return value;
}

/** The command built by Commands (the public type is the Command interface). */
export class ConsumerCommand<M extends ConsumerMethod = ConsumerMethod> implements Command<M> {
  readonly method: M;
  readonly payload: string;

  constructor(method: M, payload: string) {
    this.method = method;
    this.payload = payload;
    Object.freeze(this);
  }

  toEnvelope(): string {
    return `{"method":${JSON.stringify(this.method)},"payload":${this.payload}}`;
  }

  toOutboxRow(partition: number = 0): OutboxRow {
    return Object.freeze({
      method: this.method,
      payload: this.payload,
      partition: partitionArg("toOutboxRow", partition),
    });
  }

  toStreamEntry(fields?: StreamEntryFields): Record<string, string> {
    if (fields === undefined) return { method: this.method, payload: this.payload };
    if (!isPlainObject(fields)) {
      throw new TypeError(`toStreamEntry: fields must be a plain object, got ${describe(fields)}`);
    }
    for (const key in fields) {
      if (key !== "method" && key !== "payload") {
        throw new TypeError(`toStreamEntry: unknown field ${key}; known fields: method, payload`);
      }
    }
    const method = fieldName("toStreamEntry", "method", fields.method ?? "method");
    const payload = fieldName("toStreamEntry", "payload", fields.payload ?? "payload");
    if (method === payload) {
      throw new TypeError(`toStreamEntry: fields.method and fields.payload are both ${method}`);
    }
    return { [method]: this.method, [payload]: this.payload };
  }
}
