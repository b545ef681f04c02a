/**
 * Wire types of Centrifugo v6's server API, named after its `api.proto`.
 *
 * Field names keep Centrifugo's snake_case so they match its documentation
 * one to one. `data`, `info`, `conn_info` and `chan_info` are arbitrary JSON.
 *
 * @module
 */

import type { ResponseError } from "./errors.ts";

/**
 * A position in a channel's history stream.
 *
 * @example Read history after a known position
 * ```ts
 * import type { StreamPosition } from "@aiocent/aiocent";
 *
 * const since: StreamPosition = { offset: 10, epoch: "ABCD" };
 * ```
 */
export interface StreamPosition {
  /** Offset of a publication in the stream. */
  offset: number;
  /** Epoch of the stream: it changes when the stream is lost and recreated. */
  epoch: string;
}

/**
 * A connection as Centrifugo reports it in presence and publications.
 *
 * @example Print who is in a channel
 * ```ts
 * import type { ClientInfo } from "@aiocent/aiocent";
 *
 * const show = (info: ClientInfo) => `${info.user || "anonymous"} (${info.client})`;
 * ```
 */
export interface ClientInfo {
  /** User ID; an empty string for anonymous connections. */
  user: string;
  /** Client (connection) ID. */
  client: string;
  /** Connection info from the connection token or proxy, if any. */
  conn_info?: unknown;
  /** Channel info from the subscription token or proxy, if any. */
  chan_info?: unknown;
}

/**
 * A boolean that can be set explicitly, used by {@linkcode SubscribeOptionOverride}.
 *
 * @example Turn presence off for one server-side subscription
 * ```ts
 * import type { BoolValue } from "@aiocent/aiocent";
 *
 * const off: BoolValue = { value: false };
 * ```
 */
export interface BoolValue {
  /** The value. */
  value: boolean;
}

/**
 * Per-subscription overrides of the channel's namespace options.
 *
 * @example Subscribe without join/leave messages
 * ```ts
 * import type { SubscribeOptionOverride } from "@aiocent/aiocent";
 *
 * const override: SubscribeOptionOverride = { join_leave: { value: false } };
 * ```
 */
export interface SubscribeOptionOverride {
  /** Override the namespace's `presence`. */
  presence?: BoolValue;
  /** Override the namespace's `join_leave`. */
  join_leave?: BoolValue;
  /** Override the namespace's `force_recovery`. */
  force_recovery?: BoolValue;
  /** Override the namespace's `force_positioning`. */
  force_positioning?: BoolValue;
  /** Override the namespace's `force_push_join_leave`. */
  force_push_join_leave?: BoolValue;
}

/**
 * A label predicate (Centrifugo PRO only; Centrifugo OSS accepts and ignores it).
 *
 * @example Match connections labelled `region=eu`
 * ```ts
 * import type { FilterNode } from "@aiocent/aiocent";
 *
 * const filter: FilterNode = { op: "", key: "region", cmp: "eq", val: "eu" };
 * ```
 */
export interface FilterNode {
  /** Logical operation: `""` for a leaf, or `"and"`, `"or"`, `"not"`. */
  op?: string;
  /** Label key, for a leaf. */
  key?: string;
  /** Comparison, for a leaf: `"eq"`, `"neq"`, `"in"`, `"nin"`, `"ex"`, `"nex"`, … */
  cmp?: string;
  /** Value to compare with. */
  val?: string;
  /** Values to compare with, for `"in"` and `"nin"`. */
  vals?: readonly string[];
  /** Child nodes, for logical operations. */
  nodes?: readonly FilterNode[];
}

/**
 * The code and reason a {@linkcode DisconnectOptions.disconnect} sends to the
 * disconnected clients.
 *
 * @example A custom disconnect code
 * ```ts
 * import type { Disconnect } from "@aiocent/aiocent";
 *
 * const banned: Disconnect = { code: 4500, reason: "banned" };
 * ```
 */
export interface Disconnect {
  /** Disconnect code (Centrifugo's default is 3503, "force disconnect"). */
  code: number;
  /** A short human-readable reason. */
  reason: string;
}

/**
 * Optional fields of `publish`.
 *
 * @example Publish without keeping it in history
 * ```ts
 * import type { PublishOptions } from "@aiocent/aiocent";
 *
 * const options: PublishOptions = { skip_history: true, tags: { kind: "typing" } };
 * ```
 */
export interface PublishOptions {
  /** Binary data as base64, sent instead of `data` (pass `data` as `undefined`). */
  b64data?: string;
  /** Do not save the publication to the channel's history. */
  skip_history?: boolean;
  /** Tags attached to the publication, delivered to subscribers. */
  tags?: Record<string, string>;
  /** Deduplicates retries: a repeated key within Centrifugo's window returns the first result. */
  idempotency_key?: string;
  /** Send the publication to subscribers as a delta against the previous one. */
  delta?: boolean;
  /** Version of the publication; older or equal versions are ignored by Centrifugo. */
  version?: number;
  /** Epoch of `version`, for when the version sequence restarts. */
  version_epoch?: string;
}

/**
 * Optional fields of `broadcast`: the same as publish's.
 *
 * @example Broadcast with an idempotency key
 * ```ts
 * import type { BroadcastOptions } from "@aiocent/aiocent";
 *
 * const options: BroadcastOptions = { idempotency_key: crypto.randomUUID() };
 * ```
 */
export type BroadcastOptions = PublishOptions;

/**
 * Optional fields of `subscribe`.
 *
 * @example Subscribe one connection of a user, with channel info
 * ```ts
 * import type { SubscribeOptions } from "@aiocent/aiocent";
 *
 * const options: SubscribeOptions = { client: "client-id", info: { role: "viewer" } };
 * ```
 */
export interface SubscribeOptions {
  /** Unix time (seconds) when the subscription expires; 0 for never. */
  expire_at?: number;
  /** Channel info, shown in presence and join/leave messages. */
  info?: unknown;
  /** Channel info as base64 (binary). */
  b64info?: string;
  /** Only subscribe this client (connection) ID of the user. */
  client?: string;
  /** Only subscribe this session ID of the user. */
  session?: string;
  /** Custom data sent to the client in the subscribe push. */
  data?: unknown;
  /** Custom data as base64 (binary). */
  b64data?: string;
  /** Recover publications since this position. */
  recover_since?: StreamPosition;
  /** Override namespace options for this subscription. */
  override?: SubscribeOptionOverride;
  /** Only connections whose labels match (Centrifugo PRO). */
  label_filter?: FilterNode;
  /** With an empty user, target all connections (Centrifugo PRO). */
  all_users?: boolean;
}

/**
 * Optional fields of `unsubscribe`.
 *
 * @example Unsubscribe one connection only
 * ```ts
 * import type { UnsubscribeOptions } from "@aiocent/aiocent";
 *
 * const options: UnsubscribeOptions = { client: "client-id" };
 * ```
 */
export interface UnsubscribeOptions {
  /** Only unsubscribe this client (connection) ID. */
  client?: string;
  /** Only unsubscribe this session ID. */
  session?: string;
  /** Only connections whose labels match (Centrifugo PRO). */
  label_filter?: FilterNode;
  /** With an empty user, target all connections (Centrifugo PRO). */
  all_users?: boolean;
}

/**
 * Optional fields of `disconnect`.
 *
 * @example Disconnect a user everywhere but one connection
 * ```ts
 * import type { DisconnectOptions } from "@aiocent/aiocent";
 *
 * const options: DisconnectOptions = {
 *   whitelist: ["client-to-keep"],
 *   disconnect: { code: 4000, reason: "logged out elsewhere" },
 * };
 * ```
 */
export interface DisconnectOptions {
  /** Only disconnect this client (connection) ID. */
  client?: string;
  /** Only disconnect this session ID. */
  session?: string;
  /** Client IDs to keep connected. */
  whitelist?: readonly string[];
  /** Code and reason sent to the clients (default 3503 "force disconnect"). */
  disconnect?: Disconnect;
  /** Only connections whose labels match (Centrifugo PRO). */
  label_filter?: FilterNode;
  /** With an empty user, target all connections (Centrifugo PRO). */
  all_users?: boolean;
}

/**
 * Optional fields of `refresh`.
 *
 * @example Extend a user's connections by an hour
 * ```ts
 * import type { RefreshOptions } from "@aiocent/aiocent";
 *
 * const options: RefreshOptions = { expire_at: Math.floor(Date.now() / 1000) + 3600 };
 * ```
 */
export interface RefreshOptions {
  /** Only refresh this client (connection) ID. */
  client?: string;
  /** Only refresh this session ID. */
  session?: string;
  /** Mark the connections as expired (they are disconnected). */
  expired?: boolean;
  /** New Unix time (seconds) the connections expire at. */
  expire_at?: number;
  /** New connection info. */
  info?: unknown;
  /** Only connections whose labels match (Centrifugo PRO). */
  label_filter?: FilterNode;
  /** With an empty user, target all connections (Centrifugo PRO). */
  all_users?: boolean;
}

/**
 * Optional fields of `history`.
 *
 * @example The last 10 publications, newest first
 * ```ts
 * import type { HistoryOptions } from "@aiocent/aiocent";
 *
 * const options: HistoryOptions = { limit: 10, reverse: true };
 * ```
 */
export interface HistoryOptions {
  /** How many publications: 0 (the default) returns only the stream position, -1 all of them. */
  limit?: number;
  /** Only publications after this position. */
  since?: StreamPosition;
  /** Newest first. */
  reverse?: boolean;
}

/**
 * Optional fields of `channels`.
 *
 * @example Only the chat channels
 * ```ts
 * import type { ChannelsOptions } from "@aiocent/aiocent";
 *
 * const options: ChannelsOptions = { pattern: "chat:*" };
 * ```
 */
export interface ChannelsOptions {
  /** Glob pattern the channel names must match. */
  pattern?: string;
}

/**
 * Result of `publish`. Both fields are absent when the channel keeps no history.
 *
 * @example Remember the stream position of a publication
 * ```ts
 * import type { PublishResult } from "@aiocent/aiocent";
 *
 * const result: PublishResult = { offset: 1, epoch: "ABCD" };
 * ```
 */
export interface PublishResult {
  /** Offset of the publication in the channel's history. */
  offset?: number;
  /** Epoch of the channel's history stream. */
  epoch?: string;
}

/**
 * The outcome of a broadcast for one channel: a publish result, or the
 * {@linkcode ResponseError} Centrifugo gave for that channel.
 *
 * @example Collect the channels a broadcast failed for
 * ```ts
 * import type { BroadcastResponse } from "@aiocent/aiocent";
 *
 * const failed = (responses: BroadcastResponse[]) =>
 *   responses.filter((r) => !r.ok).map((r) => r.channel);
 * ```
 */
export type BroadcastResponse =
  | { ok: true; channel: string; result: PublishResult }
  | { ok: false; channel: string; error: ResponseError };

/**
 * Result of `broadcast`: one response per channel, in the order given.
 * Per-channel failures are items with `ok: false`, never a rejection.
 *
 * @example Count successful deliveries
 * ```ts
 * import type { BroadcastResult } from "@aiocent/aiocent";
 *
 * const delivered = (r: BroadcastResult) => r.responses.filter((x) => x.ok).length;
 * ```
 */
export interface BroadcastResult {
  /** One response per channel, in the order of the `channels` argument. */
  responses: BroadcastResponse[];
}

/**
 * Result of `presence`.
 *
 * @example List the users in a channel
 * ```ts
 * import type { PresenceResult } from "@aiocent/aiocent";
 *
 * const users = (r: PresenceResult) => new Set(Object.values(r.presence).map((c) => c.user));
 * ```
 */
export interface PresenceResult {
  /** Connections subscribed to the channel, by client ID. */
  presence: Record<string, ClientInfo>;
}

/**
 * Result of `presence_stats`.
 *
 * @example Show the audience size
 * ```ts
 * import type { PresenceStatsResult } from "@aiocent/aiocent";
 *
 * const label = (r: PresenceStatsResult) => `${r.num_users} users, ${r.num_clients} connections`;
 * ```
 */
export interface PresenceStatsResult {
  /** Number of connections subscribed. */
  num_clients: number;
  /** Number of distinct users subscribed. */
  num_users: number;
}

/**
 * A publication from a channel's history.
 *
 * @example Read the data of a publication
 * ```ts
 * import type { Publication } from "@aiocent/aiocent";
 *
 * const text = (p: Publication) => (p.data as { text: string }).text;
 * ```
 */
export interface Publication {
  /** The published data. */
  data: unknown;
  /** The publishing connection, for publications made by clients. */
  info?: ClientInfo;
  /** Offset of the publication in the stream. */
  offset?: number;
  /** Tags given at publish time. */
  tags?: Record<string, string>;
}

/**
 * Result of `history`.
 *
 * @example The offsets returned
 * ```ts
 * import type { HistoryResult } from "@aiocent/aiocent";
 *
 * const offsets = (r: HistoryResult) => r.publications.map((p) => p.offset);
 * ```
 */
export interface HistoryResult {
  /** The publications, oldest first unless `reverse` was set. */
  publications: Publication[];
  /** Current epoch of the stream. */
  epoch: string;
  /** Current (latest) offset of the stream. */
  offset: number;
}

/**
 * Channel details in the result of `channels`.
 *
 * @example The busiest channel's audience
 * ```ts
 * import type { ChannelInfo } from "@aiocent/aiocent";
 *
 * const audience = (c: ChannelInfo) => c.num_clients;
 * ```
 */
export interface ChannelInfo {
  /** Number of connections subscribed to the channel. */
  num_clients: number;
}

/**
 * Result of `channels`: only channels with at least one subscriber.
 *
 * @example Names of the active channels
 * ```ts
 * import type { ChannelsResult } from "@aiocent/aiocent";
 *
 * const names = (r: ChannelsResult) => Object.keys(r.channels);
 * ```
 */
export interface ChannelsResult {
  /** Active channels by name. */
  channels: Record<string, ChannelInfo>;
}

/**
 * Node metrics in the result of `info`, when Centrifugo collects them.
 *
 * @example Read one metric
 * ```ts
 * import type { Metrics } from "@aiocent/aiocent";
 *
 * const value = (m: Metrics, name: string) => m.items?.[name] ?? 0;
 * ```
 */
export interface Metrics {
  /** Collection interval in seconds. */
  interval?: number;
  /** Metric values by name. */
  items?: Record<string, number>;
}

/**
 * Process statistics of a node in the result of `info`.
 *
 * @example Memory in MiB
 * ```ts
 * import type { Process } from "@aiocent/aiocent";
 *
 * const mib = (p: Process) => (p.rss ?? 0) / 2 ** 20;
 * ```
 */
export interface Process {
  /** CPU usage in percent. */
  cpu?: number;
  /** Resident set size in bytes. */
  rss?: number;
}

/**
 * One Centrifugo node in the result of `info`.
 *
 * @example Describe a node
 * ```ts
 * import type { NodeResult } from "@aiocent/aiocent";
 *
 * const describe = (n: NodeResult) => `${n.name} v${n.version}: ${n.num_clients} clients`;
 * ```
 */
export interface NodeResult {
  /** Unique ID of the node process. */
  uid: string;
  /** Node name. */
  name: string;
  /** Centrifugo version. */
  version: string;
  /** Connections on the node. */
  num_clients: number;
  /** Distinct users on the node. */
  num_users: number;
  /** Channels with subscribers on the node. */
  num_channels: number;
  /** Subscriptions on the node. */
  num_subs: number;
  /** Uptime in seconds. */
  uptime?: number;
  /** Metrics, when collected. */
  metrics?: Metrics;
  /** Process statistics, when collected. */
  process?: Process;
}

/**
 * Result of `info`.
 *
 * @example Total connections over the cluster
 * ```ts
 * import type { InfoResult } from "@aiocent/aiocent";
 *
 * const total = (r: InfoResult) => r.nodes.reduce((sum, n) => sum + n.num_clients, 0);
 * ```
 */
export interface InfoResult {
  /** The nodes of the cluster. */
  nodes: NodeResult[];
}

/**
 * Result of `rpc`: whatever the RPC handler returned.
 *
 * @example Read an RPC answer
 * ```ts
 * import type { RpcResult } from "@aiocent/aiocent";
 *
 * const answer = (r: RpcResult) => r.data;
 * ```
 */
export interface RpcResult {
  /** Data returned by the handler. */
  data?: unknown;
}

/**
 * Result of the methods that return nothing: `subscribe`, `unsubscribe`,
 * `disconnect`, `refresh` and `history_remove` resolve with `{}`.
 *
 * @example Awaiting an empty result
 * ```ts
 * import type { EmptyResult } from "@aiocent/aiocent";
 *
 * const done: EmptyResult = {};
 * ```
 */
export type EmptyResult = Record<string, never>;

/**
 * The result type of each API method, by Centrifugo's method name.
 *
 * @example The result type of a method
 * ```ts
 * import type { MethodResults } from "@aiocent/aiocent";
 *
 * type HistoryAnswer = MethodResults["history"];
 * ```
 */
export interface MethodResults {
  /** Result of `publish`. */
  publish: PublishResult;
  /** Result of `broadcast`. */
  broadcast: BroadcastResult;
  /** Result of `subscribe`. */
  subscribe: EmptyResult;
  /** Result of `unsubscribe`. */
  unsubscribe: EmptyResult;
  /** Result of `disconnect`. */
  disconnect: EmptyResult;
  /** Result of `refresh`. */
  refresh: EmptyResult;
  /** Result of `presence`. */
  presence: PresenceResult;
  /** Result of `presence_stats`. */
  presence_stats: PresenceStatsResult;
  /** Result of `history`. */
  history: HistoryResult;
  /** Result of `history_remove`. */
  history_remove: EmptyResult;
  /** Result of `channels`. */
  channels: ChannelsResult;
  /** Result of `info`. */
  info: InfoResult;
  /** Result of `rpc`. */
  rpc: RpcResult;
}
