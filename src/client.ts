/**
 * The {@linkcode Client} of Centrifugo's server HTTP API.
 *
 * @module
 */

import { build, decodeReplies, decodeResult, type Params } from "./_commands.ts";
import { clientConfig } from "./_config.ts";
import {
  type Endpoint,
  fetchSender,
  malformedResult,
  parse,
  post,
  request,
  urlOf,
} from "./_transport.ts";
import { Deadline } from "./_deadline.ts";
import { RETRY_SAFE, type RetryPolicy, retryPolicy, withKey, withRetries } from "./_retry.ts";
import { AutoBatcher, batchSender } from "./_auto_batch.ts";
import { legacyCommand, legacyReplies } from "./_legacy.ts";
import { defaultTransport, tlsTransport, type Transport } from "./_tls.ts";
import { controlsArg, describe, timeoutArg } from "./_validate.ts";
import { RequestError } from "./errors.ts";
import { Batch, type BatchReply } from "./batch.ts";
import type { CallOptions, ClientOptions, SendOptions } from "./options.ts";
import type {
  BroadcastOptions,
  BroadcastResult,
  ChannelsOptions,
  ChannelsResult,
  DisconnectOptions,
  EmptyResult,
  HistoryOptions,
  HistoryResult,
  InfoResult,
  PresenceResult,
  PresenceStatsResult,
  PublishOptions,
  PublishResult,
  RefreshOptions,
  RpcResult,
  SubscribeOptions,
  UnsubscribeOptions,
} from "./types.ts";

/** Client method names that differ from Centrifugo's. */
const JS_NAMES: Record<string, string> = {
  presence_stats: "presenceStats",
  history_remove: "historyRemove",
};

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
  #endpoint: Endpoint;
  #timeout: number;
  #encoder: (value: unknown) => string;
  #transport: Transport;
  #retry: RetryPolicy | undefined;
  /** The controls of a call that sets none (the common case, so made once). */
  #defaults: { timeout: number; retry: RetryPolicy | undefined };
  #batcher: AutoBatcher | undefined;
  #closed = false;

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
   *   `http://localhost:8000/api` (a trailing slash is fine).
   * @param options Key, timeout, custom fetch, JSON encoder, extra headers.
   */
  constructor(address: string | URL, options: ClientOptions = {}) {
    const config = clientConfig(address, options);
    this.#timeout = config.timeout;
    this.#retry = config.retry;
    this.#defaults = { timeout: config.timeout, retry: config.retry };
    this.#encoder = config.encoder;
    this.#transport = config.fetch
      ? { send: fetchSender(config.fetch), close: () => Promise.resolve() }
      : config.tls
      ? tlsTransport(config.tls)
      : defaultTransport();
    this.#endpoint = {
      base: config.base,
      headers: config.headers,
      legacy: config.legacy,
      send: this.#transport.send,
      // The built-in transports honour the signal while reading the body.
      native: config.fetch === undefined,
      timed: this.#transport.timed,
    };
    const auto = config.autoBatch;
    this.#batcher = auto && new AutoBatcher(
      this.#endpoint,
      batchSender(this.#endpoint, config.retry),
      auto.maxSize,
      auto.maxDelayMs,
    );
  }

  /** The API endpoint calls go to, without a trailing slash. */
  get address(): string {
    return this.#endpoint.base;
  }

  /**
   * Releases what the client holds: its keep-alive connections on Node (and
   * for `verify: false`), or the `Deno.HttpClient` made for `caCerts`. Calls
   * made after `close()` reject with a {@linkcode RequestError}. Safe to call
   * more than once; a client that is never closed holds nothing that keeps a
   * process alive.
   *
   * @example Close a client with its own CA
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const ca = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----";
   * const client = new Client("https://centrifugo.internal/api", { caCerts: [ca] });
   * try {
   *   await client.info();
   * } finally {
   *   await client.close();
   * }
   * ```
   *
   * @returns A promise that resolves once everything is released.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.close();
  }

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
   * @param data Any JSON value, or a `Uint8Array` (sent as `b64data`). Pass
   *   `undefined` only together with `options.b64data`.
   * @param options Optional publish fields, `signal` and `timeout`.
   * @returns The publication's position when the channel keeps history, else `{}`.
   */
  publish(
    channel: string,
    data: unknown,
    options?: PublishOptions & CallOptions,
  ): Promise<PublishResult> {
    return this.#call("publish", () => build.publish(channel, data, options, true), options);
  }

  /**
   * Publishes the same data into many channels in one request.
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
   * @param data Any JSON value, or a `Uint8Array` (sent as `b64data`).
   * @param options Optional publish fields, `signal` and `timeout`.
   * @returns One typed response per channel, in order; per-channel errors are
   *   items with `ok: false`, not rejections.
   */
  broadcast(
    channels: string[],
    data: unknown,
    options?: BroadcastOptions & CallOptions,
  ): Promise<BroadcastResult> {
    return this.#call("broadcast", () => build.broadcast(channels, data, options, true), options);
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
   * @param options Optional subscribe fields, `signal` and `timeout`.
   * @returns `{}` once done.
   */
  subscribe(
    user: string,
    channel: string,
    options?: SubscribeOptions & CallOptions,
  ): Promise<EmptyResult> {
    return this.#call("subscribe", () => build.subscribe(user, channel, options, true), options);
  }

  /**
   * Unsubscribes a user's connections from a channel.
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
   * @param options Optional unsubscribe fields, `signal` and `timeout`.
   * @returns `{}` once done.
   */
  unsubscribe(
    user: string,
    channel: string,
    options?: UnsubscribeOptions & CallOptions,
  ): Promise<EmptyResult> {
    return this.#call(
      "unsubscribe",
      () => build.unsubscribe(user, channel, options, true),
      options,
    );
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
   * @param options Optional disconnect fields, `signal` and `timeout`.
   * @returns `{}` once done.
   */
  disconnect(user: string, options?: DisconnectOptions & CallOptions): Promise<EmptyResult> {
    return this.#call("disconnect", () => build.disconnect(user, options, true), options);
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
   * @param options Optional refresh fields, `signal` and `timeout`.
   * @returns `{}` once done.
   */
  refresh(user: string, options?: RefreshOptions & CallOptions): Promise<EmptyResult> {
    return this.#call("refresh", () => build.refresh(user, options, true), options);
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
   * @param options `signal` and `timeout`.
   * @returns The subscribed connections by client ID.
   */
  presence(channel: string, options?: CallOptions): Promise<PresenceResult> {
    return this.#call("presence", () => build.presence(channel, options, true), options);
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
   * @param options `signal` and `timeout`.
   * @returns The counts.
   */
  presenceStats(channel: string, options?: CallOptions): Promise<PresenceStatsResult> {
    return this.#call(
      "presence_stats",
      () => build.presence_stats(channel, options, true),
      options,
    );
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
   * @param options `limit` (0 = position only, the default; -1 = all), `since`,
   *   `reverse`, `signal` and `timeout`.
   * @returns The publications and the stream's current position.
   */
  history(channel: string, options?: HistoryOptions & CallOptions): Promise<HistoryResult> {
    return this.#call("history", () => build.history(channel, options, true), options);
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
   * @param options `signal` and `timeout`.
   * @returns `{}` once done.
   */
  historyRemove(channel: string, options?: CallOptions): Promise<EmptyResult> {
    return this.#call(
      "history_remove",
      () => build.history_remove(channel, options, true),
      options,
    );
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
   * @param options `pattern` (a glob), `signal` and `timeout`.
   * @returns Active channels by name, with their subscriber counts.
   */
  channels(options?: ChannelsOptions & CallOptions): Promise<ChannelsResult> {
    return this.#call("channels", () => build.channels(options, true), options);
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
   * @param options `signal` and `timeout`.
   * @returns One entry per node.
   */
  info(options?: CallOptions): Promise<InfoResult> {
    return this.#call("info", () => build.info(options, true), options);
  }

  /**
   * Calls an RPC method registered in Centrifugo (Centrifugo OSS registers
   * none, so it answers code 104).
   *
   * @example Call an RPC method
   * ```ts
   * import { Client, ResponseError } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * try {
   *   const { data } = await client.rpc("getCurrentYear", {});
   *   console.log(data);
   * } catch (err) {
   *   // Centrifugo OSS registers no RPC handlers: it answers code 104 (not found).
   *   if (!(err instanceof ResponseError && err.code === 104)) throw err;
   * }
   * ```
   *
   * @param method The RPC method's name.
   * @param params Any JSON value passed to the handler.
   * @param options `signal` and `timeout`.
   * @returns What the handler returned.
   */
  rpc(method: string, params?: unknown, options?: CallOptions): Promise<RpcResult> {
    return this.#call("rpc", () => build.rpc(method, params, options, true), options);
  }

  /**
   * Calls any API method by its Centrifugo name with the params passed
   * unchanged: for PRO methods and methods newer than this library.
   *
   * @example A Centrifugo PRO method (needs Centrifugo PRO: not run by the tests)
   * ```ts no-run
   * import { Client } from "@aiocent/aiocent";
   *
   * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
   * const status = await client.call<{ statuses: unknown[] }>("get_user_status", {
   *   users: ["alice"],
   * });
   * ```
   *
   * @typeParam T The result's type.
   * @param method Centrifugo's method name, e.g. `"connections"`.
   * @param params The method's wire params (default `{}`).
   * @param options `signal` and `timeout`.
   * @returns Centrifugo's `result`.
   */
  async call<T = unknown>(
    method: string,
    params?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<T> {
    const [name, wire] = build.custom("call", method, params);
    controlsArg("call", options);
    return await this.#call(name, () => wire, options, "call");
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
    const policy = retry && batch.commands.every((c) => RETRY_SAFE.has(c.method))
      ? retry
      : undefined;
    const commands = policy ? batch.commands.map(withKey) : batch.commands.slice();
    if (commands.length === 0) return [];
    const legacy = this.#endpoint.legacy;
    if (legacy && parallel) {
      throw new TypeError("send: parallel is not available in the legacy format");
    }
    const parts = commands.map(({ method, params }, i) => {
      const what = `send: command ${i} (${method})`;
      return legacy
        ? legacyCommand(method, this.#encode(what, params), i + 1)
        : this.#encode(what, { [method]: params });
    });
    const body = legacy
      ? parts.join("\n")
      : `{"commands":[${parts.join(",")}]${parallel ? ',"parallel":true' : ""}}`;
    this.#checkOpen("send");
    const endpoint = this.#endpoint;
    const budget = new Deadline(timeout, options?.signal);
    const attempt = (): Promise<string | Record<string, unknown>> =>
      legacy
        ? request(endpoint, "batch", body, budget, policy?.attemptTimeout)
        : post(endpoint, "batch", body, budget, policy?.attemptTimeout);
    let answer: string | Record<string, unknown>;
    try {
      answer = policy
        ? await withRetries(policy, budget, "batch", `POST ${urlOf(endpoint, "batch")}`, attempt)
        : await attempt();
    } finally {
      budget.end();
    }
    try {
      return legacy
        ? decodeReplies(commands, legacyReplies(answer as string, commands.length), () => "result")
        : decodeReplies(commands, (answer as Record<string, unknown>).replies, (m) => m);
    } catch (err) {
      throw malformedResult("batch", endpoint, err);
    }
  }

  /**
   * The generic request path. `caller` names the method the user called, for
   * argument errors (`presenceStats`, not `presence_stats`).
   */
  async #call<T>(
    method: string,
    build: () => Params,
    options: CallOptions | undefined,
    caller = JS_NAMES[method] ?? method,
  ): Promise<T> {
    // Built here, inside the async function, so bad arguments reject.
    const params = build();
    const { timeout, retry } = this.#controls(caller, options);
    const policy = retry && RETRY_SAFE.has(method) ? retry : undefined;
    const wire = policy ? withKey({ method, params }).params : params;
    const json = this.#encode(caller, wire);
    const endpoint = this.#endpoint;
    const body = endpoint.legacy ? legacyCommand(method, json) : json;
    this.#checkOpen(method);
    const budget = new Deadline(timeout, options?.signal);
    let envelope: Record<string, unknown>;
    try {
      // call() of methods unknown to the library, and calls with their own retry
      // policy, are sent on their own: inside a batch they would behave otherwise.
      if (this.#batcher && caller !== "call" && options?.retry === undefined) {
        const result = await this.#batcher.enqueue(method, json, budget);
        envelope = { result };
      } else {
        envelope = policy
          ? await withRetries(
            policy,
            budget,
            method,
            `POST ${urlOf(endpoint, method)}`,
            () => post(endpoint, method, body, budget, policy.attemptTimeout),
          )
          : parse(method, endpoint, await request(endpoint, method, body, budget));
      }
    } finally {
      budget.end();
    }
    try {
      if (envelope.result === undefined) throw new SyntaxError("no result and no error");
      return decodeResult(method, params, envelope.result) as T;
    } catch (err) {
      throw malformedResult(method, this.#endpoint, err);
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
      timeout: options?.timeout === undefined ? this.#timeout : timeoutArg(method, options.timeout),
      retry: options?.retry === undefined ? this.#retry : retryPolicy(method, options.retry),
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
    return `Client { address: ${JSON.stringify(this.#endpoint.base)} }`;
  }

  /** Shows the address, never the API key. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Client { address: ${JSON.stringify(this.#endpoint.base)} }`;
  }
}
