/// <reference lib="esnext.disposable" preserve="true" />
/**
 * The {@linkcode Client} of Centrifugo's server HTTP API.
 *
 * @module
 */

import type * as api from "./_generated/api.ts";
import { type MethodName, METHODS } from "./_generated/methods.ts";
import { AutoBatcher } from "./_auto_batch.ts";
import { decodeAnswer, malformedResult, sendMany, sendOne } from "./_call.ts";
import { clientConfig } from "./_config.ts";
import { Deadline, Live } from "./_deadline.ts";
import { SignalPool } from "./_signal_pool.ts";
import type { Encoded } from "./_format.ts";
import { buildParams, type Params } from "./_params.ts";
import { type Endpoint, requestOnly } from "./_request.ts";
import { decodeResult } from "./_results.ts";
import { retryChannels } from "./_broadcast.ts";
import type { BroadcastResult } from "./_generated/api.ts";
import { mayRetry, type RetryPolicy, retryPolicy, withKey } from "./_retry.ts";
import type { MethodSpec } from "./_schema.ts";
import { customTransport, defaultTransport, tlsTransport } from "./_transport/select.ts";
import {
  controlsArg,
  describe,
  isPlainObject,
  methodArg,
  paramsArg,
  timeoutArg,
} from "./_validate.ts";
import { RequestError } from "./errors.ts";
import { Batch } from "./batch.ts";
import type { BatchReply } from "./replies.ts";
import type { Address, CallOptions, ClientOptions, CloseOptions, SendOptions } from "./options.ts";

const NO_CHANNELS: readonly string[] = [];

/** The channels a command is about: what auto-batching keeps in order. */
function channelsOf(params: Params): readonly string[] {
  const { channel, channels } = params;
  if (typeof channel === "string") return [channel];
  return Array.isArray(channels) ? channels as string[] : NO_CHANNELS;
}

/**
 * A client of Centrifugo's server HTTP API (v6). Each method sends one
 * `POST {address}/{method}` and resolves with Centrifugo's typed `result`.
 *
 * Every call either resolves with the server's answer or rejects with a
 * {@linkcode CentError}: a {@linkcode ResponseError} when Centrifugo answered
 * with an error, a {@linkcode RequestError} when the request failed (a
 * {@linkcode RequestTimeoutError} when it took longer than `timeout`). Invalid
 * arguments reject with a `TypeError` before anything is sent.
 *
 * Optional wire fields go in each method's `options` under Centrifugo's own
 * snake_case names (`skip_history`, `limit`, …), next to the per-call
 * controls `signal` and `timeout`. Unknown option names are rejected.
 *
 * @example Publish, read history and presence
 * ```ts
 * import { Client } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret", timeout: 1000 });
 *
 * await client.publish("chat", { input: "test" });
 * const history = await client.history("chat", { limit: 10 });
 * const presence = await client.presence("chat");
 * console.log(history.publications, Object.keys(presence.presence));
 * ```
 */
export class Client {
  readonly #endpoint: Endpoint;
  readonly #timeout: number;
  readonly #encoder: (value: unknown) => string;
  readonly #retry: RetryPolicy | undefined;
  /** The controls of a call that sets none (the common case, so made once). */
  readonly #defaults: { timeout: number; retry: RetryPolicy | undefined };
  /** The node a call neither batched nor retried is sent to directly: the only one, with no hook to tell. */
  readonly #directNode: string | undefined;
  readonly #batcher: AutoBatcher | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** The budgets of the calls in flight, for a close() that gives up waiting. */
  readonly #live = new Live();
  /** The timeout signals its calls share, where that pays (see Transport.shareSignals). */
  readonly #signals: SignalPool | undefined;
  #idle: (() => void)[] = [];
  /** What the common call does with its answer and once it has settled, made once (see requestOnly). */
  readonly #read = (text: string, method: string, params: Params): unknown =>
    this.#decode(method, params, decodeAnswer(this.#endpoint, method, undefined, text));
  readonly #settled = (budget: Deadline): void => this.#end(budget);

  /**
   * Creates a client. Nothing is sent until the first call.
   *
   * @example Create a client
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * ```
   *
   * @param address Centrifugo's API endpoint, including its prefix, e.g.
   *   `http://localhost:8000/api` (a trailing slash is fine); or the
   *   endpoints of several nodes of a cluster, or a function returning
   *   them (see {@linkcode Address}).
   * @param options Key, timeout, custom fetch, JSON encoder, extra headers.
   */
  constructor(address: Address, options: ClientOptions = {}) {
    const config = clientConfig(address, options);
    this.#timeout = config.timeout;
    this.#retry = config.retry;
    this.#defaults = { timeout: config.timeout, retry: config.retry };
    this.#encoder = config.encoder;
    const max = config.maxResponseBytes;
    this.#endpoint = {
      nodes: config.nodes,
      headers: config.headers,
      format: config.format,
      transport: config.fetch
        ? customTransport(config.fetch, max)
        : config.tls
        ? tlsTransport(config.tls, max)
        : defaultTransport(max),
      secrets: config.secrets,
      auth: config.auth,
      onRequest: config.onRequest,
      urls: new Map(),
    };
    this.#signals = this.#endpoint.transport.shareSignals ? new SignalPool() : undefined;
    this.#directNode = config.onRequest ? undefined : config.nodes.only;
    const auto = config.autoBatch;
    this.#batcher = auto && new AutoBatcher(this.#endpoint, config.retry, auto);
  }

  /**
   * The API endpoint the next call goes to, without a trailing slash: with
   * several nodes, the first that is up.
   */
  get address(): string {
    return this.#endpoint.nodes.primary;
  }

  /**
   * Shuts the client down, draining it: new calls reject at once with a
   * {@linkcode RequestError}, calls queued for auto-batching are sent, and
   * calls in flight are waited for — for at most `timeout` ms, after which
   * those still running are abandoned (they reject with "the client was
   * closed"). Then what the client holds is released: its keep-alive
   * connections on Node (and for `verify: false`), or the `Deno.HttpClient`
   * made for `caCerts`. Calling it again returns the same promise. A client
   * that is never closed holds nothing that keeps a process alive.
   *
   * @example Shut down with a server, waiting at most 2 s for calls in flight
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const pending = client.publish("chat", { text: "last words" });
   * await client.close({ timeout: 2000 });
   * console.log(await pending); // sent before the close finished
   * ```
   *
   * @param options `timeout`: how long to wait for calls in flight, in ms
   *   (default: as long as they take; each is bounded by its own timeout).
   * @returns A promise that resolves once everything is released.
   */
  close(options?: CloseOptions): Promise<void> {
    if (this.#closing) return this.#closing;
    let wait = Infinity;
    if (options !== undefined) {
      if (!isPlainObject(options) || Object.keys(options).some((k) => k !== "timeout")) {
        return Promise.reject(
          new TypeError(`close: options must be { timeout? }, got ${describe(options)}`),
        );
      }
      if (options.timeout !== undefined) {
        try {
          wait = timeoutArg("close", options.timeout);
        } catch (err) {
          return Promise.reject(err);
        }
      }
    }
    this.#closed = true;
    return this.#closing = this.#shutDown(wait);
  }

  /**
   * Closes the client, as {@linkcode Client.close} with no timeout does:
   * `await using client = new Client(…)` closes it at the end of the scope.
   *
   * @example Close at the end of a scope
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * await using client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.publish("chat", { text: "hi" });
   * // closed here
   * ```
   *
   * @returns A promise that resolves once the client is closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutDown(wait: number): Promise<void> {
    const drained = Promise.all([
      this.#batcher?.drain(),
      this.#live.size === 0 ? undefined : new Promise<void>((resolve) => this.#idle.push(resolve)),
    ]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = Number.isFinite(wait)
      ? new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), wait))
      : undefined;
    const outcome = await (late ? Promise.race([drained, late]) : drained);
    clearTimeout(timer);
    if (outcome === "late") {
      this.#batcher?.abandon();
      for (const budget of [...this.#live]) budget.close();
    }
    await this.#endpoint.transport.close();
  }

  /** Counts a call in flight until it settles. */
  #begin(budget: Deadline): void {
    this.#live.add(budget);
  }

  #end(budget: Deadline): void {
    budget.end();
    this.#live.delete(budget);
    if (this.#live.size === 0 && this.#idle.length > 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  // --- API methods: generated by scripts/generate.ts from the method table (do not edit) ---

  /**
   * Publishes data into a channel.
   *
   * @example Publish with tags and an idempotency key
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { offset, epoch } = await client.publish("chat", { text: "hi" }, {
   *   tags: { kind: "message" },
   *   idempotency_key: "msg-1",
   * });
   * ```
   *
   * @param channel Channel to publish into.
   * @param data The data: any JSON value. A `Uint8Array` is sent as `b64data`.
   * @param options Optional fields (see {@linkcode PublishOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns The publication's position when the channel keeps history, else `{}`.
   */
  publish(
    channel: string,
    data: unknown,
    options?: api.PublishOptions & CallOptions,
  ): Promise<api.PublishResult> {
    return this.#invoke("publish", [channel, data], options);
  }

  /**
   * Publishes the same data into many channels in one request.
   *
   * Per-channel failures are items with `ok: false` in the result, not rejections.
   *
   * @example Broadcast and report per-channel failures
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { responses } = await client.broadcast(["news", "sport"], { text: "hi" });
   * for (const r of responses) if (!r.ok) console.error(r.channel, r.error.reason);
   * ```
   *
   * @param channels Channels to publish into (at least one).
   * @param data The data: any JSON value. A `Uint8Array` is sent as `b64data`.
   * @param options Optional fields (see {@linkcode BroadcastOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns One typed response per channel, in order.
   */
  broadcast(
    channels: readonly string[],
    data: unknown,
    options?: api.BroadcastOptions & CallOptions,
  ): Promise<api.BroadcastResult> {
    return this.#invoke("broadcast", [channels, data], options);
  }

  /**
   * Subscribes a user's connections to a channel, server-side.
   *
   * @example Subscribe a user server-side
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.subscribe("alice", "news", { data: { reason: "followed" } });
   * ```
   *
   * @param user User ID; `""` targets anonymous connections (combine with `client`).
   * @param channel Channel to subscribe to.
   * @param options Optional fields (see {@linkcode SubscribeOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns `{}` once done.
   */
  subscribe(
    user: string,
    channel: string,
    options?: api.SubscribeOptions & CallOptions,
  ): Promise<api.SubscribeResult> {
    return this.#invoke("subscribe", [user, channel], options);
  }

  /**
   * Unsubscribes a user's connections from a channel.
   *
   * The channel is required: Centrifugo 6.9.1 accepts an empty one and unsubscribes from
   * nothing. To take a user out of every channel, disconnect them.
   *
   * @example Unsubscribe a user
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.unsubscribe("alice", "news");
   * ```
   *
   * @param user User ID; `""` targets anonymous connections (combine with `client`).
   * @param channel Channel to unsubscribe from.
   * @param options Optional fields (see {@linkcode UnsubscribeOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  unsubscribe(
    user: string,
    channel: string,
    options?: api.UnsubscribeOptions & CallOptions,
  ): Promise<api.UnsubscribeResult> {
    return this.#invoke("unsubscribe", [user, channel], options);
  }

  /**
   * Disconnects a user's connections.
   *
   * @example Disconnect a banned user
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.disconnect("alice", { disconnect: { code: 4500, reason: "banned" } });
   * ```
   *
   * @param user User ID; `""` targets anonymous connections (combine with `client`).
   * @param options Optional fields (see {@linkcode DisconnectOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns `{}` once done.
   */
  disconnect(
    user: string,
    options?: api.DisconnectOptions & CallOptions,
  ): Promise<api.DisconnectResult> {
    return this.#invoke("disconnect", [user], options);
  }

  /**
   * Lists the connections subscribed to a channel (needs `presence` on its namespace).
   *
   * @example List who is in a channel
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { presence } = await client.presence("chat");
   * for (const [clientId, info] of Object.entries(presence)) console.log(clientId, info.user);
   * ```
   *
   * @param channel Channel to read.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns The subscribed connections by client ID.
   */
  presence(channel: string, options?: CallOptions): Promise<api.PresenceResult> {
    return this.#invoke("presence", [channel], options);
  }

  /**
   * Counts the connections and users subscribed to a channel.
   *
   * @example Count subscribers
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { num_clients, num_users } = await client.presenceStats("chat");
   * ```
   *
   * @param channel Channel to read.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns The counts.
   */
  presenceStats(channel: string, options?: CallOptions): Promise<api.PresenceStatsResult> {
    return this.#invoke("presence_stats", [channel], options);
  }

  /**
   * Reads a channel's history (needs `history_size` and `history_ttl` on its namespace).
   *
   * @example Read the whole history
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { publications, offset, epoch } = await client.history("chat", { limit: -1 });
   * ```
   *
   * @param channel Channel to read.
   * @param options Optional fields (see {@linkcode HistoryOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns The publications and the stream's current position.
   */
  history(channel: string, options?: api.HistoryOptions & CallOptions): Promise<api.HistoryResult> {
    return this.#invoke("history", [channel], options);
  }

  /**
   * Removes a channel's history.
   *
   * @example Clear a channel's history
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.historyRemove("chat");
   * ```
   *
   * @param channel Channel whose history to remove.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  historyRemove(channel: string, options?: CallOptions): Promise<api.HistoryRemoveResult> {
    return this.#invoke("history_remove", [channel], options);
  }

  /**
   * Describes the nodes of the Centrifugo cluster.
   *
   * @example Describe the cluster
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { nodes } = await client.info();
   * console.log(nodes.map((n) => `${n.name}: ${n.num_clients} clients`));
   * ```
   *
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns One entry per node.
   */
  info(options?: CallOptions): Promise<api.InfoResult> {
    return this.#invoke("info", [], options);
  }

  /**
   * Calls an RPC method registered in Centrifugo (Centrifugo OSS registers none, so it answers
   * code 104).
   *
   * @example Call an RPC method
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   * import { ERROR_CODE, ResponseError } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * try {
   *   const { data } = await client.rpc("getCurrentYear", {});
   *   console.log(data);
   * } catch (err) {
   *   // Centrifugo OSS registers no RPC handlers: it answers code 104 (not found).
   *   if (!(err instanceof ResponseError && err.code === ERROR_CODE.NotFound)) throw err;
   * }
   * ```
   *
   * @param method The RPC method's name.
   * @param params Any JSON value passed to the handler.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns What the handler returned.
   */
  rpc(method: string, params?: unknown, options?: CallOptions): Promise<api.RpcResult> {
    return this.#invoke("rpc", [method, params], options);
  }

  /**
   * Refreshes a user's connections: extends their expiration or marks them expired.
   *
   * @example Extend connections by an hour
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.refresh("alice", { expire_at: Math.floor(Date.now() / 1000) + 3600 });
   * ```
   *
   * @param user User ID.
   * @param options Optional fields (see {@linkcode RefreshOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns `{}` once done.
   */
  refresh(user: string, options?: api.RefreshOptions & CallOptions): Promise<api.RefreshResult> {
    return this.#invoke("refresh", [user], options);
  }

  /**
   * Lists the channels that have subscribers.
   *
   * @example List active chat channels
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { channels } = await client.channels({ pattern: "chat:*" });
   * console.log(Object.keys(channels));
   * ```
   *
   * @param options Optional fields (see {@linkcode ChannelsOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns Active channels by name, with their subscriber counts.
   */
  channels(options?: api.ChannelsOptions & CallOptions): Promise<api.ChannelsResult> {
    return this.#invoke("channels", [], options);
  }

  /**
   * Centrifugo PRO: Lists active client connections selected by user ID, a CEL expression and/or
   * client labels, without needing channel presence.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example List the connections of a user
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { connections } = await client.connections({ user: "alice" });
   * for (const [id, c] of Object.entries(connections)) console.log(id, c.transport);
   * ```
   *
   * @param options Optional fields (see {@linkcode ConnectionsOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns The connections, by client ID.
   */
  connections(options?: api.ConnectionsOptions & CallOptions): Promise<api.ConnectionsResult> {
    return this.#invoke("connections", [], options);
  }

  /**
   * Centrifugo PRO: Marks the given users as active at the current time in the PRO user status
   * storage, optionally storing a custom state.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Mark users as active
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.updateUserStatus(["alice", "bob"]);
   * ```
   *
   * @param users User IDs to mark as active now.
   * @param options Optional fields (see {@linkcode UpdateUserStatusOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  updateUserStatus(
    users: readonly string[],
    options?: api.UpdateUserStatusOptions & CallOptions,
  ): Promise<api.UpdateUserStatusResult> {
    return this.#invoke("update_user_status", [users], options);
  }

  /**
   * Centrifugo PRO: Returns the stored activity and online times for each of the given users.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Read when users were last active
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { statuses } = await client.getUserStatus(["alice", "bob"]);
   * for (const s of statuses) console.log(s.user, s.active, s.online);
   * ```
   *
   * @param users User IDs to look up.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns One status per user.
   */
  getUserStatus(users: readonly string[], options?: CallOptions): Promise<api.GetUserStatusResult> {
    return this.#invoke("get_user_status", [users], options);
  }

  /**
   * Centrifugo PRO: Deletes the stored status records of the given users.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Forget users' statuses
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.deleteUserStatus(["alice"]);
   * ```
   *
   * @param users User IDs whose stored status is deleted.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  deleteUserStatus(
    users: readonly string[],
    options?: CallOptions,
  ): Promise<api.DeleteUserStatusResult> {
    return this.#invoke("delete_user_status", [users], options);
  }

  /**
   * Centrifugo PRO: Blocks a user: their connections are dropped and new connections are refused
   * until the block is lifted or expires.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Block a user for a day
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.blockUser("alice", { expire_at: Math.floor(Date.now() / 1000) + 86400 });
   * ```
   *
   * @param user ID of the user to block.
   * @param options Optional fields (see {@linkcode BlockUserOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns `{}` once done.
   */
  blockUser(
    user: string,
    options?: api.BlockUserOptions & CallOptions,
  ): Promise<api.BlockUserResult> {
    return this.#invoke("block_user", [user], options);
  }

  /**
   * Centrifugo PRO: Lifts the block on a user.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Unblock a user
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.unblockUser("alice");
   * ```
   *
   * @param user ID of the user to unblock.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  unblockUser(user: string, options?: CallOptions): Promise<api.UnblockUserResult> {
    return this.#invoke("unblock_user", [user], options);
  }

  /**
   * Centrifugo PRO: Revokes one token by its unique ID (JWT jti), so clients using it are
   * disconnected shortly and cannot connect with it again.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Revoke one token by its jti
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.revokeToken("token-jti", { expire_at: Math.floor(Date.now() / 1000) + 3600 });
   * ```
   *
   * @param uid JWT jti claim of the token being revoked.
   * @param options Optional fields (see {@linkcode RevokeTokenOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  revokeToken(
    uid: string,
    options?: api.RevokeTokenOptions & CallOptions,
  ): Promise<api.RevokeTokenResult> {
    return this.#invoke("revoke_token", [uid], options);
  }

  /**
   * Centrifugo PRO: Revokes, for one user, every token whose issue time (JWT iat) falls before a
   * cutoff.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Invalidate every token of a user issued until now
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.invalidateUserTokens("alice", {
   *   issued_before: Math.floor(Date.now() / 1000),
   *   expire_at: Math.floor(Date.now() / 1000) + 86400,
   * });
   * ```
   *
   * @param user User whose tokens are invalidated.
   * @param options Optional fields (see {@linkcode InvalidateUserTokensOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  invalidateUserTokens(
    user: string,
    options?: api.InvalidateUserTokensOptions & CallOptions,
  ): Promise<api.InvalidateUserTokensResult> {
    return this.#invoke("invalidate_user_tokens", [user], options);
  }

  /**
   * Centrifugo PRO: Creates a push notification device, or fully replaces an existing one, and
   * returns its ID.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Register a device for push notifications
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { id } = await client.deviceRegister("fcm", "fcm-device-token", "android", {
   *   user: "alice",
   *   topics: ["news"],
   * });
   * ```
   *
   * @param provider Push provider of the token: fcm, hms, apns or webpush.
   * @param token Push token from the provider; for webpush, a JSON string of the browser's
   * PushSubscription object.
   * @param platform Device platform: ios, android or web.
   * @param options Optional fields (see {@linkcode DeviceRegisterOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns The device's ID.
   */
  deviceRegister(
    provider: string,
    token: string,
    platform: string,
    options?: api.DeviceRegisterOptions & CallOptions,
  ): Promise<api.DeviceRegisterResult> {
    return this.#invoke("device_register", [provider, token, platform], options);
  }

  /**
   * Centrifugo PRO: Applies partial changes (user, meta, topics, time zone, locale) to every
   * device matched by the given IDs or user IDs.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Move a device to another user
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.deviceUpdate({ ids: ["device-id"], user_update: { user: "bob" } });
   * ```
   *
   * @param options Optional fields (see {@linkcode DeviceUpdateOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  deviceUpdate(options?: api.DeviceUpdateOptions & CallOptions): Promise<api.DeviceUpdateResult> {
    return this.#invoke("device_update", [], options);
  }

  /**
   * Centrifugo PRO: Deletes every device matched by the given IDs or user IDs, along with its
   * topic subscriptions.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Remove every device of a user
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.deviceRemove({ users: ["alice"] });
   * ```
   *
   * @param options Optional fields (see {@linkcode DeviceRemoveOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  deviceRemove(options?: api.DeviceRemoveOptions & CallOptions): Promise<api.DeviceRemoveResult> {
    return this.#invoke("device_remove", [], options);
  }

  /**
   * Centrifugo PRO: Returns one page of registered devices matching a filter.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example List the devices of a user
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { items, next_cursor } = await client.deviceList({ users: ["alice"] }, { limit: 100 });
   * ```
   *
   * @param filter Which devices to list.
   * @param options Optional fields (see {@linkcode DeviceListOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns A page of devices, and the cursor of the next page.
   */
  deviceList(
    filter: api.DeviceFilter,
    options?: api.DeviceListOptions & CallOptions,
  ): Promise<api.DeviceListResult> {
    return this.#invoke("device_list", [filter], options);
  }

  /**
   * Centrifugo PRO: Returns one page of device-to-topic subscriptions matching a filter.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example List the devices subscribed to a topic
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { items } = await client.deviceTopicList({ filter: { topics: ["news"] } });
   * ```
   *
   * @param options Optional fields (see {@linkcode DeviceTopicListOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns A page of device topics, and the cursor of the next page.
   */
  deviceTopicList(
    options?: api.DeviceTopicListOptions & CallOptions,
  ): Promise<api.DeviceTopicListResult> {
    return this.#invoke("device_topic_list", [], options);
  }

  /**
   * Centrifugo PRO: Adds, removes or replaces the topic subscriptions of one device.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Subscribe a device to topics
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.deviceTopicUpdate("device-id", "add", ["news", "sport"]);
   * ```
   *
   * @param deviceId ID of the device to change.
   * @param op How topics are applied: add, remove or set (replace the whole list).
   * @param topics Topics the operation uses.
   * @param options Optional fields (see {@linkcode DeviceTopicUpdateOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  deviceTopicUpdate(
    deviceId: string,
    op: string,
    topics: readonly string[],
    options?: api.DeviceTopicUpdateOptions & CallOptions,
  ): Promise<api.DeviceTopicUpdateResult> {
    return this.#invoke("device_topic_update", [deviceId, op, topics], options);
  }

  /**
   * Centrifugo PRO: Returns one page of user-to-topic bindings matching a filter.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example List the topics of a user
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { items } = await client.userTopicList({ filter: { users: ["alice"] } });
   * ```
   *
   * @param options Optional fields (see {@linkcode UserTopicListOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns A page of user topics, and the cursor of the next page.
   */
  userTopicList(
    options?: api.UserTopicListOptions & CallOptions,
  ): Promise<api.UserTopicListResult> {
    return this.#invoke("user_topic_list", [], options);
  }

  /**
   * Centrifugo PRO: Adds, removes or replaces the topics bound to a user, propagating the change
   * to devices that user has already registered.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Bind topics to a user
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.userTopicUpdate("alice", "set", ["news"]);
   * ```
   *
   * @param user User whose topic list changes; the empty string addresses the global list that
   * every device picks up at its next registration.
   * @param op How topics are applied: add, remove or set (replace the whole list).
   * @param topics Topics the operation uses.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  userTopicUpdate(
    user: string,
    op: string,
    topics: readonly string[],
    options?: CallOptions,
  ): Promise<api.UserTopicUpdateResult> {
    return this.#invoke("user_topic_update", [user, op, topics], options);
  }

  /**
   * Centrifugo PRO: Queues a push notification for delivery to the chosen recipients by
   * Centrifugo's push workers.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Send a push to a user's devices
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { uid } = await client.sendPushNotification(
   *   { filter: { users: ["alice"] } },
   *   { fcm: { message: { notification: { title: "Hi", body: "You have mail" } } } },
   *   { uid: crypto.randomUUID() },
   * );
   * ```
   *
   * @param recipient Who receives the push.
   * @param notification What is sent, per provider.
   * @param options Optional fields (see {@linkcode SendPushNotificationOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns The push's `uid`.
   */
  sendPushNotification(
    recipient: api.PushRecipient,
    notification: api.PushNotification,
    options?: api.SendPushNotificationOptions & CallOptions,
  ): Promise<api.SendPushNotificationResult> {
    return this.#invoke("send_push_notification", [recipient, notification], options);
  }

  /**
   * Centrifugo PRO: Records that a sent push was delivered or interacted with, in the push
   * analytics table (experimental).
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Record that a push was delivered
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.updatePushStatus("push-analytics-uid", "delivered", "device-id");
   * ```
   *
   * @param analyticsUid Analytics ID of the push, as used when sending (analytics_uid, or uid
   * when that was not set).
   * @param status New status: delivered or interacted.
   * @param deviceId Centrifugo device ID the status applies to.
   * @param options Optional fields (see {@linkcode UpdatePushStatusOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  updatePushStatus(
    analyticsUid: string,
    status: string,
    deviceId: string,
    options?: api.UpdatePushStatusOptions & CallOptions,
  ): Promise<api.UpdatePushStatusResult> {
    return this.#invoke("update_push_status", [analyticsUid, status, deviceId], options);
  }

  /**
   * Centrifugo PRO: Cancels a scheduled push notification that was sent with send_at.
   *
   * Centrifugo OSS does not serve it: the call rejects with a `RequestError` saying the method
   * needs Centrifugo PRO (in a batch, the reply is error 104).
   *
   * @example Cancel a scheduled push
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.cancelPush("push-uid");
   * ```
   *
   * @param uid uid of the scheduled push to cancel.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  cancelPush(uid: string, options?: CallOptions): Promise<api.CancelPushResult> {
    return this.#invoke("cancel_push", [uid], options);
  }

  /**
   * Sets a key of a map channel to data (`subscription_type: map` namespaces).
   *
   * Subscribers of the channel get the change live; new subscribers get the map's state. With
   * `key_mode` the write only happens if the key is new (`if_new`) or already there
   * (`if_exists`); otherwise the result says `suppressed`.
   *
   * @example Set a key only if it is new
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const first = await client.mapPublish("board:1", "cell-a1", { mark: "x" }, {
   *   key_mode: "if_new",
   * });
   * const again = await client.mapPublish("board:1", "cell-a1", { mark: "o" }, {
   *   key_mode: "if_new",
   * });
   * console.log(first.suppressed, again.suppressed, again.suppress_reason); // undefined true key_exists
   * ```
   *
   * @param channel Map channel to write into.
   * @param key The key to set.
   * @param data The key's new data: any JSON value. A `Uint8Array` is sent as `b64data`.
   * @param options Optional fields (see {@linkcode MapPublishOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns The change's position in the channel's stream, and whether it was suppressed.
   */
  mapPublish(
    channel: string,
    key: string,
    data: unknown,
    options?: api.MapPublishOptions & CallOptions,
  ): Promise<api.MapPublishResult> {
    return this.#invoke("map_publish", [channel, key, data], options);
  }

  /**
   * Removes a key from a map channel.
   *
   * @example Remove a key
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.mapPublish("board:1", "cell-b2", { mark: "x" });
   * const { suppressed } = await client.mapRemove("board:1", "cell-b2");
   * ```
   *
   * @param channel Map channel to remove from.
   * @param key The key to remove.
   * @param options Optional fields (see {@linkcode MapRemoveOptions}), and the call's `signal`,
   * `timeout` and `retry`.
   * @returns The removal's position in the channel's stream, and whether it was suppressed.
   */
  mapRemove(
    channel: string,
    key: string,
    options?: api.MapRemoveOptions & CallOptions,
  ): Promise<api.MapRemoveResult> {
    return this.#invoke("map_remove", [channel, key], options);
  }

  /**
   * Reads the current state of a map channel: its keys and their data, a page at a time.
   *
   * Pass the returned `cursor` back to read the next page; an empty cursor means the last page
   * was read.
   *
   * @example Read the whole state, page by page
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const entries = [];
   * let cursor = "";
   * do {
   *   const page = await client.mapReadState("board:1", { limit: 100, cursor });
   *   entries.push(...page.entries ?? []);
   *   cursor = page.cursor ?? "";
   * } while (cursor !== "");
   * console.log(entries.map((e) => e.key));
   * ```
   *
   * @param channel Map channel to read.
   * @param options Optional fields (see {@linkcode MapReadStateOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns A page of entries, the stream position of the state, and the cursor of the next
   * page.
   */
  mapReadState(
    channel: string,
    options?: api.MapReadStateOptions & CallOptions,
  ): Promise<api.MapReadStateResult> {
    return this.#invoke("map_read_state", [channel], options);
  }

  /**
   * Reads the stream of changes of a map channel (`recoverable` and `persistent` map modes keep
   * one).
   *
   * @example Read the changes since a known position
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { offset, epoch } = await client.mapPublish("board:1", "cell-c3", { mark: "x" });
   * const since = await client.mapReadStream("board:1", {
   *   since_offset: Math.max(0, (offset ?? 1) - 1),
   *   since_epoch: epoch,
   *   limit: 10,
   * });
   * console.log(since.entries?.map((e) => e.key));
   * ```
   *
   * @param channel Map channel to read.
   * @param options Optional fields (see {@linkcode MapReadStreamOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns The changes and the stream's current position.
   */
  mapReadStream(
    channel: string,
    options?: api.MapReadStreamOptions & CallOptions,
  ): Promise<api.MapReadStreamResult> {
    return this.#invoke("map_read_stream", [channel], options);
  }

  /**
   * Counts the keys of a map channel.
   *
   * @example Count the keys
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const { num_keys } = await client.mapStats("board:1");
   * ```
   *
   * @param channel Map channel to count.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns The number of keys.
   */
  mapStats(channel: string, options?: CallOptions): Promise<api.MapStatsResult> {
    return this.#invoke("map_stats", [channel], options);
  }

  /**
   * Removes every key of a map channel.
   *
   * @example Clear a map
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.mapClear("board:2");
   * ```
   *
   * @param channel Map channel to clear.
   * @param options The call's `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  mapClear(channel: string, options?: CallOptions): Promise<api.MapClearResult> {
    return this.#invoke("map_clear", [channel], options);
  }

  /**
   * Pushes a new version of a key's data to a shared-poll channel's subscribers (namespaces with
   * `shared_poll.publish_enabled` and versioned mode).
   *
   * Subscribers tracking the key get the data at once instead of at the next poll. Centrifugo
   * keeps the highest version: an older or equal one is not delivered.
   *
   * @example Push a new version of a tracked key
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * await client.sharedPollPublish("scores:live", "match-7", { home: 2, away: 1 }, {
   *   version: Date.now(),
   * });
   * ```
   *
   * @param channel Shared-poll channel.
   * @param key The tracked key whose data changed.
   * @param data The key's new data: any JSON value. A `Uint8Array` is sent as `b64data`.
   * @param options Optional fields (see {@linkcode SharedPollPublishOptions}), and the call's
   * `signal`, `timeout` and `retry`.
   * @returns `{}` once done.
   */
  sharedPollPublish(
    channel: string,
    key: string,
    data: unknown,
    options: api.SharedPollPublishOptions & CallOptions,
  ): Promise<api.SharedPollPublishResult> {
    return this.#invoke("shared_poll_publish", [channel, key, data], options);
  }
  // --- end of API methods ---

  /**
   * Calls any API method by its Centrifugo name with the params passed
   * unchanged and unchecked: for methods newer than this library (every
   * method of the Centrifugo version it was generated from has a typed
   * method). It is never auto-batched, and retried only for a method this
   * library knows to be safe to repeat.
   *
   * @example A method by its name
   * ```ts
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const stats = await client.call<{ num_clients: number }>("presence_stats", {
   *   channel: "chat",
   * });
   * ```
   *
   * @typeParam T The result's type.
   * @param method Centrifugo's method name, e.g. `"presence_stats"`.
   * @param params The method's wire params (default `{}`).
   * @param options `signal`, `timeout` and `retry`.
   * @returns Centrifugo's `result`.
   */
  async call<T = unknown>(
    method: string,
    params?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<T> {
    const name = methodArg("call", method);
    const wire = paramsArg("call", params);
    controlsArg("call", options);
    return await this.#run(name, "call", wire, options, false) as T;
  }

  /**
   * Sends the commands of a {@linkcode Batch} in one request and resolves with
   * one reply per command, in order. Per-command errors are replies with
   * `ok: false`; only a failure of the request as a whole rejects. An empty
   * batch resolves with `[]` without a request.
   *
   * @example Publish and count subscribers in one request
   * ```ts
   * import { Batch, Client, isSuccess } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const batch = new Batch().publish("chat", { text: "hi" }).presenceStats("chat");
   * const [published, stats] = await client.send(batch);
   * if (isSuccess(stats, "presence_stats")) console.log(stats.result.num_users);
   * ```
   *
   * @param batch The commands to send; later changes to it do not affect this send.
   * @param options `parallel` (let Centrifugo run the commands concurrently),
   *   `signal` and `timeout` (for the whole request).
   * @returns The replies, in the order of the commands.
   */
  async send(batch: Batch, options?: SendOptions): Promise<BatchReply[]> {
    if (!(batch instanceof Batch)) {
      throw new TypeError(`send: batch must be a Batch, got ${describe(batch)}`);
    }
    controlsArg("send", options, ["parallel"]);
    const parallel = options?.parallel;
    if (parallel !== undefined && typeof parallel !== "boolean") {
      throw new TypeError(`send: option parallel must be a boolean, got ${describe(parallel)}`);
    }
    const { timeout, retry } = this.#controls("send", options);
    // A batch is retried only when every command is safe to repeat.
    const policy = retry && batch.commands.every((c) => mayRetry(c.method)) ? retry : undefined;
    const keyed = policy !== undefined || this.#endpoint.nodes.many;
    const commands = batch.commands.map(({ method, params }) => ({
      method,
      params: keyed ? withKey(method, params) : params,
    }));
    if (commands.length === 0) return [];
    const endpoint = this.#endpoint;
    if (endpoint.format.legacy && parallel) {
      throw new TypeError("send: parallel is not available in the legacy format");
    }
    const encoded: Encoded[] = commands.map(({ method, params }, i) => ({
      method,
      params: this.#encode(`send: command ${i} (${method})`, params),
    }));
    this.#checkOpen("send");
    const budget = new Deadline(timeout, options?.signal, this.#signals);
    this.#begin(budget);
    let outcomes;
    try {
      outcomes = await sendMany(endpoint, encoded, parallel === true, budget, policy);
    } finally {
      this.#end(budget);
    }
    try {
      return outcomes.map((outcome, i): BatchReply => {
        const { method, params } = commands[i]!;
        if (outcome.ok) {
          return {
            ok: true,
            method,
            result: decodeResult(method, params, outcome.result),
          } as BatchReply;
        }
        if ("error" in outcome) return { ok: false, method, error: outcome.error };
        throw new SyntaxError(`reply ${i}: ${outcome.malformed}`);
      });
    } catch (err) {
      throw malformedResult(endpoint, "batch", err);
    }
  }

  /** A typed method: its params built and checked from the schema, then run. */
  #invoke<M extends MethodName>(
    method: M,
    args: readonly unknown[],
    options: unknown,
  ): Promise<api.MethodResults[M]> {
    const spec: MethodSpec = METHODS[method];
    let params: Params;
    try {
      params = buildParams(spec, args, options, true);
    } catch (err) {
      // Bad arguments reject, as everything else the call does.
      return Promise.reject(err);
    }
    return this.#run(spec.name, spec.js, params, options as CallOptions, true) as Promise<
      api.MethodResults[M]
    >;
  }

  /**
   * Sends one command. `caller` names the method the user called, for
   * argument errors (`presenceStats`, not `presence_stats`); `batchable`:
   * the auto-batcher may carry it.
   */
  #run(
    method: string,
    caller: string,
    params: Params,
    options: CallOptions | undefined,
    batchable: boolean,
  ): Promise<unknown> {
    let policy: RetryPolicy | undefined;
    let wire: Params;
    let json: string;
    let batched: boolean;
    let directBody: string | undefined;
    let budget: Deadline;
    try {
      const { timeout, retry } = this.#controls(caller, options);
      policy = retry && mayRetry(method) ? retry : undefined;
      // A repeat, by a retry or on another node, must not publish twice.
      wire = policy || this.#endpoint.nodes.many ? withKey(method, params) : params;
      json = this.#encode(caller, wire);
      this.#checkOpen(method);
      // call() of methods unknown to the library, and calls with their own retry
      // policy, are sent on their own: inside a batch they would behave otherwise.
      batched = this.#batcher !== undefined && batchable && options?.retry === undefined;
      // The common call's body, built here so that its failure rejects like the rest.
      directBody = !batched && !policy && this.#directNode !== undefined
        ? this.#endpoint.format.single(method, json)
        : undefined;
      budget = new Deadline(timeout, options?.signal, this.#signals);
    } catch (err) {
      // Not async, for the common call below: what fails here rejects all the same.
      return Promise.reject(err);
    }
    this.#begin(budget);
    if (directBody !== undefined) {
      // The common call: decoded and ended in its request's own async frame.
      return requestOnly(
        this.#endpoint,
        this.#directNode!,
        method,
        directBody,
        budget,
        this.#read,
        params,
        this.#settled,
      );
    }
    return this.#send(method, caller, params, wire, json, budget, policy, batched);
  }

  /** #run()'s call when it is auto-batched, retried, traced or sent to one of many nodes. */
  async #send(
    method: string,
    caller: string,
    params: Params,
    wire: Params,
    json: string,
    budget: Deadline,
    policy: RetryPolicy | undefined,
    batched: boolean,
  ): Promise<unknown> {
    const endpoint = this.#endpoint;
    try {
      const result = batched
        ? await this.#batcher!.enqueue(method, json, channelsOf(params), budget)
        : await sendOne(endpoint, method, json, budget, policy);
      const decoded = this.#decode(method, params, result);
      if (method !== "broadcast" || !policy) return decoded;
      // A broadcast retries its channels that failed in a way that may pass.
      return await retryChannels(decoded as BroadcastResult, policy, budget, async (channels) => {
        const again = { ...wire, channels };
        const body = this.#encode(caller, again);
        return this.#decode(
          method,
          again,
          await sendOne(endpoint, method, body, budget, undefined),
        ) as BroadcastResult;
      });
    } finally {
      this.#end(budget);
    }
  }

  #decode(method: string, params: Params, result: unknown): unknown {
    try {
      return decodeResult(method, params, result);
    } catch (err) {
      throw malformedResult(this.#endpoint, method, err);
    }
  }

  #checkOpen(method: string): void {
    if (this.#closed) {
      throw new RequestError(`${method}: the client is closed`, { method });
    }
  }

  /** Checks the per-call controls; returns the call's timeout and retry policy. */
  #controls(
    method: string,
    options: CallOptions | undefined,
  ): { timeout: number; retry: RetryPolicy | undefined } {
    if (options === undefined) return this.#defaults;
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`${method}: signal must be an AbortSignal, got ${describe(signal)}`);
    }
    return {
      timeout: options.timeout === undefined ? this.#timeout : timeoutArg(method, options.timeout),
      retry: options.retry === undefined ? this.#retry : retryPolicy(method, options.retry),
    };
  }

  #encode(what: string, value: unknown): string {
    let body: unknown;
    try {
      body = this.#encoder(value);
    } catch (err) {
      throw new TypeError(`${what}: the request cannot be encoded as JSON: ${String(err)}`, {
        cause: err,
      });
    }
    if (typeof body !== "string") {
      throw new TypeError(`${what}: jsonEncoder must return a string, got ${describe(body)}`);
    }
    return body;
  }

  /** Shows the address, never the API key. */
  [Symbol.for("Deno.customInspect")](): string {
    return `Client { address: ${JSON.stringify(this.#endpoint.nodes.primary)} }`;
  }

  /** Shows the address, never the API key. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Client { address: ${JSON.stringify(this.#endpoint.nodes.primary)} }`;
  }
}
