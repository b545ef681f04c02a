// The command builders of @aiocent/aiocent/commands without a server: the
// same params and the same errors as the Batch builder (which shares the
// Client's checks) for every method the consumers apply, the idempotency
// keys, the forms for each consumer, the outbox statement, and a module graph
// without any transport. tests/outbox_test.ts and tests/stream_test.ts show
// real Centrifugo consumers applying them.

import assert from "node:assert/strict";
import { Batch } from "@aiocent/aiocent";
import {
  type Command,
  Commands,
  CONSUMER_METHODS,
  outboxInsert,
  outboxPartition,
} from "@aiocent/aiocent/commands";

const commands = new Commands();

/** Arguments for each method the consumers apply, as a Client call would take them. */
const CALLS: Record<(typeof CONSUMER_METHODS)[number], unknown[]> = {
  publish: ["chat", { text: "hi" }, { tags: { kind: "a" }, skip_history: true, version: 3 }],
  broadcast: [["a", "b"], new Uint8Array([1, 2, 3]), { delta: true }],
  subscribe: ["alice", "news", { expire_at: 1, recover_since: { offset: 2, epoch: "e" } }],
  unsubscribe: ["alice", "news", { session: "s" }],
  disconnect: ["alice", { disconnect: { code: 4500, reason: "bye" }, whitelist: ["c1"] }],
  history_remove: ["chat"],
  refresh: ["alice", { expired: true }],
};

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

type Methods<T> = Record<string, (...args: unknown[]) => T>;
/** `commands.<method>(...args)`, by Centrifugo's method name. */
const build = (method: string, args: unknown[]): Command =>
  (commands as unknown as Methods<Command>)[camel(method)]!(...args);
/** The params `new Batch().<method>(...args)` holds. */
const batched = (method: string, args: unknown[]) =>
  (new Batch() as unknown as Methods<Batch>)[camel(method)]!(...args).commands[0]!.params;

/** The message of what `fn` throws. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TypeError, `not a TypeError: ${err}`);
    return err.message;
  }
  throw new assert.AssertionError({ message: "nothing was thrown" });
}

Deno.test("commands: one builder per method the consumers apply, none other", () => {
  assert.deepEqual([...CONSUMER_METHODS].sort(), [
    "broadcast",
    "disconnect",
    "history_remove",
    "publish",
    "refresh",
    "subscribe",
    "unsubscribe",
  ]);
  const own = Object.getOwnPropertyNames(Commands.prototype).filter((n) => n !== "constructor");
  assert.deepEqual(own.sort(), [...CONSUMER_METHODS.map(camel), "command"].sort());
});

Deno.test("commands: the payload is the params the Client and Batch send", () => {
  for (const method of CONSUMER_METHODS) {
    const args = CALLS[method];
    const command = build(method, args);
    assert.equal(command.method, method);
    const payload = JSON.parse(command.payload);
    const params: Record<string, unknown> = { ...batched(method, args) };
    if (method === "publish" || method === "broadcast") {
      assert.match(payload.idempotency_key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
      params.idempotency_key = payload.idempotency_key;
    } else {
      assert.equal(payload.idempotency_key, undefined, method);
    }
    assert.deepEqual(payload, params, method);
    // The generic form gives the same command.
    const generic = commands.command(method, payload);
    assert.equal(generic.method, method);
    assert.deepEqual(JSON.parse(generic.payload), payload, `${method} by name`);
  }
  // Binary data goes as base64, as the Client sends it.
  assert.equal(JSON.parse(build("broadcast", CALLS.broadcast).payload).b64data, "AQID");
});

Deno.test("commands: the same errors as the Client's checks, before anything is built", () => {
  const bad: [string, unknown[]][] = [
    ["publish", ["", {}]],
    ["publish", ["chat", undefined]],
    ["publish", ["chat", {}, { skipHistory: true }]],
    ["publish", ["chat", {}, { tags: { a: 1 } }]],
    ["publish", ["chat", new Uint8Array(1), { b64data: "AA==" }]],
    ["broadcast", [[], {}]],
    ["broadcast", [["a", ""], {}]],
    ["subscribe", [1, "news"]],
    ["subscribe", ["alice", "news", { recover_since: { offset: -1, epoch: "" } }]],
    ["unsubscribe", ["alice", 5]],
    ["disconnect", [undefined]],
    ["disconnect", ["alice", { disconnect: { code: 4500 } }]],
    ["history_remove", [""]],
    ["refresh", ["alice", { expire_at: 1.5 }]],
    ["refresh", ["alice", "options"]],
  ];
  for (const [method, args] of bad) {
    const expected = thrown(() => batched(method, args));
    assert.equal(thrown(() => build(method, args)), expected, `${method}(${Deno.inspect(args)})`);
  }
  // Values JSON would change are refused, as by the Client's default encoder.
  assert.match(
    thrown(() => commands.publish("chat", { n: NaN })),
    /cannot be encoded as JSON.*NaN/,
  );
  assert.match(thrown(() => commands.publish("chat", [undefined])), /undefined.*null/);
});

Deno.test("commands: per-call controls are refused: a consumer applies the command later", () => {
  for (const key of ["signal", "timeout", "retry"]) {
    const options = { [key]: key === "signal" ? new AbortController().signal : 1000 };
    assert.match(
      thrown(() => commands.publish("chat", {}, options as never)),
      new RegExp(
        `^publish: ${key} is a control of a Client call; a command for a consumer has none`,
      ),
    );
  }
});

Deno.test("commands: publications get an idempotency_key unless one is given", () => {
  const keys = new Set<string>();
  for (let i = 0; i < 50; i++) {
    keys.add(JSON.parse(commands.publish("chat", { i }).payload).idempotency_key);
    keys.add(JSON.parse(commands.broadcast(["a"], { i }).payload).idempotency_key);
  }
  assert.equal(keys.size, 100, "keys repeat");
  const given = commands.publish("chat", {}, { idempotency_key: "order-42-paid" });
  assert.equal(JSON.parse(given.payload).idempotency_key, "order-42-paid");
  // One command is one key: every form of it carries the same payload.
  const command = commands.publish("chat", {});
  assert.equal(command.toOutboxRow().payload, command.payload);
  assert.equal(command.toStreamEntry().payload, command.payload);
  assert.equal(
    JSON.parse(command.toEnvelope()).payload.idempotency_key,
    JSON.parse(command.payload).idempotency_key,
  );
});

Deno.test("commands: by name, methods the consumers skip are refused", () => {
  assert.match(
    thrown(() => commands.command("batch" as never, { commands: [] } as never)),
    /batch is not applied by Centrifugo's async consumers/,
  );
  for (
    const skipped of [
      "history",
      "presence",
      "info",
      "rpc",
      "map_publish",
      "map_remove",
      "map_clear",
      "shared_poll_publish",
      "update_user_status",
    ]
  ) {
    assert.match(
      thrown(() => commands.command(skipped as never, { channel: "x" } as never)),
      new RegExp(
        `^Commands.command: ${skipped} is not applied by Centrifugo's async consumers \\(they skip it\\); they apply publish, broadcast,`,
      ),
    );
  }
  assert.match(
    thrown(() => commands.command("Publish" as never, {} as never)),
    /method must be an API method the consumers apply, got "Publish"/,
  );
  assert.match(thrown(() => commands.command(7 as never, {} as never)), /got number 7/);
  assert.match(
    thrown(() => commands.command("publish", null as never)),
    /params must be a plain object, got null/,
  );
  assert.match(thrown(() => commands.command("publish", { channel: "x" })), /data/);
});

Deno.test("commands: a custom jsonEncoder, checked", () => {
  const big = new Commands({
    jsonEncoder: (value) =>
      JSON.stringify(value, (_k, v) => typeof v === "bigint" ? `__big${v}__` : v).replace(
        /"__big(\d+)__"/g,
        "$1",
      ),
  });
  const command = big.publish("chat", {}, { version: 2n ** 60n, idempotency_key: "k" });
  assert.equal(
    command.payload,
    `{"channel":"chat","data":{},"version":${2n ** 60n},"idempotency_key":"k"}`,
  );
  assert.match(
    thrown(() => new Commands({ jsonEncoder: () => "[1]" }).publish("c", 1)),
    /jsonEncoder must return the JSON text of an object.*got an array/,
  );
  assert.match(
    thrown(() => new Commands({ jsonEncoder: () => "{oops" }).publish("c", 1)),
    /JSON text of an object/,
  );
  assert.match(
    thrown(() => new Commands({ jsonEncoder: () => 1 as never }).publish("c", 1)),
    /jsonEncoder must return a string, got number 1/,
  );
  const cause = new Error("nope");
  try {
    new Commands({
      jsonEncoder: () => {
        throw cause;
      },
    }).publish("c", 1);
    assert.fail("not thrown");
  } catch (err) {
    assert.ok(err instanceof TypeError);
    assert.equal(err.cause, cause);
  }
  assert.match(
    thrown(() => new Commands({ jsonEncoder: "json" as never })),
    /jsonEncoder must be a function, got a string/,
  );
  assert.match(
    thrown(() => new Commands({ encoder: JSON.stringify } as never)),
    /unknown option encoder; known options: jsonEncoder/,
  );
});

Deno.test("commands: the forms each consumer reads", () => {
  const command = commands.unsubscribe("alice", "news");
  assert.equal(command.payload, '{"user":"alice","channel":"news"}');
  assert.equal(
    command.toEnvelope(),
    '{"method":"unsubscribe","payload":{"user":"alice","channel":"news"}}',
  );
  assert.deepEqual(command.toOutboxRow(), {
    method: "unsubscribe",
    payload: command.payload,
    partition: 0,
  });
  assert.deepEqual(command.toOutboxRow(3).partition, 3);
  assert.ok(Object.isFrozen(command) && Object.isFrozen(command.toOutboxRow()));
  for (const partition of [-1, 1.5, 2 ** 31, "1", NaN]) {
    assert.match(
      thrown(() => command.toOutboxRow(partition as never)),
      /^toOutboxRow: partition must be an integer from 0/,
    );
  }
  assert.deepEqual(command.toStreamEntry(), { method: "unsubscribe", payload: command.payload });
  assert.deepEqual(command.toStreamEntry({ method: "m", payload: "p" }), {
    m: "unsubscribe",
    p: command.payload,
  });
  assert.match(thrown(() => command.toStreamEntry({ method: "x", payload: "x" })), /both x/);
  assert.match(
    thrown(() => command.toStreamEntry({ method: "" })),
    /fields.method must be a non-empty string/,
  );
  assert.match(
    thrown(() => command.toStreamEntry({ channel: "c" } as never)),
    /unknown field channel/,
  );
});

Deno.test("commands: outboxInsert gives one parameterized INSERT", () => {
  const a = commands.publish("chat", { n: 1 });
  const b = commands.disconnect("alice");
  assert.deepEqual(outboxInsert(a), {
    text:
      "INSERT INTO centrifugo_outbox (method, payload, partition) VALUES ($1, $2::text::jsonb, $3)",
    values: ["publish", a.payload, 0],
  });
  assert.deepEqual(outboxInsert([a, b.toOutboxRow(2)], { table: "app.outbox", notify: "wake" }), {
    text: "WITH inserted AS (INSERT INTO app.outbox (method, payload, partition) VALUES " +
      "($1, $2::text::jsonb, $3), ($4, $5::text::jsonb, $6) RETURNING partition) " +
      "SELECT pg_notify($7, partition::text) FROM (SELECT DISTINCT partition FROM inserted) AS partitions",
    values: ["publish", a.payload, 0, "disconnect", b.payload, 2, "wake"],
  });
  for (const table of ["", "x; DROP TABLE y", '"Quoted"', "a.b.c", "1abc", 5]) {
    assert.match(
      thrown(() => outboxInsert(a, { table: table as never })),
      /table must be the consumer's outbox_table_name/,
    );
  }
  for (const notify of ["", "x".repeat(64), 1]) {
    assert.match(
      thrown(() => outboxInsert(a, { notify: notify as never })),
      /notify must be the consumer's partition_notification_channel/,
    );
  }
  assert.match(thrown(() => outboxInsert(a, { channel: "x" } as never)), /unknown option channel/);
  assert.match(thrown(() => outboxInsert([])), /at least one command/);
  assert.match(
    thrown(() => outboxInsert([a, { method: "history", payload: "{}" } as never])),
    /rows\[1\] must be a command/,
  );
  assert.match(
    thrown(() => outboxInsert([{ ...a.toOutboxRow(), partition: -2 }])),
    /rows\[0\]: partition must be/,
  );
  // PostgreSQL takes at most 65 535 parameters in a statement.
  assert.equal(outboxInsert(Array(21_845).fill(a)).values.length, 65_535);
  assert.match(
    thrown(() => outboxInsert(Array(21_845).fill(a), { notify: "n" })),
    /at most 21844 rows/,
  );
});

Deno.test("commands: outboxPartition is 32-bit FNV-1a of the key's UTF-8 bytes", () => {
  // FNV-1a test vectors: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
  const max = 2 ** 31 - 1;
  assert.equal(outboxPartition("", max), 0x811c9dc5 % max);
  assert.equal(outboxPartition("a", max), 0xe40c292c % max);
  assert.equal(outboxPartition("foobar", max), 0xbf9cf968 % max);
  assert.equal(outboxPartition("foobar", 7), 0xbf9cf968 % 7);
  assert.equal(outboxPartition("чат", 1), 0);
  const spread = new Set(Array.from({ length: 200 }, (_, i) => outboxPartition(`chat:${i}`, 4)));
  assert.deepEqual([...spread].sort(), [0, 1, 2, 3]);
  for (const n of [0, -1, 1.5, 2 ** 31]) {
    assert.match(
      thrown(() => outboxPartition("k", n)),
      /partitions must be the consumer's num_partitions/,
    );
  }
  assert.match(thrown(() => outboxPartition(1 as never, 2)), /key must be a string/);
});

Deno.test("commands: the entrypoint loads no transport, client or driver", async () => {
  const root = new URL("../", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("commands.ts", root).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  const local = graph.modules.map((m) => m.specifier.replace(root.href, ""));
  assert.ok(local.includes("src/commands.ts") && local.includes("src/_params.ts"), local.join());
  for (const specifier of local) {
    assert.match(
      specifier,
      /^(commands\.ts|src\/[\w/]+\.ts)$/,
      `not a module of this package: ${specifier}`,
    );
    assert.doesNotMatch(
      specifier,
      /^src\/(client|batch|_call|_request|_format|_retry|_auto_batch|_config|options|token|_token_\w+|_deadline|_alarms)\.ts$|^src\/(_transport|_http)\//,
      `the commands entrypoint loads ${specifier}`,
    );
  }
});
