// What Centrifugo's api.proto does not say, for the generator: what each
// method and field means (the proto has few comments), how the Client and
// Batch methods take their arguments, which fields Centrifugo needs set, and
// whether a method may be sent twice. Written from Centrifugo's docs and its
// source (internal/api/api.go); the wire shapes themselves come from the
// proto alone. A method or field missing here still generates, with a
// generic description, and the generator says so.

import { PRO_MESSAGES, PRO_METHODS } from "./api_overlay_pro.ts";

/** How a method is presented and whether it may be repeated. */
export interface MethodOverlay {
  /** What the method does: the first line of its JSDoc. */
  summary: string;
  /** More about it, a paragraph. */
  details?: string;
  /** See `Effect` in src/_schema.ts; with why, for the reader. */
  effect: "read" | "idempotent" | "keyed" | "unsafe";
  /** The request fields taken as positional arguments, in order; `?` marks optional ones. */
  args: string[];
  /** What the call resolves with, for `@returns`. */
  returns: string;
  /**
   * The Client method's example: a title and TypeScript that runs against
   * the test server (the docs test runs it), unless `noRun` (PRO methods).
   */
  example: { title: string; code: string; noRun?: boolean };
  /** Arguments for the generated Batch example, as TypeScript source. */
  batchArgs: string;
}

/** Documentation and rules of one message. */
export interface MessageOverlay {
  doc: string;
  fields: Record<string, string>;
  /** Fields that must be set (strings and arrays non-empty, numbers non-zero). */
  required?: string[];
  /** Fields that must be present, with any value (of nested messages). */
  present?: string[];
  /** A value of the message for its generated example, as TypeScript source. */
  example?: string;
}

/** Interfaces renamed from the proto's names (TypeScript naming). */
export const RENAMES: Record<string, string> = {
  RPCRequest: "RpcRequest",
  RPCResult: "RpcResult",
};

/** Fields checked more narrowly than their proto type. */
export const KIND_OVERRIDES: Record<string, string> = {
  // Centrifugo reads -1 as "all publications"; below that means nothing.
  "HistoryRequest.limit": "limit",
};

/**
 * Result fields Centrifugo always sends although their JSON tag has
 * omitempty: it omits them only when empty, which they never are.
 */
export const ALWAYS_SENT: string[] = [
  // Every answer comes from a node, which lists itself.
  "InfoResult.nodes",
];

const POSITION_FIELDS = {
  offset: "Offset of a publication in the stream.",
  epoch: "Epoch of the stream: it changes when the stream is lost and recreated.",
};

const TARGET_FIELDS = {
  client: "Only this client (connection) ID of the user.",
  session: "Only this session ID of the user.",
  label_filter: "Only connections whose labels match this filter (Centrifugo PRO).",
  all_users: "With an empty `user`, every connection rather than only anonymous ones " +
    "(Centrifugo PRO).",
};

const PUBLISH_FIELDS = {
  data: "The data: any JSON value. A `Uint8Array` is sent as `b64data`.",
  b64data: "Binary data as standard base64, sent instead of `data`.",
  skip_history: "Do not save the publication in the channel's history.",
  tags: "Tags attached to the publication, delivered to subscribers.",
  idempotency_key: "Deduplicates retries: a repeated key within Centrifugo's window " +
    "(5 minutes by default) returns the first result and publishes nothing.",
  delta: "Send the publication to subscribers as a delta against the previous one.",
  version: "Version of the publication; Centrifugo ignores versions not above the last one.",
  version_epoch: "Epoch of `version`, for when the version sequence restarts.",
};

const MAP_POSITION = {
  offset: "Offset of the change in the channel's stream (0 without a stream).",
  epoch: "Epoch of the channel's stream.",
  suppressed: "True when nothing changed: `key_mode` refused the write, or it repeated " +
    "an `idempotency_key`.",
  suppress_reason: "Why it was suppressed: `idempotency`, `version`, `key_exists`, " +
    "`key_not_found` or `position_mismatch`; absent when it was applied.",
};

/** Every OSS method. PRO methods are in api_overlay_pro.ts. */
export const METHODS: Record<string, MethodOverlay> = {
  publish: {
    summary: "Publishes data into a channel.",
    effect: "keyed",
    args: ["channel", "data"],
    returns: "The publication's position when the channel keeps history, else `{}`.",
    example: {
      title: "Publish with tags and an idempotency key",
      code: `const { offset, epoch } = await client.publish("chat", { text: "hi" }, {
  tags: { kind: "message" },
  idempotency_key: "msg-1",
});`,
    },
    batchArgs: `"chat", { text: "hi" }, { skip_history: true }`,
  },
  broadcast: {
    summary: "Publishes the same data into many channels in one request.",
    details: "Per-channel failures are items with `ok: false` in the result, not rejections.",
    effect: "keyed",
    args: ["channels", "data"],
    returns: "One typed response per channel, in order.",
    example: {
      title: "Broadcast and report per-channel failures",
      code: `const { responses } = await client.broadcast(["news", "sport"], { text: "hi" });
for (const r of responses) if (!r.ok) console.error(r.channel, r.error.reason);`,
    },
    batchArgs: `["news", "sport"], { text: "hi" }`,
  },
  subscribe: {
    summary: "Subscribes a user's connections to a channel, server-side.",
    effect: "idempotent",
    args: ["user", "channel"],
    returns: "`{}` once done.",
    example: {
      title: "Subscribe a user server-side",
      code: `await client.subscribe("alice", "news", { data: { reason: "followed" } });`,
    },
    batchArgs: `"alice", "news"`,
  },
  unsubscribe: {
    summary: "Unsubscribes a user's connections from a channel.",
    details: "The channel is required: Centrifugo 6.9.1 accepts an empty one and " +
      "unsubscribes from nothing. To take a user out of every channel, disconnect them.",
    effect: "idempotent",
    args: ["user", "channel"],
    returns: "`{}` once done.",
    example: {
      title: "Unsubscribe a user",
      code: `await client.unsubscribe("alice", "news");`,
    },
    batchArgs: `"alice", "news"`,
  },
  disconnect: {
    summary: "Disconnects a user's connections.",
    effect: "idempotent",
    args: ["user"],
    returns: "`{}` once done.",
    example: {
      title: "Disconnect a banned user",
      code: `await client.disconnect("alice", { disconnect: { code: 4500, reason: "banned" } });`,
    },
    batchArgs: `"alice", { disconnect: { code: 4000, reason: "bye" } }`,
  },
  refresh: {
    summary: "Refreshes a user's connections: extends their expiration or marks them expired.",
    effect: "idempotent",
    args: ["user"],
    returns: "`{}` once done.",
    example: {
      title: "Extend connections by an hour",
      code: `await client.refresh("alice", { expire_at: Math.floor(Date.now() / 1000) + 3600 });`,
    },
    batchArgs: `"alice", { expire_at: 2_000_000_000 }`,
  },
  presence: {
    summary: "Lists the connections subscribed to a channel (needs `presence` on its namespace).",
    effect: "read",
    args: ["channel"],
    returns: "The subscribed connections by client ID.",
    example: {
      title: "List who is in a channel",
      code: `const { presence } = await client.presence("chat");
for (const [clientId, info] of Object.entries(presence)) console.log(clientId, info.user);`,
    },
    batchArgs: `"chat"`,
  },
  presence_stats: {
    summary: "Counts the connections and users subscribed to a channel.",
    effect: "read",
    args: ["channel"],
    returns: "The counts.",
    example: {
      title: "Count subscribers",
      code: `const { num_clients, num_users } = await client.presenceStats("chat");`,
    },
    batchArgs: `"chat"`,
  },
  history: {
    summary: "Reads a channel's history (needs `history_size` and `history_ttl` on its " +
      "namespace).",
    effect: "read",
    args: ["channel"],
    returns: "The publications and the stream's current position.",
    example: {
      title: "Read the whole history",
      code: `const { publications, offset, epoch } = await client.history("chat", { limit: -1 });`,
    },
    batchArgs: `"chat", { limit: 10 }`,
  },
  history_remove: {
    summary: "Removes a channel's history.",
    effect: "idempotent",
    args: ["channel"],
    returns: "`{}` once done.",
    example: { title: "Clear a channel's history", code: `await client.historyRemove("chat");` },
    batchArgs: `"chat"`,
  },
  info: {
    summary: "Describes the nodes of the Centrifugo cluster.",
    effect: "read",
    args: [],
    returns: "One entry per node.",
    example: {
      title: "Describe the cluster",
      code: `const { nodes } = await client.info();
console.log(nodes.map((n) => \`\${n.name}: \${n.num_clients} clients\`));`,
    },
    batchArgs: ``,
  },
  rpc: {
    summary: "Calls an RPC method registered in Centrifugo (Centrifugo OSS registers none, so " +
      "it answers code 104).",
    effect: "unsafe",
    args: ["method", "params?"],
    returns: "What the handler returned.",
    example: {
      title: "Call an RPC method",
      code: `import { ERROR_CODE, ResponseError } from "@aiocent/aiocent";

try {
  const { data } = await client.rpc("getCurrentYear", {});
  console.log(data);
} catch (err) {
  // Centrifugo OSS registers no RPC handlers: it answers code 104 (not found).
  if (!(err instanceof ResponseError && err.code === ERROR_CODE.NotFound)) throw err;
}`,
    },
    batchArgs: `"getCurrentYear", {}`,
  },
  channels: {
    summary: "Lists the channels that have subscribers.",
    effect: "read",
    args: [],
    returns: "Active channels by name, with their subscriber counts.",
    example: {
      title: "List active chat channels",
      code: `const { channels } = await client.channels({ pattern: "chat:*" });
console.log(Object.keys(channels));`,
    },
    batchArgs: `{ pattern: "chat:*" }`,
  },
  map_publish: {
    summary: "Sets a key of a map channel to data (`subscription_type: map` namespaces).",
    details: "Subscribers of the channel get the change live; new subscribers get the " +
      "map's state. With `key_mode` the write only happens if the key is new (`if_new`) or " +
      "already there (`if_exists`); otherwise the result says `suppressed`.",
    effect: "keyed",
    args: ["channel", "key", "data"],
    returns: "The change's position in the channel's stream, and whether it was suppressed.",
    example: {
      title: "Set a key only if it is new",
      code: `const first = await client.mapPublish("board:1", "cell-a1", { mark: "x" }, {
  key_mode: "if_new",
});
const again = await client.mapPublish("board:1", "cell-a1", { mark: "o" }, {
  key_mode: "if_new",
});
console.log(first.suppressed, again.suppressed, again.suppress_reason); // undefined true key_exists`,
    },
    batchArgs: `"board:1", "cell-a1", { mark: "x" }`,
  },
  map_remove: {
    summary: "Removes a key from a map channel.",
    effect: "keyed",
    args: ["channel", "key"],
    returns: "The removal's position in the channel's stream, and whether it was suppressed.",
    example: {
      title: "Remove a key",
      code: `await client.mapPublish("board:1", "cell-b2", { mark: "x" });
const { suppressed } = await client.mapRemove("board:1", "cell-b2");`,
    },
    batchArgs: `"board:1", "cell-a1"`,
  },
  map_read_state: {
    summary: "Reads the current state of a map channel: its keys and their data, a page at " +
      "a time.",
    details: "Pass the returned `cursor` back to read the next page; an empty cursor means " +
      "the last page was read.",
    effect: "read",
    args: ["channel"],
    returns: "A page of entries, the stream position of the state, and the cursor of the " +
      "next page.",
    example: {
      title: "Read the whole state, page by page",
      code: `const entries = [];
let cursor = "";
do {
  const page = await client.mapReadState("board:1", { limit: 100, cursor });
  entries.push(...page.entries ?? []);
  cursor = page.cursor ?? "";
} while (cursor !== "");
console.log(entries.map((e) => e.key));`,
    },
    batchArgs: `"board:1", { limit: 100 }`,
  },
  map_read_stream: {
    summary: "Reads the stream of changes of a map channel (`recoverable` and `persistent` " +
      "map modes keep one).",
    effect: "read",
    args: ["channel"],
    returns: "The changes and the stream's current position.",
    example: {
      title: "Read the changes since a known position",
      code: `const { offset, epoch } = await client.mapPublish("board:1", "cell-c3", { mark: "x" });
const since = await client.mapReadStream("board:1", {
  since_offset: Math.max(0, (offset ?? 1) - 1),
  since_epoch: epoch,
  limit: 10,
});
console.log(since.entries?.map((e) => e.key));`,
    },
    batchArgs: `"board:1", { limit: 10 }`,
  },
  map_stats: {
    summary: "Counts the keys of a map channel.",
    effect: "read",
    args: ["channel"],
    returns: "The number of keys.",
    example: {
      title: "Count the keys",
      code: `const { num_keys } = await client.mapStats("board:1");`,
    },
    batchArgs: `"board:1"`,
  },
  map_clear: {
    summary: "Removes every key of a map channel.",
    effect: "idempotent",
    args: ["channel"],
    returns: "`{}` once done.",
    example: { title: "Clear a map", code: `await client.mapClear("board:2");` },
    batchArgs: `"board:1"`,
  },
  shared_poll_publish: {
    summary: "Pushes a new version of a key's data to a shared-poll channel's subscribers " +
      "(namespaces with `shared_poll.publish_enabled` and versioned mode).",
    details: "Subscribers tracking the key get the data at once instead of at the next " +
      "poll. Centrifugo keeps the highest version: an older or equal one is not delivered.",
    effect: "idempotent",
    args: ["channel", "key", "data"],
    returns: "`{}` once done.",
    example: {
      title: "Push a new version of a tracked key",
      code: `await client.sharedPollPublish("scores:live", "match-7", { home: 2, away: 1 }, {
  version: Date.now(),
});`,
    },
    batchArgs: `"scores:live", "match-7", { home: 2, away: 1 }, { version: 2 }`,
  },
  ...PRO_METHODS,
};

/** The messages of the OSS methods. PRO messages are in api_overlay_pro.ts. */
export const MESSAGES: Record<string, MessageOverlay> = {
  PublishRequest: {
    doc: "The wire params of `publish`.",
    fields: { channel: "Channel to publish into.", ...PUBLISH_FIELDS },
    required: ["channel", "data"],
    example: `{ channel: "chat", data: { text: "hi" } }`,
  },
  PublishResult: {
    doc: "Result of `publish`. Both fields are absent when the channel keeps no history.",
    fields: {
      offset: "Offset of the publication in the channel's history.",
      epoch: "Epoch of the channel's history stream.",
    },
    example: `{ offset: 1, epoch: "ABCD" }`,
  },
  BroadcastRequest: {
    doc: "The wire params of `broadcast`.",
    fields: { channels: "Channels to publish into (at least one).", ...PUBLISH_FIELDS },
    required: ["channels", "data"],
    example: `{ channels: ["news", "sport"], data: { text: "hi" } }`,
  },
  SubscribeRequest: {
    doc: "The wire params of `subscribe`.",
    fields: {
      channel: "Channel to subscribe to.",
      user: 'User ID; `""` targets anonymous connections (combine with `client`).',
      expire_at: "Unix time (seconds) when the subscription expires; 0 for never.",
      info: "Channel info, shown in presence and join/leave messages. A `Uint8Array` is " +
        "sent as `b64info`.",
      b64info: "Channel info as standard base64 (binary).",
      client: "Only subscribe this client (connection) ID of the user.",
      session: "Only subscribe this session ID of the user.",
      data: "Custom data sent to the client in the subscribe push. A `Uint8Array` is sent as " +
        "`b64data`.",
      b64data: "Custom data as standard base64 (binary).",
      recover_since: "Recover publications since this position.",
      override: "Override namespace options for this subscription.",
      label_filter: TARGET_FIELDS.label_filter,
      all_users: TARGET_FIELDS.all_users,
    },
    required: ["channel"],
    example: `{ user: "alice", channel: "news", client: "client-id" }`,
  },
  UnsubscribeRequest: {
    doc: "The wire params of `unsubscribe`.",
    fields: {
      channel: "Channel to unsubscribe from.",
      user: 'User ID; `""` targets anonymous connections (combine with `client`).',
      client: "Only unsubscribe this client (connection) ID.",
      session: "Only unsubscribe this session ID.",
      label_filter: TARGET_FIELDS.label_filter,
      all_users: TARGET_FIELDS.all_users,
    },
    required: ["channel"],
    example: `{ user: "alice", channel: "news" }`,
  },
  DisconnectRequest: {
    doc: "The wire params of `disconnect`.",
    fields: {
      user: 'User ID; `""` targets anonymous connections (combine with `client`).',
      disconnect: "Code and reason sent to the clients (default 3503 " +
        '"force disconnect"; 4500 and above tell them not to reconnect).',
      client: "Only disconnect this client (connection) ID.",
      whitelist: "Client IDs to keep connected.",
      session: "Only disconnect this session ID.",
      label_filter: TARGET_FIELDS.label_filter,
      all_users: TARGET_FIELDS.all_users,
    },
    example: `{ user: "alice", whitelist: ["client-to-keep"] }`,
  },
  RefreshRequest: {
    doc: "The wire params of `refresh`.",
    fields: {
      user: "User ID.",
      client: "Only refresh this client (connection) ID.",
      expired: "Mark the connections as expired (they are disconnected).",
      expire_at: "New Unix time (seconds) the connections expire at.",
      info: "New connection info.",
      session: "Only refresh this session ID.",
      label_filter: TARGET_FIELDS.label_filter,
      all_users: TARGET_FIELDS.all_users,
    },
    example: `{ user: "alice", expire_at: 2_000_000_000 }`,
  },
  PresenceRequest: {
    doc: "The wire params of `presence`.",
    fields: { channel: "Channel to read." },
    required: ["channel"],
    example: `{ channel: "chat" }`,
  },
  PresenceResult: {
    doc: "Result of `presence`.",
    fields: { presence: "Connections subscribed to the channel, by client ID." },
    example: `{ presence: { "client-id": { user: "alice", client: "client-id" } } }`,
  },
  PresenceStatsRequest: {
    doc: "The wire params of `presence_stats`.",
    fields: { channel: "Channel to read." },
    required: ["channel"],
    example: `{ channel: "chat" }`,
  },
  PresenceStatsResult: {
    doc: "Result of `presence_stats`.",
    fields: {
      num_clients: "Number of connections subscribed.",
      num_users: "Number of distinct users subscribed.",
    },
    example: `{ num_clients: 3, num_users: 2 }`,
  },
  HistoryRequest: {
    doc: "The wire params of `history`.",
    fields: {
      channel: "Channel to read.",
      limit: "How many publications: 0 (the default) returns only the stream position, " +
        "-1 all of them.",
      since: "Only publications after this position.",
      reverse: "Newest first.",
    },
    required: ["channel"],
    example: `{ channel: "chat", limit: 10, reverse: true }`,
  },
  HistoryResult: {
    doc: "Result of `history`.",
    fields: {
      publications: "The publications, oldest first unless `reverse` was set.",
      epoch: "Current epoch of the stream.",
      offset: "Current (latest) offset of the stream.",
    },
    example: `{ publications: [{ data: { text: "hi" }, offset: 1 }], epoch: "ABCD", offset: 1 }`,
  },
  HistoryRemoveRequest: {
    doc: "The wire params of `history_remove`.",
    fields: { channel: "Channel whose history to remove." },
    required: ["channel"],
    example: `{ channel: "chat" }`,
  },
  InfoRequest: { doc: "The wire params of `info`: none.", fields: {}, example: `{}` },
  InfoResult: {
    doc: "Result of `info`.",
    fields: { nodes: "The nodes of the cluster." },
    example: `{ nodes: [] }`,
  },
  RPCRequest: {
    doc: "The wire params of `rpc`.",
    fields: {
      method: "The RPC method's name.",
      params: "Any JSON value passed to the handler.",
    },
    required: ["method"],
    example: `{ method: "getCurrentYear", params: {} }`,
  },
  RPCResult: {
    doc: "Result of `rpc`: whatever the RPC handler returned.",
    fields: { data: "Data returned by the handler." },
    example: `{ data: { year: 2026 } }`,
  },
  ChannelsRequest: {
    doc: "The wire params of `channels`.",
    fields: { pattern: "Glob pattern the channel names must match, e.g. `chat:*`." },
    example: `{ pattern: "chat:*" }`,
  },
  ChannelsResult: {
    doc: "Result of `channels`: only channels with at least one subscriber.",
    fields: { channels: "Active channels by name." },
    example: `{ channels: { "chat:index": { num_clients: 2 } } }`,
  },
  ChannelInfo: {
    doc: "Channel details in the result of `channels`.",
    fields: { num_clients: "Number of connections subscribed to the channel (absent for 0)." },
    example: `{ num_clients: 2 }`,
  },
  StreamPosition: {
    doc: "A position in a channel's history stream.",
    fields: POSITION_FIELDS,
    present: ["offset", "epoch"],
    example: `{ offset: 10, epoch: "ABCD" }`,
  },
  ClientInfo: {
    doc: "A connection as Centrifugo reports it in presence and publications.",
    fields: {
      user: "User ID; an empty string for anonymous connections.",
      client: "Client (connection) ID.",
      conn_info: "Connection info from the connection token or proxy, if any.",
      chan_info: "Channel info from the subscription token or proxy, if any.",
    },
    example: `{ user: "alice", client: "client-id" }`,
  },
  Publication: {
    doc: "A publication from a channel's history.",
    fields: {
      data: "The published data.",
      info: "The publishing connection, for publications made by clients.",
      offset: "Offset of the publication in the stream.",
      tags: "Tags given at publish time.",
    },
    example: `{ data: { text: "hi" }, offset: 1 }`,
  },
  BoolValue: {
    doc: "A boolean set explicitly, used by SubscribeOptionOverride.",
    fields: { value: "The value." },
    present: ["value"],
    example: `{ value: false }`,
  },
  Int32Value: {
    doc: "A 32-bit integer set explicitly.",
    fields: { value: "The value." },
    present: ["value"],
    example: `{ value: 1 }`,
  },
  SubscribeOptionOverride: {
    doc: "Per-subscription overrides of the channel's namespace options.",
    fields: {
      presence: "Override the namespace's `presence`.",
      join_leave: "Override the namespace's `join_leave`.",
      force_recovery: "Override the namespace's `force_recovery`.",
      force_positioning: "Override the namespace's `force_positioning`.",
      force_push_join_leave: "Override the namespace's `force_push_join_leave`.",
    },
    example: `{ join_leave: { value: false } }`,
  },
  FilterNode: {
    doc: "A label predicate (Centrifugo PRO; Centrifugo OSS accepts and ignores it): a leaf " +
      "compares one label, a node combines its children.",
    fields: {
      op: 'Logical operation: `""` for a leaf, or `"and"`, `"or"`, `"not"`.',
      key: "Label key, for a leaf.",
      cmp: 'Comparison, for a leaf: `"eq"`, `"neq"`, `"in"`, `"nin"`, `"ex"`, `"nex"`, …',
      val: "Value to compare with.",
      vals: 'Values to compare with, for `"in"` and `"nin"`.',
      nodes: "Child nodes, for logical operations.",
    },
    example: `{ op: "", key: "region", cmp: "eq", val: "eu" }`,
  },
  Disconnect: {
    doc: "The code and reason a disconnect sends to the disconnected clients.",
    fields: {
      code: 'Disconnect code (Centrifugo\'s default is 3503, "force disconnect"); 4500 and ' +
        "above tell the client not to reconnect.",
      reason: "A short human-readable reason.",
    },
    present: ["code", "reason"],
    example: `{ code: 4500, reason: "banned" }`,
  },
  NodeResult: {
    doc: "One Centrifugo node in the result of `info`.",
    fields: {
      uid: "Unique ID of the node process.",
      name: "Node name.",
      version: "Centrifugo version.",
      num_clients: "Connections on the node.",
      num_users: "Distinct users on the node.",
      num_channels: "Channels with subscribers on the node.",
      uptime: "Uptime in seconds.",
      metrics: "Metrics, when collected.",
      process: "Process statistics, when collected.",
      num_subs: "Subscriptions on the node.",
    },
    example: `{
  uid: "node-uid",
  name: "node-1",
  version: "6.9.1",
  num_clients: 10,
  num_users: 8,
  num_channels: 3,
  num_subs: 12,
}`,
  },
  Metrics: {
    doc: "Node metrics in the result of `info`, when Centrifugo collects them.",
    fields: { interval: "Collection interval in seconds.", items: "Metric values by name." },
    example: `{ interval: 60, items: { "node.num_clients": 10 } }`,
  },
  Process: {
    doc: "Process statistics of a node in the result of `info`.",
    fields: { cpu: "CPU usage in percent.", rss: "Resident set size in bytes." },
    example: `{ cpu: 1.5, rss: 52428800 }`,
  },
  MapPublishRequest: {
    doc: "The wire params of `map_publish`.",
    fields: {
      channel: "Map channel to write into.",
      key: "The key to set.",
      data: "The key's new data: any JSON value. A `Uint8Array` is sent as `b64data`.",
      b64data: "The data as standard base64 (binary), sent instead of `data`.",
      stream_data: "Data for the change stream when it differs from the state's `data`; " +
        "Centrifugo 6.9.1's server API does not use it yet. A `Uint8Array` is sent as " +
        "`b64stream_data`.",
      b64stream_data: "`stream_data` as standard base64 (binary).",
      tags: "Tags attached to the entry, delivered to subscribers.",
      idempotency_key: PUBLISH_FIELDS.idempotency_key,
      delta: "Send the change to subscribers as a delta against the previous data.",
      version: "Version of the key's data: a write whose version is not above the key's " +
        "current one is suppressed (0 skips the check).",
      version_epoch: "Epoch of `version`: a different epoch restarts the comparison.",
      score: "Sort score of the entry in ordered maps; Centrifugo 6.9.1's server API does " +
        "not use it yet.",
      key_mode: "`if_new`: only write a key that does not exist; `if_exists`: only " +
        "overwrite an existing key. A refused write is `suppressed`, not an error.",
    },
    required: ["channel", "key", "data"],
    example: `{ channel: "board:1", key: "cell-a1", data: { mark: "x" } }`,
  },
  MapPublishResult: {
    doc: "Result of `map_publish`.",
    fields: MAP_POSITION,
    example: `{ offset: 3, epoch: "ABCD" }`,
  },
  MapRemoveRequest: {
    doc: "The wire params of `map_remove`.",
    fields: {
      channel: "Map channel to remove from.",
      key: "The key to remove.",
      idempotency_key: PUBLISH_FIELDS.idempotency_key,
    },
    required: ["channel", "key"],
    example: `{ channel: "board:1", key: "cell-a1" }`,
  },
  MapRemoveResult: {
    doc: "Result of `map_remove`.",
    fields: MAP_POSITION,
    example: `{ offset: 4, epoch: "ABCD" }`,
  },
  MapReadStateRequest: {
    doc: "The wire params of `map_read_state`.",
    fields: {
      channel: "Map channel to read.",
      cursor: "The `cursor` of the previous page; empty for the first page.",
      limit: "Entries per page at most; -1 for all of them. 0 (the default) returns only " +
        "the stream position, no entries.",
      key: "Only the entry of this key (`cursor` and `limit` are then ignored).",
      asc: "In ordered maps, lowest scores first (the default is highest first).",
      revision_offset: "Read the state of this stream position (with `revision_epoch`): " +
        "pages then fit together; a position the stream no longer has is code 112.",
      revision_epoch: "Epoch of `revision_offset`; a wrong one is code 112.",
    },
    required: ["channel"],
    example: `{ channel: "board:1", limit: 100 }`,
  },
  MapReadStateResult: {
    doc: "Result of `map_read_state`: one page of the state.",
    fields: {
      entries: "The page's entries.",
      offset: "The stream position the state is at.",
      epoch: "Epoch of the stream.",
      cursor: "Pass it back for the next page; empty after the last page.",
    },
    example: `{ entries: [{ key: "cell-a1", data: { mark: "x" } }], offset: 3, epoch: "ABCD" }`,
  },
  MapReadStreamRequest: {
    doc: "The wire params of `map_read_stream`.",
    fields: {
      channel: "Map channel to read.",
      since_offset: "Only changes after this offset (with `since_epoch`).",
      since_epoch: "Epoch of `since_offset`; a wrong one is code 112.",
      limit: "How many changes at most; -1 for all of them. 0 (the default) returns only " +
        "the stream position.",
      reverse: "Newest first.",
    },
    required: ["channel"],
    example: `{ channel: "board:1", since_offset: 2, since_epoch: "ABCD" }`,
  },
  MapReadStreamResult: {
    doc: "Result of `map_read_stream`.",
    fields: {
      entries: "The changes, oldest first unless `reverse` was set.",
      offset: "The stream's current offset.",
      epoch: "Epoch of the stream.",
    },
    example: `{ entries: [{ key: "cell-a1", data: { mark: "x" }, offset: 3 }], offset: 3 }`,
  },
  MapEntry: {
    doc: "A key of a map channel with its data, or one change of its stream.",
    fields: {
      key: "The key.",
      data: "The key's data (any JSON value).",
      tags: "Tags given when it was written.",
      offset: "Position of the write in the channel's stream.",
      score: "Sort score, in ordered maps.",
      removed: "In the stream: this change removed the key.",
      time: "When it was written, in Unix milliseconds (0 when unknown).",
    },
    example: `{ key: "cell-a1", data: { mark: "x" }, offset: 3 }`,
  },
  MapStatsRequest: {
    doc: "The wire params of `map_stats`.",
    fields: { channel: "Map channel to count." },
    required: ["channel"],
    example: `{ channel: "board:1" }`,
  },
  MapStatsResult: {
    doc: "Result of `map_stats`.",
    fields: { num_keys: "Number of keys in the map." },
    example: `{ num_keys: 9 }`,
  },
  MapClearRequest: {
    doc: "The wire params of `map_clear`.",
    fields: { channel: "Map channel to clear." },
    required: ["channel"],
    example: `{ channel: "board:1" }`,
  },
  SharedPollPublishRequest: {
    doc: "The wire params of `shared_poll_publish`.",
    fields: {
      channel: "Shared-poll channel.",
      key: "The tracked key whose data changed.",
      data: "The key's new data: any JSON value. A `Uint8Array` is sent as `b64data`.",
      b64data: "The data as standard base64 (binary), sent instead of `data`.",
      version: "The data's version, 1 or more: a version not above the one Centrifugo " +
        "holds for the epoch is ignored.",
      epoch: "Epoch of the publisher: when it changes, Centrifugo forgets the versions it " +
        "holds and subscribers resynchronize. Empty turns epoch checks off.",
    },
    required: ["channel", "key", "data", "version"],
    example: `{ channel: "scores:live", key: "match-7", data: { home: 2 }, version: 2 }`,
  },
  SubscribeResult: { doc: "Result of `subscribe`: `{}`.", fields: {}, example: `{}` },
  UnsubscribeResult: { doc: "Result of `unsubscribe`: `{}`.", fields: {}, example: `{}` },
  DisconnectResult: { doc: "Result of `disconnect`: `{}`.", fields: {}, example: `{}` },
  RefreshResult: { doc: "Result of `refresh`: `{}`.", fields: {}, example: `{}` },
  HistoryRemoveResult: { doc: "Result of `history_remove`: `{}`.", fields: {}, example: `{}` },
  MapClearResult: { doc: "Result of `map_clear`: `{}`.", fields: {}, example: `{}` },
  SharedPollPublishResult: {
    doc: "Result of `shared_poll_publish`: `{}`.",
    fields: {},
    example: `{}`,
  },
  ...PRO_MESSAGES,
};
