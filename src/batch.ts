/**
 * The {@linkcode Batch} builder: many commands sent in one request with
 * {@linkcode Client.send}.
 *
 * @module
 */

import { build, type Params } from "./_commands.ts";
import type { ResponseError } from "./errors.ts";
import type {
  BroadcastOptions,
  ChannelsOptions,
  DisconnectOptions,
  HistoryOptions,
  MethodResults,
  PublishOptions,
  RefreshOptions,
  SubscribeOptions,
  UnsubscribeOptions,
} from "./types.ts";

/**
 * One command of a batch, as it goes on the wire: `{ [method]: params }`.
 *
 * @example Inspect what a batch will send
 * ```ts
 * import { Batch, type BatchCommand } from "@aiocent/aiocent";
 *
 * const commands: readonly BatchCommand[] = new Batch().info().commands;
 * console.log(commands[0]?.method); // "info"
 * ```
 */
export interface BatchCommand {
  /** Centrifugo's method name, e.g. `"publish"` or `"presence_stats"`. */
  readonly method: string;
  /** The command's wire params. */
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * A successful reply of a batch command of a known method, with its typed result.
 *
 * @example Narrow a reply to a publish result
 * ```ts
 * import { isSuccess, type BatchReply, type BatchSuccess } from "@aiocent/aiocent";
 *
 * const offset = (reply: BatchReply) => {
 *   if (!isSuccess(reply, "publish")) return undefined;
 *   const ok: BatchSuccess<"publish"> = reply;
 *   return ok.result.offset;
 * };
 * ```
 */
export interface BatchSuccess<M extends keyof MethodResults = keyof MethodResults> {
  /** Always `true`. */
  readonly ok: true;
  /** The command's method. */
  readonly method: M;
  /** What Centrifugo returned, typed per method. */
  readonly result: MethodResults[M];
}

/**
 * A successful reply of a command added with {@linkcode Batch.add} for a
 * method this library has no type for (PRO or newer methods).
 *
 * @example Read a raw result
 * ```ts
 * import type { BatchOtherSuccess } from "@aiocent/aiocent";
 *
 * const raw = (reply: BatchOtherSuccess) => reply.result as Record<string, unknown>;
 * ```
 */
export interface BatchOtherSuccess {
  /** Always `true`. */
  readonly ok: true;
  /** The command's method. */
  readonly method: string;
  /** What Centrifugo returned, untyped. */
  readonly result: unknown;
}

/**
 * A batch command that Centrifugo answered with an error.
 *
 * @example Log failed commands
 * ```ts
 * import type { BatchFailure } from "@aiocent/aiocent";
 *
 * const log = (f: BatchFailure) => console.error(f.method, f.error.code, f.error.reason);
 * ```
 */
export interface BatchFailure {
  /** Always `false`. */
  readonly ok: false;
  /** The command's method. */
  readonly method: string;
  /** Centrifugo's error for this command. */
  readonly error: ResponseError;
}

/**
 * The reply to one command of a batch. Per-command errors are replies with
 * `ok: false`; they never reject {@linkcode Client.send}.
 *
 * @example Count the failures of a batch
 * ```ts
 * import type { BatchReply } from "@aiocent/aiocent";
 *
 * const failures = (replies: BatchReply[]) => replies.filter((r) => !r.ok).length;
 * ```
 */
export type BatchReply = BatchSuccess | BatchOtherSuccess | BatchFailure;

/**
 * Whether `reply` succeeded and is for `method`; narrows its `result` to that
 * method's result type.
 *
 * @example Read the offset of a batched publish
 * ```ts
 * import { Batch, Client, isSuccess } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
 * const [reply] = await client.send(new Batch().publish("chat", { text: "hi" }));
 * if (isSuccess(reply, "publish")) console.log(reply.result.offset);
 * ```
 *
 * @param reply A reply from {@linkcode Client.send}.
 * @param method The method it should be for.
 * @returns `true` when the reply is a success of that method.
 */
export function isSuccess<M extends keyof MethodResults>(
  reply: BatchReply | undefined,
  method: M,
): reply is BatchSuccess<M> {
  return reply !== undefined && reply.ok && reply.method === method;
}

/**
 * Collects commands to send in one request with {@linkcode Client.send}. Each
 * method takes the same arguments as the {@linkcode Client} method of the same
 * name (without `signal`/`timeout`: those apply to the whole send), checks them
 * at once and returns the batch, so calls chain.
 *
 * @example Publish to many channels in one request
 * ```ts
 * import { Batch, Client } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
 * const batch = new Batch();
 * for (const user of ["alice", "bob"]) batch.publish(`personal:${user}`, { text: "hi" });
 * batch.presenceStats("chat");
 *
 * const replies = await client.send(batch, { parallel: true });
 * for (const reply of replies) {
 *   if (!reply.ok) console.error(reply.method, reply.error.message);
 * }
 * ```
 */
export class Batch {
  #commands: BatchCommand[] = [];

  /** The commands added so far, in order. */
  get commands(): readonly BatchCommand[] {
    return this.#commands;
  }

  /** How many commands the batch holds. */
  get length(): number {
    return this.#commands.length;
  }

  #push(method: string, params: Params): this {
    this.#commands.push({ method, params });
    return this;
  }

  /**
   * Adds a `publish` command.
   *
   * @example Add a publish without history
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().publish("chat", { text: "hi" }, { skip_history: true });
   * ```
   *
   * @param channel Channel to publish into.
   * @param data Any JSON value, or a `Uint8Array` (sent as `b64data`).
   * @param options Optional publish fields.
   * @returns This batch.
   */
  publish(channel: string, data: unknown, options?: PublishOptions): this {
    return this.#push("publish", build.publish(channel, data, options, false));
  }

  /**
   * Adds a `broadcast` command.
   *
   * @example Add a broadcast
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().broadcast(["a", "b"], { text: "hi" });
   * ```
   *
   * @param channels Channels to publish into.
   * @param data Any JSON value, or a `Uint8Array` (sent as `b64data`).
   * @param options Optional publish fields.
   * @returns This batch.
   */
  broadcast(channels: readonly string[], data: unknown, options?: BroadcastOptions): this {
    return this.#push("broadcast", build.broadcast(channels, data, options, false));
  }

  /**
   * Adds a `subscribe` command.
   *
   * @example Add a server-side subscription
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().subscribe("alice", "news");
   * ```
   *
   * @param user User ID ("" for anonymous connections).
   * @param channel Channel to subscribe the user's connections to.
   * @param options Optional subscribe fields.
   * @returns This batch.
   */
  subscribe(user: string, channel: string, options?: SubscribeOptions): this {
    return this.#push("subscribe", build.subscribe(user, channel, options, false));
  }

  /**
   * Adds an `unsubscribe` command.
   *
   * @example Add an unsubscribe
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().unsubscribe("alice", "news");
   * ```
   *
   * @param user User ID ("" for anonymous connections).
   * @param channel Channel to unsubscribe from.
   * @param options Optional unsubscribe fields.
   * @returns This batch.
   */
  unsubscribe(user: string, channel: string, options?: UnsubscribeOptions): this {
    return this.#push("unsubscribe", build.unsubscribe(user, channel, options, false));
  }

  /**
   * Adds a `disconnect` command.
   *
   * @example Add a disconnect with a reason
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().disconnect("alice", { disconnect: { code: 4000, reason: "bye" } });
   * ```
   *
   * @param user User ID ("" for anonymous connections).
   * @param options Optional disconnect fields.
   * @returns This batch.
   */
  disconnect(user: string, options?: DisconnectOptions): this {
    return this.#push("disconnect", build.disconnect(user, options, false));
  }

  /**
   * Adds a `refresh` command.
   *
   * @example Add a refresh
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().refresh("alice", { expire_at: 2_000_000_000 });
   * ```
   *
   * @param user User ID.
   * @param options Optional refresh fields.
   * @returns This batch.
   */
  refresh(user: string, options?: RefreshOptions): this {
    return this.#push("refresh", build.refresh(user, options, false));
  }

  /**
   * Adds a `presence` command.
   *
   * @example Add a presence query
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().presence("chat");
   * ```
   *
   * @param channel Channel to read presence of.
   * @returns This batch.
   */
  presence(channel: string): this {
    return this.#push("presence", build.presence(channel, undefined, false));
  }

  /**
   * Adds a `presence_stats` command.
   *
   * @example Add a presence count
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().presenceStats("chat");
   * ```
   *
   * @param channel Channel to count subscribers of.
   * @returns This batch.
   */
  presenceStats(channel: string): this {
    return this.#push("presence_stats", build.presence_stats(channel, undefined, false));
  }

  /**
   * Adds a `history` command.
   *
   * @example Add a history read
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().history("chat", { limit: 10 });
   * ```
   *
   * @param channel Channel to read history of.
   * @param options Optional history fields.
   * @returns This batch.
   */
  history(channel: string, options?: HistoryOptions): this {
    return this.#push("history", build.history(channel, options, false));
  }

  /**
   * Adds a `history_remove` command.
   *
   * @example Add a history removal
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().historyRemove("chat");
   * ```
   *
   * @param channel Channel whose history to remove.
   * @returns This batch.
   */
  historyRemove(channel: string): this {
    return this.#push("history_remove", build.history_remove(channel, undefined, false));
  }

  /**
   * Adds a `channels` command.
   *
   * @example Add a channels query
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().channels({ pattern: "chat:*" });
   * ```
   *
   * @param options Optional channels fields.
   * @returns This batch.
   */
  channels(options?: ChannelsOptions): this {
    return this.#push("channels", build.channels(options, false));
  }

  /**
   * Adds an `info` command.
   *
   * @example Add an info query
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().info();
   * ```
   *
   * @returns This batch.
   */
  info(): this {
    return this.#push("info", build.info(undefined, false));
  }

  /**
   * Adds an `rpc` command.
   *
   * @example Add an RPC call
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().rpc("getCurrentYear", {});
   * ```
   *
   * @param method Name of the RPC method registered in Centrifugo.
   * @param params Any JSON value passed to the handler.
   * @returns This batch.
   */
  rpc(method: string, params?: unknown): this {
    return this.#push("rpc", build.rpc(method, params, undefined, false));
  }

  /**
   * Adds a command for any method by its Centrifugo name, with its params
   * passed unchanged: for PRO methods and methods newer than this library.
   *
   * @example A Centrifugo PRO method
   * ```ts
   * import { Batch } from "@aiocent/aiocent";
   *
   * const batch = new Batch().add("get_user_status", { users: ["alice"] });
   * ```
   *
   * @param method Centrifugo's method name, e.g. `"connections"`.
   * @param params The command's wire params (default `{}`).
   * @returns This batch.
   */
  add(method: string, params?: Record<string, unknown>): this {
    return this.#push(...build.custom("Batch.add", method, params));
  }
}
