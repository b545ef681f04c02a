// Centrifugo PRO's methods: typed on the Client and the Batch, sent as
// api.proto describes them (checked against a fake server, since PRO is not
// available here; the expected bodies are written from the proto, not from
// the library's tables), and refused by Centrifugo OSS with a RequestError
// that says the method needs PRO.

import assert from "node:assert/strict";
import { Batch, Client, isSuccess, RequestError, ResponseError } from "@aiocent/aiocent";
import { API_KEY, startCentrifugo } from "./_centrifugo.ts";
import { json, withFake } from "./_fake.ts";

type Call = (c: Client) => Promise<unknown>;

/** Each PRO method: a call, the body api.proto says it sends, and a result it may get. */
const CASES: [method: string, call: Call, body: unknown, result: unknown][] = [
  ["connections", (c) => c.connections({ user: "alice" }), { user: "alice" }, {
    connections: { "c1": { app_name: "web", transport: "websocket", user: "alice" } },
  }],
  [
    "update_user_status",
    (c) => c.updateUserStatus(["alice", "bob"], { state: "busy" }),
    { users: ["alice", "bob"], state: "busy" },
    {},
  ],
  ["get_user_status", (c) => c.getUserStatus(["alice"]), { users: ["alice"] }, {
    statuses: [{ user: "alice", active: 1700000000, online: 1700000100 }],
  }],
  ["delete_user_status", (c) => c.deleteUserStatus(["alice"]), { users: ["alice"] }, {}],
  [
    "block_user",
    (c) => c.blockUser("alice", { expire_at: 1900000000 }),
    { user: "alice", expire_at: 1900000000 },
    {},
  ],
  ["unblock_user", (c) => c.unblockUser("alice"), { user: "alice" }, {}],
  ["revoke_token", (c) => c.revokeToken("jti-1"), { uid: "jti-1" }, {}],
  [
    "invalidate_user_tokens",
    (c) => c.invalidateUserTokens("alice", { issued_before: 1800000000, channel: "news" }),
    { user: "alice", issued_before: 1800000000, channel: "news" },
    {},
  ],
  [
    "device_register",
    (c) => c.deviceRegister("fcm", "tok", "android", { user: "alice", topics: ["news"] }),
    { provider: "fcm", token: "tok", platform: "android", user: "alice", topics: ["news"] },
    { id: "device-1" },
  ],
  [
    "device_update",
    (c) => c.deviceUpdate({ ids: ["device-1"], topics_update: { op: "add", topics: ["sport"] } }),
    { ids: ["device-1"], topics_update: { op: "add", topics: ["sport"] } },
    {},
  ],
  ["device_remove", (c) => c.deviceRemove({ users: ["alice"] }), { users: ["alice"] }, {}],
  [
    "device_list",
    (c) => c.deviceList({ users: ["alice"] }, { limit: 10, include_topics: true }),
    { filter: { users: ["alice"] }, limit: 10, include_topics: true },
    { items: [{ id: "device-1", provider: "fcm", user: "alice" }], next_cursor: "n" },
  ],
  [
    "device_topic_list",
    (c) => c.deviceTopicList({ filter: { topics: ["news"] }, include_device: true }),
    { filter: { topics: ["news"] }, include_device: true },
    { items: [{ id: "dt-1", topic: "news" }] },
  ],
  [
    "device_topic_update",
    (c) => c.deviceTopicUpdate("device-1", "set", ["news"]),
    { device_id: "device-1", op: "set", topics: ["news"] },
    {},
  ],
  [
    "user_topic_list",
    (c) => c.userTopicList({ filter: { users: ["alice"] }, cursor: "c" }),
    { filter: { users: ["alice"] }, cursor: "c" },
    { items: [{ id: "ut-1", user: "alice", topic: "news" }] },
  ],
  [
    "user_topic_update",
    (c) => c.userTopicUpdate("alice", "remove", ["news"]),
    { user: "alice", op: "remove", topics: ["news"] },
    {},
  ],
  [
    "send_push_notification",
    (c) =>
      c.sendPushNotification(
        { fcm_tokens: ["tok"] },
        { fcm: { message: { notification: { title: "Hi" } } }, expire_at: 1900000000 },
        { uid: "push-1", send_at: 1800000000 },
      ),
    {
      recipient: { fcm_tokens: ["tok"] },
      notification: { fcm: { message: { notification: { title: "Hi" } } }, expire_at: 1900000000 },
      uid: "push-1",
      send_at: 1800000000,
    },
    { uid: "push-1" },
  ],
  [
    "update_push_status",
    (c) => c.updatePushStatus("push-1", "delivered", "device-1", { msg_id: "m" }),
    { analytics_uid: "push-1", status: "delivered", device_id: "device-1", msg_id: "m" },
    {},
  ],
  ["cancel_push", (c) => c.cancelPush("push-1"), { uid: "push-1" }, {}],
];

Deno.test("PRO methods send what api.proto describes", async (t) => {
  await withFake(
    (n) => json({ result: CASES[n]?.[3] ?? {} }),
    async (api, seen) => {
      const client = new Client(api, { apiKey: "k" });
      for (const [i, [method, call, body, result]] of CASES.entries()) {
        await t.step(method, async () => {
          assert.deepEqual(await call(client), result);
          assert.equal(seen[i]?.path, `/api/${method}`);
          assert.deepEqual(seen[i]?.body, body);
          assert.equal(seen[i]?.headers.get("x-api-key"), "k");
        });
      }
    },
  );
  assert.equal(CASES.length, 19, "every PRO rpc of api.proto has a case");
});

Deno.test("PRO methods check their arguments like any other", async () => {
  const client = new Client("http://127.0.0.1:1/api");
  const rejects: [Call, RegExp][] = [
    [(c) => c.getUserStatus([]), /^getUserStatus: users must be a non-empty array of strings/],
    [(c) => c.blockUser(""), /^blockUser: user must be a non-empty string/],
    [
      (c) => c.deviceRegister("fcm", "tok", "android", { topicz: [] } as never),
      /^deviceRegister: unknown option topicz; known options: id, user, meta/,
    ],
    [
      (c) => c.deviceUpdate({ topics_update: { op: "add", topic: ["x"] } } as never),
      /^deviceUpdate: unknown option topics_update\.topic; known fields of topics_update: op, topics/,
    ],
    [
      (c) => c.sendPushNotification({ fcm_tokens: "tok" } as never, {}),
      /^sendPushNotification: recipient\.fcm_tokens must be an array of strings, got a string$/,
    ],
    [
      (c) => c.connections({ label_filter: { nodes: [{ op: 1 }] } } as never),
      /^connections: option label_filter\.nodes\[0\]\.op must be a string, got number 1$/,
    ],
  ];
  for (const [call, message] of rejects) {
    await assert.rejects(call(client), (err: unknown) => {
      assert.ok(err instanceof TypeError, String(err));
      assert.match(err.message, message);
      return true;
    });
  }
});

Deno.test("Centrifugo OSS refuses PRO methods, saying they need PRO", async (t) => {
  const server = await startCentrifugo();
  const client = new Client(server.apiUrl, { apiKey: API_KEY });
  try {
    await t.step("a call: RequestError 404", async () => {
      await assert.rejects(client.getUserStatus(["alice"]), (err: unknown) => {
        assert.ok(err instanceof RequestError, String(err));
        assert.equal(err.status, 404);
        assert.equal(err.method, "get_user_status");
        assert.match(err.message, /get_user_status needs Centrifugo PRO/);
        return true;
      });
    });
    await t.step("in a batch: error 104, with the same hint", async () => {
      const [status, info] = await client.send(new Batch().getUserStatus(["alice"]).info());
      assert.ok(status && !status.ok);
      assert.ok(status.error instanceof ResponseError);
      assert.equal(status.error.code, 104);
      assert.equal(status.error.reason, "not found");
      assert.match(status.error.message, /get_user_status needs Centrifugo PRO/);
      assert.ok(isSuccess(info, "info"));
    });
  } finally {
    await server.stop();
  }
});
