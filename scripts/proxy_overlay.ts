// What Centrifugo's internal/proxyproto/proxy.proto does not say, for the
// generator: what each proxy type, message and field means (the proto has few
// comments), which request fields the handlers fill in when Centrifugo leaves
// them out, and the rules a result must follow beyond its proto types.
// Written from Centrifugo v6.9.1's source (internal/proxy/*_handler.go) and
// from what a real server did (the proxy tests); the wire shapes come from the
// proto alone, and which answers each type acts on from the handlers' Go code.

/** Documentation and rules of one message. */
export interface ProxyMessageOverlay {
  doc: string;
  fields: Record<string, string>;
  /**
   * Request fields the decoded request always has: Centrifugo omits a field
   * when it is empty (`omitempty`), and the handler fills in the proto's zero
   * value (`""`, `0`, `false`, `[]`, `{}`), so the type need not mark it optional.
   */
  always?: string[];
  /** Result rule: at least one field of each group must be set (not absent, false, 0 or ""). */
  needs?: { fields: string[]; why: string }[];
  /** A value of the message for its generated example, as TypeScript source. */
  example?: string;
}

/** One proxy type, by its snake_case name (from the proto's rpc name). */
export interface ProxyTypeOverlay {
  /** What Centrifugo calls it for, one sentence: the first line of the docs. */
  summary: string;
  /** Where it is configured in Centrifugo v6's config. */
  config: string;
}

/** Interfaces renamed from the proto's names (TypeScript naming). */
export const RENAMES: Record<string, string> = {
  RPCRequest: "RpcRequest",
  RPCResult: "RpcResult",
};

/**
 * Fields checked more narrowly than their proto type:
 * - `unix_seconds`: an int64 of whole seconds since 1970, refused when it is
 *   so large it must be milliseconds (`Date.now()` instead of seconds);
 * - `key_mode`: one of Centrifugo's key modes.
 */
export const KIND_OVERRIDES: Record<string, string> = {
  "ConnectResult.expire_at": "unix_seconds",
  "RefreshResult.expire_at": "unix_seconds",
  "SubscribeResult.expire_at": "unix_seconds",
  "SubRefreshResult.expire_at": "unix_seconds",
  "SubscribeOptions.expire_at": "unix_seconds",
  "MapPublishResult.key_mode": "key_mode",
};

/** TypeScript types narrower than the proto's. */
export const TS_OVERRIDES: Record<string, string> = {
  "MapPublishResult.key_mode": '"" | "if_new" | "if_exists"',
};

/**
 * rpcs of proxy.proto that have no handler here, and why; any other rpc
 * without an overlay entry fails the generator.
 */
export const SKIPPED: Record<string, string> = {
  SubscribeUnidirectional: "a gRPC stream: Centrifugo refuses an http:// endpoint for it",
  SubscribeBidirectional: "a gRPC stream: Centrifugo refuses an http:// endpoint for it",
};

export const PROXY_TYPES: Record<string, ProxyTypeOverlay> = {
  connect: {
    summary: "A client connects without a connection token: authenticate it, say who it is.",
    config: "`client.proxy.connect` (`enabled: true`, `endpoint`)",
  },
  refresh: {
    summary: "A proxied connection's `expire_at` has come: extend it or let it expire.",
    config: "`client.proxy.refresh` (`enabled: true`, `endpoint`)",
  },
  subscribe: {
    summary: "A client subscribes to a channel of a namespace with `subscribe_proxy_enabled`.",
    config: "`channel.proxy.subscribe`, or a named proxy (`subscribe_proxy_name`)",
  },
  publish: {
    summary: "A client publishes into a channel of a namespace with `publish_proxy_enabled`.",
    config: "`channel.proxy.publish`, or a named proxy (`publish_proxy_name`)",
  },
  rpc: {
    summary: "A client calls an RPC method whose namespace has `proxy_enabled`.",
    config: "`rpc.proxy`, or a named proxy (`rpc.namespaces[].proxy_name`)",
  },
  sub_refresh: {
    summary: "A proxied subscription's `expire_at` has come: extend it or let it expire.",
    config: "`channel.proxy.sub_refresh`, or a named proxy (`sub_refresh_proxy_name`)",
  },
  map_publish: {
    summary: "A client publishes a key into a map channel with `map.publish_proxy_enabled`.",
    config: "`channel.proxy.map_publish`, or a named proxy (`map.publish_proxy_name`)",
  },
  map_remove: {
    summary: "A client removes a key from a map channel with `map.remove_proxy_enabled`.",
    config: "`channel.proxy.map_remove`, or a named proxy (`map.remove_proxy_name`)",
  },
  shared_poll_refresh: {
    summary: "Centrifugo polls the current data of the keys clients track in a shared-poll " +
      "channel.",
    config: "`channel.proxy.shared_poll_refresh`, or a named proxy (`shared_poll.proxy_name`)",
  },
  notify_cache_empty: {
    summary: "Centrifugo PRO: a channel's cache is empty; the backend may fill it.",
    config: "Centrifugo PRO's cache empty proxy",
  },
  notify_channel_state: {
    summary: "Centrifugo PRO: channels became occupied or vacated.",
    config: "Centrifugo PRO's channel state proxy",
  },
};

const CLIENT_FIELDS = {
  client: "The connection's client ID.",
  transport: 'The client\'s transport: `"websocket"`, `"http_stream"`, `"sse"`, …',
  protocol: 'The client\'s protocol: `"json"` or `"protobuf"`.',
  encoding: 'How payloads travel: `"json"` (as JSON in `data`), or `"binary"` when the proxy ' +
    "has `binary_encoding` (as base64 in `b64data`, decoded by the handler into `data`).",
};
const CLIENT_ALWAYS = ["client", "transport", "protocol", "encoding"];

const CONNECTION_FIELDS = {
  ...CLIENT_FIELDS,
  user: 'The connection\'s user ID (`""` for an anonymous connection).',
  meta: "The connection's `meta` from the connect result, when the proxy has " +
    "`include_connection_meta`.",
  labels: "Centrifugo PRO: the connection's labels.",
};
const CONNECTION_ALWAYS = [...CLIENT_ALWAYS, "user"];

const REQUEST_DATA = {
  data: "The client's data: a JSON value, or, with `binary_encoding`, the bytes " +
    "(`Uint8Array`) the handler decoded from `b64data`.",
  b64data: "With `binary_encoding`: the client's data as standard base64, as Centrifugo sent it " +
    "(the handler decodes it into `data`).",
};

const RESULT_DATA = (what: string) => ({
  data: `${what}: any JSON value, or a \`Uint8Array\` (sent as \`b64data\`).`,
  b64data: `${what} as standard base64 (binary data); or give a \`Uint8Array\` as \`data\`.`,
});

const RESULT_INFO = (what: string) => ({
  info: `${what}: any JSON value, or a \`Uint8Array\` (sent as \`b64info\`).`,
  b64info: `${what} as standard base64; or give a \`Uint8Array\` as \`info\`.`,
});

const EXPIRE_AT = (what: string) =>
  `When ${what} expires, in Unix seconds (whole seconds, not milliseconds). A time in the past ` +
  "is refused by Centrifugo with error 110.";

const PUBLICATION_FIELDS = {
  tags: "Tags attached to the publication, delivered to subscribers.",
  idempotency_key: "Deduplicates publications: another one with the same key within " +
    "Centrifugo's window (5 minutes by default) is not published.",
  delta: "Send the publication to subscribers as a delta against the previous one.",
  version: "Version of the publication; Centrifugo ignores versions not above the last one.",
  version_epoch: "Epoch of `version`, for when the version sequence restarts.",
};

export const MESSAGES: Record<string, ProxyMessageOverlay> = {
  ConnectRequest: {
    doc: "What Centrifugo sends the connect proxy when a client connects without a token.",
    fields: {
      ...CLIENT_FIELDS,
      ...REQUEST_DATA,
      name: 'The client SDK\'s name (centrifuge-js sends `"js"` by default).',
      version: "The client SDK's version, when it sends one.",
      channels: "Server-side subscriptions a unidirectional client asks for.",
    },
    always: CLIENT_ALWAYS,
    example: `{ client: "c1", transport: "websocket", protocol: "json", encoding: "json" }`,
  },
  ConnectResult: {
    doc: "Accepts a connection: who the user is and what the connection starts with. `{}` " +
      "accepts an anonymous connection.",
    fields: {
      user: 'The user ID (`""` or absent: anonymous).',
      expire_at: EXPIRE_AT("the connection") + " With a refresh proxy Centrifugo then calls " +
        "it; without one the client must refresh with a token.",
      ...RESULT_INFO(
        "Connection info, seen by others in presence and in the client's " +
          "publications (`info.conn_info`)",
      ),
      ...RESULT_DATA(
        "Data sent to the client in its connect reply (centrifuge-js: the " +
          "`connected` event's `data`)",
      ),
      channels: "Channels to subscribe the connection to, server-side.",
      subs: "Server-side subscriptions with options, by channel.",
      meta: "Connection meta (any JSON value): sent to the other proxies that have " +
        "`include_connection_meta`, never to clients.",
      caps: "Centrifugo PRO: channel capabilities of the connection.",
      labels: "Centrifugo PRO: labels of the connection.",
    },
    example: `{ user: "42", info: { name: "Alice" }, channels: ["news"] }`,
  },
  SubscribeOptions: {
    doc: "Options of a server-side subscription from a connect result.",
    fields: {
      expire_at: "Ignored by Centrifugo OSS v6.9.1 (the subscription lasts as long as the " +
        "connection).",
      ...RESULT_INFO("Channel info of this subscription (`info.chan_info`)"),
      ...RESULT_DATA(
        "Data sent to the client with the subscription (the `subscribed` event's " +
          "`data`)",
      ),
      override: "Overrides of the namespace's options for this subscription.",
      server_tags_filter: "Ignored by Centrifugo OSS v6.9.1.",
      cache_recover: "Recover the latest publication from the cache on (re)subscribe, without " +
        "the client asking (cache recovery mode only).",
    },
    example: `{ data: { welcome: true } }`,
  },
  SubscribeOptionOverride: {
    doc: "Overrides of a namespace's options for one subscription.",
    fields: {
      presence: "Turns presence on or off.",
      join_leave: "Turns join/leave messages on or off.",
      force_recovery: "Turns history recovery on or off.",
      force_positioning: "Turns stream positioning on or off.",
      force_push_join_leave: "Turns pushing join/leave messages to the subscriber on or off.",
    },
    example: `{ presence: { value: false } }`,
  },
  BoolValue: {
    doc: "A boolean that can be told apart from an absent one.",
    fields: { value: "The value." },
    example: `{ value: true }`,
  },
  FilterNode: {
    doc: "A filter on publication tags (Centrifugo PRO's server-side tags filter).",
    fields: {
      op: 'How `nodes` combine: `"and"`, `"or"`, `"not"`, or `""` for a leaf comparison.',
      key: "The tag a leaf compares.",
      cmp: 'The comparison: `"eq"`, `"neq"`, `"in"`, `"nin"`, `"ex"`, `"nex"`, …',
      val: "The value a leaf compares with.",
      vals: "The values of `in` and `nin`.",
      nodes: "The operands of `and`, `or`, `not`.",
    },
    example: `{ key: "kind", cmp: "eq", val: "goal" }`,
  },
  ChannelsCapability: {
    doc: "Centrifugo PRO: what a connection may do in some channels.",
    fields: {
      channels: "The channels (or patterns, see `match`).",
      allow: 'What is allowed: `"sub"`, `"pub"`, `"prs"`, `"hst"`.',
      match: 'How `channels` match: `""` exact, `"wildcard"`, `"regex"`.',
    },
    example: `{ channels: ["news"], allow: ["sub"] }`,
  },
  RefreshRequest: {
    doc: "What Centrifugo sends the refresh proxy when a proxied connection's `expire_at` comes.",
    fields: CONNECTION_FIELDS,
    always: CONNECTION_ALWAYS,
    example: `{ client: "c1", transport: "websocket", protocol: "json", encoding: "json", ` +
      `user: "42" }`,
  },
  RefreshResult: {
    doc: "Extends a connection (a new `expire_at`) or ends it (`expired: true`: closed with " +
      "3005, the client reconnects and connects again). Centrifugo reads nothing but this " +
      "result: a refresh cannot answer an error or a disconnect.",
    fields: {
      expired: "Ends the connection: Centrifugo closes it with 3005 (connection expired) and " +
        "the client reconnects.",
      expire_at: "The connection's new expiry, in Unix seconds. Required unless `expired`: " +
        "without it Centrifugo closes the connection as expired.",
      ...RESULT_INFO("New connection info"),
      meta: "New connection meta (any JSON value).",
      caps: "Centrifugo PRO: new channel capabilities.",
    },
    needs: [{
      fields: ["expired", "expire_at"],
      why: "answer { expired: true } to end the connection, or a new expire_at to extend it " +
        "(without one Centrifugo closes it as expired)",
    }],
    example: `{ expire_at: Math.floor(Date.now() / 1000) + 3600 }`,
  },
  SubscribeRequest: {
    doc: "What Centrifugo sends the subscribe proxy when a client subscribes to a channel.",
    fields: {
      ...CONNECTION_FIELDS,
      channel: "The channel.",
      token: "Never set by Centrifugo OSS (a subscription with a token skips the proxy).",
      ...REQUEST_DATA,
    },
    always: [...CONNECTION_ALWAYS, "channel"],
    example: `{ client: "c1", transport: "websocket", protocol: "json", encoding: "json", ` +
      `user: "42", channel: "news" }`,
  },
  SubscribeResult: {
    doc: "Allows a subscription. `{}` subscribes with the namespace's options.",
    fields: {
      expire_at: EXPIRE_AT("the subscription") + " With a sub_refresh proxy Centrifugo then " +
        "calls it; without one the client must refresh with a token.",
      ...RESULT_INFO(
        "Channel info of the subscriber, seen in its publications " +
          "(`info.chan_info`)",
      ),
      ...RESULT_DATA("Data sent to the subscriber (the `subscribed` event's `data`)"),
      override: "Overrides of the namespace's options for this subscription.",
      allow: "Centrifugo PRO: what the subscriber may do in the channel.",
      server_tags_filter: "Centrifugo PRO: only publications whose tags match reach the " +
        "subscriber.",
    },
    example: `{ data: { welcome: true } }`,
  },
  PublishRequest: {
    doc: "What Centrifugo sends the publish proxy when a client publishes into a channel.",
    fields: {
      ...CONNECTION_FIELDS,
      channel: "The channel.",
      ...REQUEST_DATA,
    },
    always: [...CONNECTION_ALWAYS, "channel"],
    example: `{ client: "c1", transport: "websocket", protocol: "json", encoding: "json", ` +
      `user: "42", channel: "chat", data: { text: "hi" } }`,
  },
  PublishResult: {
    doc: "Allows a publication, which Centrifugo then publishes: as the client sent it, or " +
      "with the data and options given here. `{}` publishes it unchanged.",
    fields: {
      ...RESULT_DATA("Replaces the publication's data"),
      skip_history: "Do not save the publication in the channel's history.",
      ...PUBLICATION_FIELDS,
    },
    example: `{ data: { text: "hi", checked: true } }`,
  },
  MapPublishRequest: {
    doc: "What Centrifugo sends the map publish proxy when a client publishes a key into a " +
      "map channel.",
    fields: {
      ...CONNECTION_FIELDS,
      channel: "The map channel.",
      key: "The key.",
      ...REQUEST_DATA,
    },
    always: [...CONNECTION_ALWAYS, "channel", "key"],
    example: `{ client: "c1", transport: "websocket", protocol: "json", encoding: "json", ` +
      `user: "42", channel: "board:1", key: "cell-7", data: { v: 1 } }`,
  },
  MapPublishResult: {
    doc: "Allows a map publication, which Centrifugo then applies: as the client sent it, or " +
      "with the key, data and options given here. (Centrifugo v6.9.1 applies it but answers " +
      "the client error 107 whenever a map publish proxy is set.)",
    fields: {
      key: "Replaces the key.",
      ...RESULT_DATA("Replaces the entry's data"),
      score: "Ignored by Centrifugo OSS v6.9.1.",
      key_mode: 'When to write: `""` always, `"if_new"` only a new key, `"if_exists"` only an ' +
        "existing one.",
      stream_data: "Ignored by Centrifugo OSS v6.9.1.",
      b64stream_data: "Ignored by Centrifugo OSS v6.9.1.",
      ...PUBLICATION_FIELDS,
      tags: "Tags attached to the change, delivered to subscribers.",
    },
    example: `{ data: { v: 2 } }`,
  },
  MapRemoveRequest: {
    doc: "What Centrifugo sends the map remove proxy when a client removes a key from a map " +
      "channel.",
    fields: {
      ...CONNECTION_FIELDS,
      channel: "The map channel.",
      key: "The key.",
    },
    always: [...CONNECTION_ALWAYS, "channel", "key"],
    example: `{ client: "c1", transport: "websocket", protocol: "json", encoding: "json", ` +
      `user: "42", channel: "board:1", key: "cell-7" }`,
  },
  MapRemoveResult: {
    doc: "Allows a map removal, which Centrifugo then applies. (Centrifugo v6.9.1 applies it " +
      "but answers the client error 107 whenever a map remove proxy is set.)",
    fields: {
      key: "Replaces the key to remove.",
      tags: "Tags attached to the removal, delivered to subscribers.",
      idempotency_key: PUBLICATION_FIELDS.idempotency_key,
    },
    example: `{ key: "cell-7" }`,
  },
  RPCRequest: {
    doc: "What Centrifugo sends the RPC proxy when a client calls an RPC method.",
    fields: {
      ...CONNECTION_FIELDS,
      method: "The method the client called.",
      ...REQUEST_DATA,
    },
    always: [...CONNECTION_ALWAYS, "method"],
    example: `{ client: "c1", transport: "websocket", protocol: "json", encoding: "json", ` +
      `user: "42", method: "getUser", data: { id: 1 } }`,
  },
  RPCResult: {
    doc: "The answer to an RPC call. `{}` answers without data.",
    fields: RESULT_DATA("The data the client's call resolves with"),
    example: `{ data: { name: "Alice" } }`,
  },
  SubRefreshRequest: {
    doc: "What Centrifugo sends the sub_refresh proxy when a proxied subscription's " +
      "`expire_at` comes.",
    fields: { ...CONNECTION_FIELDS, channel: "The channel." },
    always: [...CONNECTION_ALWAYS, "channel"],
    example: `{ client: "c1", transport: "websocket", protocol: "json", encoding: "json", ` +
      `user: "42", channel: "news" }`,
  },
  SubRefreshResult: {
    doc: "Extends a subscription (a new `expire_at`) or ends it (`expired: true`: the client " +
      "is unsubscribed with 2501 and subscribes again). `{}` keeps it with no expiry at all. " +
      "Centrifugo reads nothing but this result: a sub_refresh cannot answer an error or a " +
      "disconnect.",
    fields: {
      expired: "Ends the subscription: the client gets unsubscribe code 2501 (subscription " +
        "expired) and resubscribes.",
      expire_at: "The subscription's new expiry, in Unix seconds; absent, it never expires " +
        "again.",
      ...RESULT_INFO("New channel info of the subscriber"),
    },
    example: `{ expire_at: Math.floor(Date.now() / 1000) + 3600 }`,
  },
  SharedPollRefreshRequest: {
    doc: "What Centrifugo sends the shared-poll refresh proxy: the keys clients track in a " +
      "shared-poll channel, with the versions it holds. No client is involved: no headers " +
      "are forwarded.",
    fields: {
      channel: "The shared-poll channel.",
      items: "The tracked keys.",
    },
    always: ["channel", "items"],
    example: `{ channel: "scores:live", items: [{ key: "match-1", version: 3 }] }`,
  },
  SharedPollRefreshItem: {
    doc: "One tracked key of a shared-poll refresh request.",
    fields: {
      key: "The key.",
      version: "The version Centrifugo holds (0 when it has none yet).",
    },
    always: ["key", "version"],
    example: `{ key: "match-1", version: 3 }`,
  },
  SharedPollRefreshResult: {
    doc: "The keys whose data changed. Keys left out are unchanged.",
    fields: {
      items: "The changed (or removed) keys.",
      epoch: "The data's epoch (versioned mode). A different epoch than the channel's resets " +
        "every key and resubscribes its subscribers (code 2500).",
    },
    example: `{ items: [{ key: "match-1", data: { home: 2, away: 1 }, version: 4 }] }`,
  },
  SharedPollRefreshResultItem: {
    doc: "The current data of one key, or its removal.",
    fields: {
      key: "The key.",
      data: "The key's data: any JSON value.",
      version: "The data's version (versioned mode: only versions above the one Centrifugo " +
        "holds reach subscribers).",
      removed: "The key is gone: subscribers get a removal and Centrifugo stops polling it.",
      prev_data: "The previous data (any JSON value), as the base of a delta.",
    },
    example: `{ key: "match-1", data: { home: 2, away: 1 }, version: 4 }`,
  },
  NotifyCacheEmptyRequest: {
    doc: "Centrifugo PRO: a channel whose cache is empty.",
    fields: { channel: "The channel." },
    always: ["channel"],
    example: `{ channel: "news" }`,
  },
  NotifyCacheEmptyResult: {
    doc: "Centrifugo PRO: whether the backend filled the channel's cache.",
    fields: { populated: "True when the backend published into the channel." },
    example: `{ populated: true }`,
  },
  NotifyChannelStateRequest: {
    doc: "Centrifugo PRO: channel state changes.",
    fields: { events: "The changes." },
    always: ["events"],
    example: `{ events: [{ time_ms: 1700000000000, channel: "news", type: "occupied" }] }`,
  },
  ChannelEvent: {
    doc: "Centrifugo PRO: one channel state change.",
    fields: {
      time_ms: "When it happened, in Unix milliseconds.",
      channel: "The channel.",
      type: 'What happened: `"occupied"` or `"vacated"`.',
    },
    always: ["time_ms", "channel", "type"],
    example: `{ time_ms: 1700000000000, channel: "news", type: "occupied" }`,
  },
  NotifyChannelStateResult: {
    doc: "Centrifugo PRO: the channel state changes were handled.",
    fields: {},
    example: `{}`,
  },
};
