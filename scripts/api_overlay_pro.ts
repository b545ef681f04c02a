// Centrifugo PRO's methods and messages, for the generator (see api_overlay.ts).
// Written from Centrifugo PRO's documentation; Centrifugo OSS serves none of them, so
// their examples do not run in the tests (a fake server checks their wire shapes).

import type { MessageOverlay, MethodOverlay } from "./api_overlay.ts";

export const PRO_METHODS: Record<string, MethodOverlay> = {
  connections: {
    summary:
      "Lists active client connections selected by user ID, a CEL expression and/or client labels, without needing channel presence.",
    // Only surveys the connection hubs of the nodes; nothing is changed.
    effect: "read",
    args: [],
    returns: "The connections, by client ID.",
    example: {
      title: "List the connections of a user",
      code: `const { connections } = await client.connections({ user: "alice" });
for (const [id, c] of Object.entries(connections)) console.log(id, c.transport);`,
      noRun: true,
    },
    batchArgs: '{ user: "alice" }',
  },
  update_user_status: {
    summary:
      "Marks the given users as active at the current time in the PRO user status storage, optionally storing a custom state.",
    // Overwrites the stored last-active time (and state); a repeat only moves that time slightly later.
    effect: "idempotent",
    args: ["users"],
    returns: "`{}` once done.",
    example: {
      title: "Mark users as active",
      code: `await client.updateUserStatus(["alice", "bob"]);`,
      noRun: true,
    },
    batchArgs: '["alice"]',
  },
  get_user_status: {
    summary: "Returns the stored activity and online times for each of the given users.",
    // Reads user status records only.
    effect: "read",
    args: ["users"],
    returns: "One status per user.",
    example: {
      title: "Read when users were last active",
      code: `const { statuses } = await client.getUserStatus(["alice", "bob"]);
for (const s of statuses) console.log(s.user, s.active, s.online);`,
      noRun: true,
    },
    batchArgs: '["alice"]',
  },
  delete_user_status: {
    summary: "Deletes the stored status records of the given users.",
    // Deleting records that are already gone leaves the same end state.
    effect: "idempotent",
    args: ["users"],
    returns: "`{}` once done.",
    example: {
      title: "Forget users' statuses",
      code: `await client.deleteUserStatus(["alice"]);`,
      noRun: true,
    },
    batchArgs: '["alice"]',
  },
  block_user: {
    summary:
      "Blocks a user: their connections are dropped and new connections are refused until the block is lifted or expires.",
    // Repeating with the same expire_at stores the same block entry; the user is already disconnected.
    effect: "idempotent",
    args: ["user"],
    returns: "`{}` once done.",
    example: {
      title: "Block a user for a day",
      code:
        `await client.blockUser("alice", { expire_at: Math.floor(Date.now() / 1000) + 86400 });`,
      noRun: true,
    },
    batchArgs: '"alice"',
  },
  unblock_user: {
    summary: "Lifts the block on a user.",
    // Removing a block that no longer exists changes nothing.
    effect: "idempotent",
    args: ["user"],
    returns: "`{}` once done.",
    example: { title: "Unblock a user", code: `await client.unblockUser("alice");`, noRun: true },
    batchArgs: '"alice"',
  },
  revoke_token: {
    summary:
      "Revokes one token by its unique ID (JWT jti), so clients using it are disconnected shortly and cannot connect with it again.",
    // Repeating with the same uid and expire_at stores the same revocation entry.
    effect: "idempotent",
    args: ["uid"],
    returns: "`{}` once done.",
    example: {
      title: "Revoke one token by its jti",
      code:
        `await client.revokeToken("token-jti", { expire_at: Math.floor(Date.now() / 1000) + 3600 });`,
      noRun: true,
    },
    batchArgs: '"token-jti"',
  },
  invalidate_user_tokens: {
    summary: "Revokes, for one user, every token whose issue time (JWT iat) falls before a cutoff.",
    // Same entry on repeat when issued_before is set explicitly; if it is omitted the server uses its current time, so a later retry moves the cutoff forward.
    effect: "idempotent",
    args: ["user"],
    returns: "`{}` once done.",
    example: {
      title: "Invalidate every token of a user issued until now",
      code: `await client.invalidateUserTokens("alice", {
  issued_before: Math.floor(Date.now() / 1000),
  expire_at: Math.floor(Date.now() / 1000) + 86400,
});`,
      noRun: true,
    },
    batchArgs: '"alice"',
  },
  device_register: {
    summary:
      "Creates a push notification device, or fully replaces an existing one, and returns its ID.",
    // Writes the whole device state; without id the device is matched by its unique provider+token pair, so retrying the same request reuses the device instead of creating a duplicate (a concurrent first-time conflict is safe to retry).
    effect: "idempotent",
    args: ["provider", "token", "platform"],
    returns: "The device's ID.",
    example: {
      title: "Register a device for push notifications",
      code: `const { id } = await client.deviceRegister("fcm", "fcm-device-token", "android", {
  user: "alice",
  topics: ["news"],
});`,
      noRun: true,
    },
    batchArgs: '"fcm", "fcm-device-token", "android"',
  },
  device_update: {
    summary:
      "Applies partial changes (user, meta, topics, time zone, locale) to every device matched by the given IDs or user IDs.",
    // Every update sets a value or applies a set-style topic operation, so a repeat yields the same state.
    effect: "idempotent",
    args: [],
    returns: "`{}` once done.",
    example: {
      title: "Move a device to another user",
      code: `await client.deviceUpdate({ ids: ["device-id"], user_update: { user: "bob" } });`,
      noRun: true,
    },
    batchArgs: '{ ids: ["device-id"], locale_update: { locale: "fr-CA" } }',
  },
  device_remove: {
    summary:
      "Deletes every device matched by the given IDs or user IDs, along with its topic subscriptions.",
    // Removing devices that are already gone changes nothing.
    effect: "idempotent",
    args: [],
    returns: "`{}` once done.",
    example: {
      title: "Remove every device of a user",
      code: `await client.deviceRemove({ users: ["alice"] });`,
      noRun: true,
    },
    batchArgs: '{ ids: ["device-id"] }',
  },
  device_list: {
    summary: "Returns one page of registered devices matching a filter.",
    // Reads device storage only.
    effect: "read",
    args: ["filter"],
    returns: "A page of devices, and the cursor of the next page.",
    example: {
      title: "List the devices of a user",
      code:
        `const { items, next_cursor } = await client.deviceList({ users: ["alice"] }, { limit: 100 });`,
      noRun: true,
    },
    batchArgs: '{ users: ["alice"] }',
  },
  device_topic_list: {
    summary: "Returns one page of device-to-topic subscriptions matching a filter.",
    // Reads device topic storage only.
    effect: "read",
    args: [],
    returns: "A page of device topics, and the cursor of the next page.",
    example: {
      title: "List the devices subscribed to a topic",
      code: `const { items } = await client.deviceTopicList({ filter: { topics: ["news"] } });`,
      noRun: true,
    },
    batchArgs: '{ filter: { topics: ["news"] } }',
  },
  device_topic_update: {
    summary: "Adds, removes or replaces the topic subscriptions of one device.",
    // add, remove and set are set operations, so applying the same one twice leaves the same topic set.
    effect: "idempotent",
    args: ["device_id", "op", "topics"],
    returns: "`{}` once done.",
    example: {
      title: "Subscribe a device to topics",
      code: `await client.deviceTopicUpdate("device-id", "add", ["news", "sport"]);`,
      noRun: true,
    },
    batchArgs: '"device-id", "add", ["news"]',
  },
  user_topic_list: {
    summary: "Returns one page of user-to-topic bindings matching a filter.",
    // Reads user topic storage only.
    effect: "read",
    args: [],
    returns: "A page of user topics, and the cursor of the next page.",
    example: {
      title: "List the topics of a user",
      code: `const { items } = await client.userTopicList({ filter: { users: ["alice"] } });`,
      noRun: true,
    },
    batchArgs: '{ filter: { users: ["alice"] } }',
  },
  user_topic_update: {
    summary:
      "Adds, removes or replaces the topics bound to a user, propagating the change to devices that user has already registered.",
    // add, remove and set are set operations on both the user list and the device lists, so a repeat changes nothing more.
    effect: "idempotent",
    args: ["user", "op", "topics"],
    returns: "`{}` once done.",
    example: {
      title: "Bind topics to a user",
      code: `await client.userTopicUpdate("alice", "set", ["news"]);`,
      noRun: true,
    },
    batchArgs: '"alice", "set", ["news"]',
  },
  send_push_notification: {
    summary:
      "Queues a push notification for delivery to the chosen recipients by Centrifugo's push workers.",
    // Each call queues a new send; the docs describe uid only as a cancel handle and promise no deduplication, so a retry may deliver the push twice.
    effect: "unsafe",
    args: ["recipient", "notification"],
    returns: "The push's `uid`.",
    example: {
      title: "Send a push to a user's devices",
      code: `const { uid } = await client.sendPushNotification(
  { filter: { users: ["alice"] } },
  { fcm: { message: { notification: { title: "Hi", body: "You have mail" } } } },
  { uid: crypto.randomUUID() },
);`,
      noRun: true,
    },
    batchArgs:
      '{ fcm_tokens: ["fcm-device-token"] }, { fcm: { message: { notification: { title: "Hi" } } } }',
  },
  update_push_status: {
    summary:
      "Records that a sent push was delivered or interacted with, in the push analytics table (experimental).",
    // Appears to append a row to the ClickHouse notifications table (a MergeTree ordered by time), so a repeat may add a duplicate status row.
    effect: "unsafe",
    args: ["analytics_uid", "status", "device_id"],
    returns: "`{}` once done.",
    example: {
      title: "Record that a push was delivered",
      code: `await client.updatePushStatus("push-analytics-uid", "delivered", "device-id");`,
      noRun: true,
    },
    batchArgs: '"push-analytics-uid", "delivered", "device-id"',
  },
  cancel_push: {
    summary: "Cancels a scheduled push notification that was sent with send_at.",
    // Cancelling an already cancelled push has no further effect.
    effect: "idempotent",
    args: ["uid"],
    returns: "`{}` once done.",
    example: {
      title: "Cancel a scheduled push",
      code: `await client.cancelPush("push-uid");`,
      noRun: true,
    },
    batchArgs: '"push-uid"',
  },
};

export const PRO_MESSAGES: Record<string, MessageOverlay> = {
  ConnectionsRequest: {
    doc:
      "Parameters of connections; the request must set user, expression or label_filter (any one or more).",
    fields: {
      user: "Return only connections of this user ID.",
      expression: "CEL expression evaluated per connection to choose which ones to return.",
      label_filter: "Return only connections whose client labels satisfy this predicate.",
    },
  },
  ConnectionsResult: {
    doc: "Result of connections.",
    fields: {
      connections: "Matching connections keyed by client ID.",
    },
  },
  ConnectionInfo: {
    doc: "Details of one active client connection.",
    fields: {
      app_name: "Application name reported by the client, if any.",
      app_version: "Application version reported by the client, if any.",
      transport: "Transport used by the connection, e.g. websocket or uni_http_stream.",
      protocol: "Wire protocol of the connection: json or protobuf.",
      user: "User ID of the connection; empty for an anonymous one.",
      state: "Subscriptions, token details and meta of the connection.",
      connected_at_ms: "When the connection was established, Unix time in milliseconds.",
      ping_pong_latency_ms:
        "Latest measured ping/pong round trip in milliseconds; -1 when no measurement is available.",
      labels:
        "Client labels attached at connect time (from the JWT or the connect proxy); they do not change during the connection.",
    },
  },
  ConnectionState: {
    doc: "Server-side state of one connection.",
    fields: {
      channels: "Channels the connection is subscribed to, keyed by channel name.",
      connection_token: "ID and issue time of the connection token, when a token was used.",
      subscription_tokens: "Details of the subscription tokens used, keyed by channel.",
      meta:
        "JSON meta attached at connect time (JWT meta claim or connect proxy result); it is not exposed to clients.",
    },
  },
  ChannelContext: {
    doc: "Context of one channel subscription of a connection.",
    fields: {
      source:
        "Numeric code of how the subscription was made, e.g. 1 connection token, 2 connect proxy, 3 subscription token, 4 subscribe proxy, 10 server API; 0 is unknown.",
    },
  },
  ConnectionTokenInfo: {
    doc: "Identity of the token a connection authenticated with.",
    fields: {
      uid: "Unique token ID (JWT jti claim).",
      issued_at: "When the token was issued (JWT iat claim), Unix time in seconds.",
    },
  },
  SubscriptionTokenInfo: {
    doc: "Identity of the token used to subscribe to a channel.",
    fields: {
      uid: "Unique token ID (JWT jti claim).",
      issued_at: "When the token was issued (JWT iat claim), Unix time in seconds.",
    },
  },
  UpdateUserStatusRequest: {
    doc: "Parameters of update_user_status.",
    required: ["users"],
    fields: {
      users: "User IDs to mark as active now.",
      state: "Optional custom state string to store with each user's status.",
    },
  },
  UpdateUserStatusResult: {
    doc: "Result of update_user_status; it has no fields.",
    fields: {},
  },
  GetUserStatusRequest: {
    doc: "Parameters of get_user_status.",
    required: ["users"],
    fields: {
      users: "User IDs to look up.",
    },
  },
  GetUserStatusResult: {
    doc: "Result of get_user_status.",
    fields: {
      statuses: "One status per requested user, in the order of the request.",
    },
  },
  UserStatus: {
    doc: "Stored activity information of one user.",
    fields: {
      user: "User ID.",
      active: "Last time the user was marked active, Unix time in seconds; 0 when unknown.",
      online:
        "Last time Centrifugo saw the user connected (refreshed periodically while connected), Unix time in seconds; 0 when unknown.",
      state: "Custom state saved through update_user_status, if any.",
    },
  },
  DeleteUserStatusRequest: {
    doc: "Parameters of delete_user_status.",
    required: ["users"],
    fields: {
      users: "User IDs whose stored status is deleted.",
    },
  },
  DeleteUserStatusResult: {
    doc: "Result of delete_user_status; it has no fields.",
    fields: {},
  },
  BlockUserRequest: {
    doc: "Parameters of block_user.",
    required: ["user"],
    fields: {
      expire_at:
        "When the block lapses, Unix time in seconds; optional, but a near time keeps the set of blocked users that nodes load small.",
      user: "ID of the user to block.",
    },
  },
  BlockUserResult: {
    doc: "Result of block_user; it has no fields.",
    fields: {},
  },
  UnblockUserRequest: {
    doc: "Parameters of unblock_user.",
    required: ["user"],
    fields: {
      user: "ID of the user to unblock.",
    },
  },
  UnblockUserResult: {
    doc: "Result of unblock_user; it has no fields.",
    fields: {},
  },
  RevokeTokenRequest: {
    doc: "Parameters of revoke_token.",
    required: ["uid"],
    fields: {
      expire_at:
        "When the revocation record is dropped, Unix time in seconds; optional, best set to the token's own expiry.",
      uid: "JWT jti claim of the token being revoked.",
    },
  },
  RevokeTokenResult: {
    doc: "Result of revoke_token; it has no fields.",
    fields: {},
  },
  InvalidateUserTokensRequest: {
    doc: "Parameters of invalidate_user_tokens.",
    required: ["user"],
    fields: {
      expire_at:
        "When the invalidation record is dropped, Unix time in seconds; optional, best set to match your token lifetime.",
      user: "User whose tokens are invalidated.",
      issued_before:
        "Tokens issued (JWT iat) before this Unix time in seconds count as revoked; when 0 the server uses its current time.",
      channel:
        "Optional channel name; when set, only subscription tokens for this channel are affected.",
    },
  },
  InvalidateUserTokensResult: {
    doc: "Result of invalidate_user_tokens; it has no fields.",
    fields: {},
  },
  DeviceRegisterRequest: {
    doc: "Complete state of a device to create or replace; fields left out are reset to empty.",
    required: ["provider", "token", "platform"],
    fields: {
      id:
        "Device ID issued by Centrifugo; omit it on first registration and send the stored value later to update the same device.",
      provider: "Push provider of the token: fcm, hms, apns or webpush.",
      token:
        "Push token from the provider; for webpush, a JSON string of the browser's PushSubscription object.",
      platform: "Device platform: ios, android or web.",
      user:
        "User that owns the device; empty for none. That user's bound topics are copied onto the device.",
      meta: "Custom string key/value metadata stored with the device, usable in push templates.",
      topics:
        "Device-specific topics; the device's topic set becomes this list plus the user's bound topics, replacing the previous set.",
      timezone:
        "Time zone of the person using the device, as an IANA name (e.g. Europe/Berlin); used for local-time delivery windows.",
      locale:
        "Language tag of the device user in IETF BCP 47 form (e.g. fr-CA); used to pick push localizations.",
    },
  },
  DeviceUpdateRequest: {
    doc: "Selects devices by IDs and/or users and applies the given partial updates to them.",
    fields: {
      ids: "IDs of the devices to update.",
      users: "Update the devices of these users.",
      user_update: "Changes the user of the devices; user-bound topics are not re-synced.",
      meta_update: "Sets the meta of the devices.",
      topics_update: "Adds, removes or sets topics on the devices.",
      timezone_update: "Sets the time zone of the devices.",
      locale_update: "Sets the locale of the devices.",
    },
  },
  DeviceRemoveRequest: {
    doc: "Selects devices to delete by IDs and/or users.",
    fields: {
      ids: "IDs of the devices to delete.",
      users: "Delete the devices of these users.",
    },
  },
  DeviceUserUpdate: {
    doc: "New user value for devices.",
    fields: {
      user: "User ID to store on the devices.",
    },
  },
  DeviceTimezoneUpdate: {
    doc: "New time zone value for devices.",
    fields: {
      timezone: "IANA time zone to store on the devices.",
    },
  },
  DeviceLocaleUpdate: {
    doc: "New locale value for devices.",
    fields: {
      locale: "IETF BCP 47 locale to store on the devices.",
    },
  },
  DeviceMetaUpdate: {
    doc: "New meta value for devices.",
    fields: {
      meta: "String key/value metadata to set on the devices.",
    },
  },
  DeviceTopicsUpdate: {
    doc: "Topic change for devices.",
    fields: {
      op: "How topics are applied: add, remove or set (replace the whole list).",
      topics: "Topics the operation uses.",
    },
  },
  DeviceFilter: {
    doc: "Criteria selecting stored devices; fields left empty do not restrict the selection.",
    fields: {
      ids: "Match devices with these IDs.",
      users: "Match devices of these users.",
      topics: "Match devices subscribed to these topics.",
      providers: "Match devices with these token providers (fcm, hms, apns, webpush).",
      platforms: "Match devices on these platforms (ios, android, web).",
    },
  },
  DeviceListRequest: {
    doc: "Parameters of device_list.",
    required: ["filter"],
    fields: {
      filter: "Which devices to list.",
      include_total_count: "Also return the number of devices matching the filter.",
      include_meta: "Return the meta of each device.",
      include_topics: "Return the topics of each device.",
      include_webpush_keys: "Return the Web Push subscription keys of webpush devices.",
      cursor:
        "Pagination cursor: the next_cursor of the previous page, or empty for the first page.",
      limit: "Maximum number of devices in one page.",
    },
  },
  DeviceTopicFilter: {
    doc:
      "Criteria selecting device topic subscriptions; fields left empty do not restrict the selection.",
    fields: {
      device_ids: "Match subscriptions of devices with these IDs.",
      device_providers: "Match subscriptions of devices with these token providers.",
      device_platforms: "Match subscriptions of devices on these platforms.",
      device_users: "Match subscriptions of devices owned by these users.",
      topics: "Match subscriptions to these topics.",
      topic_prefix: "Match subscriptions to topics that start with this prefix.",
    },
  },
  DeviceTopicListRequest: {
    doc: "Parameters of device_topic_list.",
    fields: {
      filter: "Which device topic subscriptions to list.",
      include_total_count: "Also return the number of subscriptions matching the filter.",
      include_device: "Embed the full device in each returned item.",
      cursor:
        "Pagination cursor: the next_cursor of the previous page, or empty for the first page.",
      limit: "Maximum number of items in one page.",
    },
  },
  UserTopicFilter: {
    doc: "Criteria selecting user topic bindings; fields left empty do not restrict the selection.",
    fields: {
      users: "Match bindings of these users.",
      topics: "Match bindings to these topics.",
      topic_prefix: "Match bindings to topics that start with this prefix.",
    },
  },
  UserTopicListRequest: {
    doc: "Parameters of user_topic_list.",
    fields: {
      filter: "Which user topic bindings to list.",
      include_total_count: "Also return the number of bindings matching the filter.",
      cursor:
        "Pagination cursor: the next_cursor of the previous page, or empty for the first page.",
      limit: "Maximum number of items in one page.",
    },
  },
  DeviceTopicUpdateRequest: {
    doc:
      "Changes the topic list of one device; topic-targeted pushes are routed by these device lists.",
    required: ["device_id", "op"],
    fields: {
      device_id: "ID of the device to change.",
      op: "How topics are applied: add, remove or set (replace the whole list).",
      topics: "Topics the operation uses.",
      user:
        "Optional owner check: when the device is owned by someone else the call fails with a conflict (or not found if there is no such device) and nothing changes.",
    },
  },
  UserTopicUpdateRequest: {
    doc:
      "Changes the topic list bound to a user; the change also reaches the user's already registered devices.",
    required: ["op"],
    fields: {
      user:
        "User whose topic list changes; the empty string addresses the global list that every device picks up at its next registration.",
      op: "How topics are applied: add, remove or set (replace the whole list).",
      topics: "Topics the operation uses.",
    },
  },
  DeviceRegisterResult: {
    doc: "Result of device_register.",
    fields: {
      id: "ID of the created or updated device; keep it on the client for later registrations.",
    },
  },
  DeviceUpdateResult: {
    doc: "Result of device_update; it has no fields.",
    fields: {},
  },
  DeviceRemoveResult: {
    doc: "Result of device_remove; it has no fields.",
    fields: {},
  },
  DeviceListResult: {
    doc: "One page of device_list results.",
    fields: {
      items: "Devices on this page.",
      next_cursor: "Cursor for the following page; empty when there are no more pages.",
      total_count:
        "Total number of items matching the filter; only set when include_total_count was requested.",
    },
  },
  Device: {
    doc: "A stored push notification device.",
    fields: {
      id: "Device ID issued by Centrifugo.",
      platform: "Device platform: ios, android or web.",
      provider: "Push provider of the token: fcm, hms, apns or webpush.",
      token: "Push token; for webpush, the subscription endpoint.",
      user: "User that owns the device; empty for none.",
      created_at: "When the device record was created, as a Unix timestamp.",
      updated_at:
        "When the device was last registered or updated, as a Unix timestamp; sends do not change it.",
      meta: "Device metadata; only returned when include_meta was requested.",
      topics: "Device topics; only returned when include_topics was requested.",
      timezone: "IANA time zone stored for the device.",
      locale: "Locale stored for the device.",
      webpush_keys:
        "JSON string with the Web Push subscription keys (p256dh and auth); only returned when include_webpush_keys was requested.",
    },
  },
  DeviceTopicListResult: {
    doc: "One page of device_topic_list results.",
    fields: {
      items: "Device topic subscriptions on this page.",
      next_cursor: "Cursor for the following page; empty when there are no more pages.",
      total_count:
        "Total number of items matching the filter; only set when include_total_count was requested.",
    },
  },
  DeviceTopic: {
    doc: "One topic subscription of a device.",
    fields: {
      id: "ID of this subscription record.",
      topic: "Subscribed topic.",
      device: "The subscribed device; only returned when include_device was requested.",
    },
  },
  UserTopicListResult: {
    doc: "One page of user_topic_list results.",
    fields: {
      items: "User topic bindings on this page.",
      next_cursor: "Cursor for the following page; empty when there are no more pages.",
      total_count:
        "Total number of items matching the filter; only set when include_total_count was requested.",
    },
  },
  DeviceTopicUpdateResult: {
    doc: "Result of device_topic_update; it has no fields.",
    fields: {},
  },
  UserTopicUpdateResult: {
    doc: "Result of user_topic_update; it has no fields.",
    fields: {},
  },
  UserTopic: {
    doc: "One topic bound to a user.",
    fields: {
      id: "ID of this binding record.",
      user: "User the topic is bound to.",
      topic: "Bound topic.",
    },
  },
  PushRecipient: {
    doc: "Who a push notification goes to; set exactly one of its fields.",
    fields: {
      filter: "Send to stored devices that match this filter.",
      fcm_tokens: "Send to these raw FCM registration tokens.",
      fcm_topic: "Send to this native FCM topic.",
      fcm_condition: "Send to devices matching this native FCM topic condition.",
      hms_tokens: "Send to these raw HMS tokens.",
      hms_topic: "Send to this native HMS topic.",
      hms_condition: "Send to devices matching this native HMS topic condition.",
      apns_tokens: "Send to these raw APNs device tokens.",
      webpush_tokens:
        "Send to these raw Web Push subscriptions, given as PushSubscription JSON strings.",
    },
  },
  PushNotification: {
    doc: "The notification in each provider's own format, plus a Centrifugo-side deadline.",
    fields: {
      fcm: "Notification used for FCM deliveries.",
      hms: "Notification used for HMS deliveries.",
      apns: "Notification used for APNs deliveries.",
      webpush: "Notification used for Web Push deliveries.",
      expire_at:
        "Unix time in seconds after which Centrifugo stops trying to send; separate from provider TTL settings, and worth always setting.",
    },
  },
  FcmPushNotification: {
    doc: "Notification for Firebase Cloud Messaging.",
    fields: {
      message: "FCM HTTP v1 Message object, as raw JSON.",
    },
  },
  HmsPushNotification: {
    doc: "Notification for Huawei Push Kit.",
    fields: {
      message: "HMS Push Kit message object, as raw JSON.",
    },
  },
  ApnsPushNotification: {
    doc: "Notification for Apple Push Notification service.",
    fields: {
      headers: "HTTP headers to send with the APNs request.",
      payload: "APNs payload, as raw JSON.",
    },
  },
  WebPushPushNotification: {
    doc: "Notification for browser Web Push.",
    fields: {
      headers:
        "Web Push HTTP headers; recognized: TTL (retention in seconds, 4 weeks if unset), Urgency (very-low, low, normal, high) and Topic.",
      payload: "JSON delivered to the browser service worker's push event.",
    },
  },
  SendPushNotificationRequest: {
    doc: "Parameters of send_push_notification; the push is queued and sent by Centrifugo workers.",
    required: ["recipient", "notification"],
    fields: {
      recipient: "Who receives the push.",
      notification: "What is sent, per provider.",
      uid:
        "Caller-chosen unique ID of this send (UUID v4 suggested), used to cancel it; every distinct send needs its own uid.",
      send_at: "Unix time in seconds to send at; 0 sends right away.",
      optimize_for_reliability:
        "Makes processing heavier in exchange for robustness, e.g. in-flight pushes survive a short queue outage.",
      limit_strategy:
        "Per-device time window and rate limits; only honoured for a filter recipient, and devices are then processed one at a time instead of in batches.",
      analytics_uid: "ID recorded in push analytics; defaults to uid.",
      localizations: "Translations keyed by language or locale; setting any turns on templating.",
      use_templating:
        "Render the payload as a template for each device; requires a filter recipient.",
      use_meta: "Load device meta while sending so templates can use it.",
    },
  },
  PushLocalization: {
    doc: "Translations for one language or locale.",
    fields: {
      translations: "Template variable name mapped to its translated text.",
    },
  },
  PushLimitStrategy: {
    doc: "Limits on when and how often a push reaches each device.",
    fields: {
      rate_limit: "Per-device rate limits.",
      time_limit: "Delivery window in the device's local time.",
    },
  },
  PushTimeLimitStrategy: {
    doc: "Delivers a push within a window of the device's local time, using the device time zone.",
    fields: {
      send_after_time: "Start of the allowed local-time window, as HH:MM:SS.",
      send_before_time: "End of the allowed local-time window, as HH:MM:SS.",
      no_tz_send_now:
        "Send at once to devices with no time zone set; otherwise those devices are skipped.",
    },
  },
  PushRateLimitStrategy: {
    doc: "Rate limits applied to pushes per device.",
    fields: {
      key: "Optional rate-limit bucket key; it can use the variables device.id and device.user.",
      policies: "Rate limit policies to enforce.",
      drop_if_rate_limited: "Drop a push that hits a limit instead of delaying it until allowed.",
    },
  },
  RateLimitPolicy: {
    doc: "One rate limit: at most rate pushes per interval.",
    fields: {
      rate: "Number of pushes allowed per interval.",
      interval_ms: "Interval length in milliseconds.",
    },
  },
  SendPushNotificationResult: {
    doc: "Result of send_push_notification.",
    fields: {
      uid:
        "Identifier of this send (unrelated to provider message IDs); it echoes the request uid when one was supplied.",
    },
  },
  UpdatePushStatusRequest: {
    doc: "Parameters of update_push_status.",
    required: ["analytics_uid", "status", "device_id"],
    fields: {
      analytics_uid:
        "Analytics ID of the push, as used when sending (analytics_uid, or uid when that was not set).",
      status: "New status: delivered or interacted.",
      device_id: "Centrifugo device ID the status applies to.",
      msg_id: "Optional provider-side message ID of the delivered push.",
    },
  },
  UpdatePushStatusResult: {
    doc: "Result of update_push_status; it has no fields.",
    fields: {},
  },
  CancelPushRequest: {
    doc: "Parameters of cancel_push.",
    required: ["uid"],
    fields: {
      uid: "uid of the scheduled push to cancel.",
    },
  },
  CancelPushResult: {
    doc: "Result of cancel_push; it has no fields.",
    fields: {},
  },
};
