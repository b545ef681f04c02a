// Connection and subscription tokens, proved by a real Centrifugo: the server
// has to accept what token.ts signs (HS256, RS256, ES256, from every kind
// of key), reject what it must (expired, not yet valid, tampered, signed with
// another key), and expire a connection at `exp` unless the server API
// refreshes it. Key pairs are generated at test time with WebCrypto.

import assert from "node:assert/strict";
import type { Subscription } from "centrifuge";
import { Client } from "@aiocent/aiocent";
import { API_KEY, HMAC_SECRET, startCentrifugo } from "./_centrifugo.ts";
import { type SdkEvent, withSdkClients } from "./_sdk_client.ts";
import { base64, ecParams, type KeyPair, keyPair, pem, rsaParams } from "./_keys.ts";
import { connectionToken, importTokenKey, subscriptionToken, type TokenKey } from "../token.ts";

const SUB_SECRET = "test-subscription-secret-9d2a";
/** Every token needs an expiry (or expiresIn: "never"). */
const TTL = { expiresIn: 600 } as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const nowSec = () => Math.floor(Date.now() / 1000);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// Keys

function fromBase64url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
}

function toBase64url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A DER element (short or long length form). */
function der(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const head = length < 0x80 ? [tag, length] : [tag, 0x82, length >> 8, length & 0xff];
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let at = head.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const [rsa, otherRsa, ec, otherEc] = await Promise.all([
  keyPair(rsaParams),
  keyPair(rsaParams),
  keyPair(ecParams),
  keyPair(ecParams),
]);

/** The same RSA key as PKCS#1 "RSA PRIVATE KEY" (the octet string inside PKCS#8). */
function pkcs1Pem(pair: KeyPair): string {
  const pkcs8 = Uint8Array.from(
    atob(pair.pkcs8Pem.replace(/-----[^-]+-----|\s/g, "")),
    (c) => c.charCodeAt(0),
  );
  // 30 82 LL LL | 02 01 00 | 30 0d <rsaEncryption, NULL> | 04 82 LL LL <RSAPrivateKey>
  assert.deepEqual([...pkcs8.subarray(22, 24)], [0x04, 0x82]);
  return pem("RSA PRIVATE KEY", pkcs8.subarray(26));
}

/** The same EC key as SEC1 "EC PRIVATE KEY" with its curve, as `openssl ecparam -genkey` writes. */
function sec1Pem(pair: KeyPair): string {
  const { d, x, y } = pair.jwk as { d: string; x: string; y: string };
  const point = new Uint8Array([0x00, 0x04, ...fromBase64url(x), ...fromBase64url(y)]);
  const p256 = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);
  return pem(
    "EC PRIVATE KEY",
    der(
      0x30,
      der(0x02, Uint8Array.of(1)),
      der(0x04, fromBase64url(d)),
      der(0xa0, der(0x06, p256)),
      der(0xa1, der(0x03, point)),
    ),
  );
}

function parts(token: string): { header: Record<string, unknown>; payload: string } {
  const [header = "", payload = ""] = token.split(".");
  return {
    header: JSON.parse(decoder.decode(fromBase64url(header))),
    payload: decoder.decode(fromBase64url(payload)),
  };
}

// ---------------------------------------------------------------------------
// A real WebSocket client (the official SDK, tests/_sdk_client.ts) with a token.

type Event = SdkEvent;

interface Conn {
  readonly events: Event[];
  /** Resolves with the first event (seen or future) that matches. */
  waitFor(match: (event: Event) => boolean, what: string, timeoutMs?: number): Promise<Event>;
  /** Resolves with the client ID once connected; rejects if disconnected first. */
  connected(): Promise<string>;
  /** Starts a client-side subscription, recording its events. */
  subscribe(channel: string, options?: { token?: string; waitToken?: boolean }): Subscription;
}

/** A token getter that never answers: the SDK then waits instead of giving up. */
const neverAnswers = () => new Promise<string>(() => {});

/**
 * Runs `fn` with a way to open SDK clients with a token, and closes all of
 * them afterwards (waiting for every socket to close, for the sanitizers).
 */
function withClients(
  wsUrl: string,
  fn: (open: (token: string, options?: { waitToken?: boolean }) => Conn) => Promise<void>,
): Promise<void> {
  return withSdkClients(wsUrl, (openSdk) =>
    fn((token, options = {}) => {
      const sdk = openSdk({ token, ...(options.waitToken ? { getToken: neverAnswers } : {}) });
      return {
        events: sdk.events,
        waitFor: sdk.waitFor,
        async connected() {
          const event = await sdk.waitFor(
            (e) => e.type === "connected" || e.type === "disconnected" || e.type === "error",
            "connected",
          );
          if (event.type !== "connected") {
            throw new Error(`not connected: ${JSON.stringify(event)}`);
          }
          return event.client;
        },
        subscribe(channel, subOptions = {}) {
          const sub = sdk.client.newSubscription(channel, {
            ...(subOptions.token ? { token: subOptions.token } : {}),
            ...(subOptions.waitToken ? { getToken: neverAnswers } : {}),
          });
          sdk.watch(sub);
          sub.subscribe();
          return sub;
        },
      };
    }));
}

const isSubscribed = (channel: string) => (e: Event) =>
  e.type === "subscribed" && e.channel === channel;
const isUnsubscribed = (channel: string) => (e: Event) =>
  e.type === "unsubscribed" && e.channel === channel;

// ---------------------------------------------------------------------------

Deno.test("tokens are accepted and enforced by a real Centrifugo", async (t) => {
  const server = await startCentrifugo({
    client: {
      token: {
        hmac_secret_key: HMAC_SECRET,
        rsa_public_key: rsa.publicPem,
        ecdsa_public_key: ec.publicPem,
      },
      allowed_origins: ["*"],
      // Close an expired connection at its expiry, not 25 s later ("0s" would
      // not do: Centrifugo takes a zero duration for "unset", i.e. 25 s).
      expired_close_delay: "100ms",
    },
  });
  const api = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  try {
    await t.step("HS256, RS256 and ES256 connection tokens connect as their sub", async () => {
      const importedEc = await importTokenKey(ec.pkcs8Pem);
      const cases: [label: string, alg: string, key: TokenKey][] = [
        ["hs-string", "HS256", HMAC_SECRET],
        ["hs-bytes", "HS256", encoder.encode(HMAC_SECRET)],
        ["rs-pkcs8-pem", "RS256", rsa.pkcs8Pem],
        ["rs-pkcs1-pem", "RS256", pkcs1Pem(rsa)],
        ["rs-jwk", "RS256", rsa.jwk],
        ["rs-cryptokey", "RS256", rsa.privateKey],
        ["es-pkcs8-pem", "ES256", ec.pkcs8Pem],
        ["es-sec1-pem", "ES256", sec1Pem(ec)],
        ["es-jwk", "ES256", ec.jwk],
        ["es-cryptokey", "ES256", ec.privateKey],
        ["es-imported", "ES256", importedEc],
      ];
      const channel = "tok-who";
      await withClients(server.wsUrl, async (open) => {
        const ids = new Map<string, string>();
        for (const [label, alg, key] of cases) {
          const token = await connectionToken(
            { sub: `user-${label}`, info: { via: label } },
            key,
            { expiresIn: 600 },
          );
          assert.equal(parts(token).header.alg, alg, label);
          const conn = open(token);
          ids.set(await conn.connected(), label);
          conn.subscribe(channel);
          await conn.waitFor(isSubscribed(channel), `subscribed (${label})`);
        }
        const { presence } = await api.presence(channel);
        assert.equal(Object.keys(presence).length, cases.length);
        for (const [clientId, label] of ids) {
          assert.equal(presence[clientId]?.user, `user-${label}`);
          assert.deepEqual(presence[clientId]?.conn_info, { via: label });
        }
      });
    });

    await t.step('sub "" connects as an anonymous user', async () => {
      await withClients(server.wsUrl, async (open) => {
        // Anonymous users may not subscribe client-side here (no
        // allow_subscribe_for_anonymous), so the token subscribes them.
        const conn = open(
          await connectionToken({ sub: "", channels: ["tok-anon"] }, HMAC_SECRET, TTL),
        );
        const clientId = await conn.connected();
        await conn.waitFor(
          (e) => e.type === "server-subscribed" && e.channel === "tok-anon",
          "server-side subscription",
        );
        const { presence } = await api.presence("tok-anon");
        assert.equal(presence[clientId]?.user, "");
        conn.subscribe("tok-anon-client");
        const denied = await conn.waitFor(isUnsubscribed("tok-anon-client"), "unsubscribed");
        assert.equal(denied.type === "unsubscribed" && denied.code, 103);
      });
    });

    await t.step("channels and subs claims subscribe the connection server-side", async () => {
      await withClients(server.wsUrl, async (open) => {
        const withChannels = open(
          await connectionToken({ sub: "chan-user", channels: ["tok-news"] }, rsa.pkcs8Pem, TTL),
        );
        const withSubs = open(
          await connectionToken(
            {
              sub: "subs-user",
              subs: { "tok-room": { info: { seat: 7 }, data: { welcome: true } } },
            },
            ec.pkcs8Pem,
            TTL,
          ),
        );
        const channelsId = await withChannels.connected();
        const subsId = await withSubs.connected();
        await withChannels.waitFor(
          (e) => e.type === "server-subscribed" && e.channel === "tok-news",
          "server-side subscription to tok-news",
        );
        const room = await withSubs.waitFor(
          (e) => e.type === "server-subscribed" && e.channel === "tok-room",
          "server-side subscription to tok-room",
        );
        assert.deepEqual(room.type === "server-subscribed" && room.data, { welcome: true });
        assert.equal((await api.presence("tok-news")).presence[channelsId]?.user, "chan-user");
        const roomPresence = (await api.presence("tok-room")).presence[subsId];
        assert.equal(roomPresence?.user, "subs-user");
        assert.deepEqual(roomPresence?.chan_info, { seat: 7 });
      });
    });

    await t.step("a subscription token opens a private channel", async () => {
      await withClients(server.wsUrl, async (open) => {
        const conn = open(await connectionToken({ sub: "sam" }, HMAC_SECRET, { expiresIn: 600 }));
        const clientId = await conn.connected();
        // "$" is Centrifugo's private prefix: no subscribe without a token,
        // although the namespace allows client-side subscribe.
        conn.subscribe("$tok-denied");
        const denied = await conn.waitFor(isUnsubscribed("$tok-denied"), "unsubscribed");
        assert.equal(denied.type === "unsubscribed" && denied.code, 103); // permission denied
        for (
          const [channel, key] of [["$tok-hs", HMAC_SECRET], ["$tok-es", ec.privateKey]] as const
        ) {
          const token = await subscriptionToken(
            { sub: "sam", channel, info: { key: channel }, data: { hello: channel } },
            key,
            { expiresIn: 600 },
          );
          conn.subscribe(channel, { token });
          const subscribed = await conn.waitFor(isSubscribed(channel), `subscribed to ${channel}`);
          assert.deepEqual(subscribed.type === "subscribed" && subscribed.data, { hello: channel });
          const { presence } = await api.presence(channel);
          assert.equal(presence[clientId]?.user, "sam");
          assert.deepEqual(presence[clientId]?.chan_info, { key: channel });
        }
      });
    });

    await t.step(
      "expired, early, tampered and wrongly signed connection tokens are rejected",
      async () => {
        const now = nowSec();
        const good = await connectionToken({ sub: "mallory" }, HMAC_SECRET, { expiresIn: 600 });
        // One byte of the payload changed ("mallory" -> "lallory"), signature kept.
        const [head, body, signature] = good.split(".") as [string, string, string];
        const bytes = fromBase64url(body);
        const at = decoder.decode(bytes).indexOf('"mallory"') + 1;
        bytes[at] = bytes[at]! ^ 1;
        const tampered = `${head}.${toBase64url(bytes)}.${signature}`;
        assert.equal(JSON.parse(parts(tampered).payload).sub, "lallory");

        const cases: [label: string, token: string, code: number][] = [
          ["expired", await connectionToken({ sub: "u", exp: now - 60 }, HMAC_SECRET), 109],
          [
            "not yet valid",
            await connectionToken({ sub: "u", nbf: now + 3600 }, HMAC_SECRET, TTL),
            109,
          ],
          ["tampered payload", tampered, 3500],
          ["wrong HMAC secret", await connectionToken({ sub: "u" }, HMAC_SECRET + "x", TTL), 3500],
          ["other RSA key", await connectionToken({ sub: "u" }, otherRsa.pkcs8Pem, TTL), 3500],
          ["other EC key", await connectionToken({ sub: "u" }, otherEc.jwk, TTL), 3500],
          // Algorithm confusion: HMAC keyed with the server's RSA public key.
          [
            "HS256 keyed with the RSA public key",
            await connectionToken(
              { sub: "u" },
              encoder.encode(rsa.publicPem),
              TTL,
            ),
            3500,
          ],
        ];
        await withClients(server.wsUrl, async (open) => {
          for (const [label, token, code] of cases) {
            const conn = open(token);
            if (code === 109) {
              // Token expired is a connect error the SDK retries (with a new token).
              await conn.waitFor((e) => e.type === "error" && e.kind === "connect", label);
              assert.ok(conn.events.some((e) => e.type === "error" && e.code === 109), label);
            } else {
              // Invalid token is a terminal disconnect.
              const event = await conn.waitFor((e) => e.type === "disconnected", label);
              assert.equal(event.type === "disconnected" && event.code, code, label);
              assert.equal(event.type === "disconnected" && event.reason, "invalid token", label);
            }
            assert.ok(!conn.events.some((e) => e.type === "connected"), label);
          }
        });
      },
    );

    await t.step("bad subscription tokens are rejected", async () => {
      await withClients(server.wsUrl, async (open) => {
        const conn = open(await connectionToken({ sub: "sid" }, HMAC_SECRET, TTL));
        await conn.connected();
        const expired = await subscriptionToken(
          { sub: "sid", channel: "$tok-old", exp: nowSec() - 60 },
          HMAC_SECRET,
        );
        conn.subscribe("$tok-old", { token: expired, waitToken: true });
        const error = await conn.waitFor(
          (e) => e.type === "sub-error" && e.channel === "$tok-old",
          "subscribe error",
        );
        assert.equal(error.type === "sub-error" && error.code, 109); // token expired
        const wrongKey = await subscriptionToken(
          { sub: "sid", channel: "$tok-forged" },
          otherEc.privateKey,
          TTL,
        );
        conn.subscribe("$tok-forged", { token: wrongKey });
        const forged = await conn.waitFor(isUnsubscribed("$tok-forged"), "unsubscribed");
        assert.equal(forged.type === "unsubscribed" && forged.code, 103); // permission denied
        assert.ok(!conn.events.some((e) => e.type === "disconnected"));

        // A valid token of another user costs the whole connection.
        const other = await subscriptionToken(
          { sub: "not-sid", channel: "$tok-other" },
          HMAC_SECRET,
          TTL,
        );
        conn.subscribe("$tok-other", { token: other });
        const gone = await conn.waitFor((e) => e.type === "disconnected", "disconnected");
        assert.equal(gone.type === "disconnected" && gone.code, 3500);
      });
    });

    await t.step("a connection expires at exp unless the server API refreshes it", async () => {
      await withClients(server.wsUrl, async (open) => {
        const exp = nowSec() + 2;
        // The SDK would ask for a new token at expiry; this one never answers,
        // so only the server decides.
        const lapsed = open(await connectionToken({ sub: "lapsed", exp }, HMAC_SECRET), {
          waitToken: true,
        });
        const kept = open(await connectionToken({ sub: "kept", exp }, HMAC_SECRET), {
          waitToken: true,
        });
        await lapsed.connected();
        const keptId = await kept.connected();
        kept.subscribe("tok-alive");
        await kept.waitFor(isSubscribed("tok-alive"), "subscribed");
        await api.refresh("kept", { expire_at: nowSec() + 3600 });

        const expired = await lapsed.waitFor(
          (e) => (e.type === "connecting" || e.type === "disconnected") && e.code !== 0,
          "expiry",
          6000,
        );
        assert.deepEqual(expired, { type: "connecting", code: 3005, reason: "connection expired" });
        assert.ok(nowSec() >= exp);
        // `kept` was due at the same second: give the server one more second.
        await delay(1000);
        assert.deepEqual(
          kept.events.filter((e) => e.type === "connecting" || e.type === "disconnected"),
          [{ type: "connecting", code: 0, reason: "connect called" }],
        );
        const { presence } = await api.presence("tok-alive");
        assert.equal(presence[keptId]?.user, "kept");
      });
    });
  } finally {
    await server.stop();
  }
});

Deno.test("audience, issuer, user_id_claim and separate subscription token keys", async (t) => {
  const server = await startCentrifugo({
    client: {
      token: {
        hmac_secret_key: HMAC_SECRET,
        audience: "aiocent-tests",
        issuer: "aiocent-issuer",
        user_id_claim: "uid",
      },
      subscription_token: { enabled: true, hmac_secret_key: SUB_SECRET },
      allowed_origins: ["*"],
    },
    channel: {
      without_namespace: { presence: true, allow_subscribe_for_client: true },
      // No allow_subscribe_for_client: only a subscription token lets a client in.
      namespaces: [{ name: "locked", presence: true }],
    },
  });
  const api = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  const claims = { aud: "aiocent-tests", iss: "aiocent-issuer" };
  try {
    await t.step("aud and iss must match; the user ID is read from user_id_claim", async () => {
      const good = await connectionToken({ sub: "ursula", ...claims }, HMAC_SECRET, {
        ...TTL,
        userIdClaim: "uid",
      });
      assert.equal(JSON.parse(parts(good).payload).uid, "ursula");
      const bad: [string, string][] = [
        ["no aud", await connectionToken({ sub: "u", iss: claims.iss }, HMAC_SECRET, TTL)],
        [
          "wrong aud",
          await connectionToken({ sub: "u", ...claims, aud: ["other"] }, HMAC_SECRET, TTL),
        ],
        [
          "wrong iss",
          await connectionToken({ sub: "u", ...claims, iss: "evil" }, HMAC_SECRET, TTL),
        ],
      ];
      await withClients(server.wsUrl, async (open) => {
        const conn = open(good);
        const clientId = await conn.connected();
        conn.subscribe("tok-aud");
        await conn.waitFor(isSubscribed("tok-aud"), "subscribed");
        // Without userIdClaim the user ID is missing: Centrifugo connects anonymously.
        const anonymous = open(
          await connectionToken(
            { sub: "ursula", channels: ["tok-aud"], ...claims },
            HMAC_SECRET,
            TTL,
          ),
        );
        const anonymousId = await anonymous.connected();
        await anonymous.waitFor((e) => e.type === "server-subscribed", "server-side subscription");
        const { presence } = await api.presence("tok-aud");
        assert.equal(presence[clientId]?.user, "ursula");
        assert.equal(presence[anonymousId]?.user, "");

        for (const [label, token] of bad) {
          const rejected = open(token);
          const event = await rejected.waitFor((e) => e.type === "disconnected", label);
          assert.equal(event.type === "disconnected" && event.code, 3500, label);
        }
      });
    });

    await t.step("subscription tokens are checked with the subscription_token key", async () => {
      await withClients(server.wsUrl, async (open) => {
        const conn = open(
          await connectionToken({ sub: "vera", ...claims }, HMAC_SECRET, {
            ...TTL,
            userIdClaim: "uid",
          }),
        );
        const clientId = await conn.connected();
        conn.subscribe("locked:none");
        const none = await conn.waitFor(isUnsubscribed("locked:none"), "unsubscribed");
        assert.equal(none.type === "unsubscribed" && none.code, 103);
        // Signed with the connection key: not valid for subscriptions here.
        const withConnKey = await subscriptionToken(
          { sub: "vera", channel: "locked:conn-key" },
          HMAC_SECRET,
          { ...TTL, userIdClaim: "uid" },
        );
        conn.subscribe("locked:conn-key", { token: withConnKey });
        const wrong = await conn.waitFor(isUnsubscribed("locked:conn-key"), "unsubscribed");
        assert.equal(wrong.type === "unsubscribed" && wrong.code, 103);
        // The subscription verifier has its own settings: plain sub, no aud/iss.
        const token = await subscriptionToken(
          { sub: "vera", channel: "locked:room" },
          SUB_SECRET,
          TTL,
        );
        conn.subscribe("locked:room", { token });
        await conn.waitFor(isSubscribed("locked:room"), "subscribed");
        const { presence } = await api.presence("locked:room");
        assert.equal(presence[clientId]?.user, "vera");
      });
    });
  } finally {
    await server.stop();
  }
});

Deno.test("token arguments are checked before anything is signed", async (t) => {
  const rejects = async (
    promise: Promise<unknown>,
    message: RegExp,
    secrets: string[] = [HMAC_SECRET],
  ) => {
    const err = await promise.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`);
    assert.match(err.message, message);
    for (const secret of secrets) {
      assert.ok(!err.message.includes(secret), `message leaks key material: ${err.message}`);
    }
  };
  const anyClaims = (claims: unknown) => claims as { sub: string; channel: string };

  await t.step("bad claims", async () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /claims must be a plain object/],
      [{}, /claim sub must be a string/],
      [{ sub: 42 }, /claim sub must be a string .*got number 42/],
      [{ sub: "u", exp: 1.5 }, /claim exp must be a non-negative integer/],
      [{ sub: "u", exp: "1700000000" }, /claim exp must be a non-negative integer/],
      [{ sub: "u", exp: Date.now() }, /claim exp must be Unix time in seconds, not milliseconds/],
      [{ sub: "u", expire_at: -1 }, /claim expire_at must be a non-negative integer/],
      [{ sub: "u", expireAt: 1 }, /unknown claim expireAt \(did you mean expire_at\?\)/],
      [{ sub: "u", chanels: ["a"] }, /unknown claim chanels; Centrifugo reads only sub, exp/],
      [{ sub: "u", channel: "a" }, /unknown claim channel \(Centrifugo rejects connection tokens/],
      [{ sub: "u", aud: 1 }, /claim aud must be a string or a non-empty array of strings/],
      [{ sub: "u", channels: ["a", ""] }, /claim channels must be an array of non-empty/],
      [{ sub: "u", channels: ["a"], subs: { b: {} } }, /channels and subs cannot be combined/],
      [{ sub: "u", info: {}, b64info: "AA==" }, /info and b64info cannot be combined/],
      [{ sub: "u", b64info: "not base64!" }, /claim b64info must be a standard \(padded\) base64/],
      [{ sub: "u", info: 10n }, /claim info must be a JSON-serializable value/],
      [{ sub: "u", meta: () => {} }, /claim meta must be a JSON-serializable value/],
      [{ sub: "u", subs: { a: { inf: 1 } } }, /unknown claim subs\["a"\] field inf/],
      [
        { sub: "u", subs: { a: { override: { presence: true } } } },
        /override.presence must be \{ value: boolean \}/,
      ],
    ];
    for (const [claims, message] of cases) {
      await rejects(connectionToken(anyClaims(claims), HMAC_SECRET, TTL), message);
    }
    const subCases: [unknown, RegExp][] = [
      [{ sub: "u" }, /subscriptionToken: claim channel must be a non-empty string, got undefined/],
      [{ sub: "u", channel: "" }, /claim channel must be a non-empty string, got an empty string/],
      [{ channel: "c" }, /claim sub must be a string/],
      [{ sub: "u", channel: "c", channels: ["c"] }, /unknown claim channels/],
      [{ sub: "u", channel: "c", override: { presense: { value: true } } }, /field presense/],
      [{ sub: "u", channel: "c", data: 1, b64data: "AA==" }, /data and b64data cannot be/],
    ];
    for (const [claims, message] of subCases) {
      await rejects(subscriptionToken(anyClaims(claims), HMAC_SECRET, TTL), message);
    }
  });

  await t.step("bad options", async () => {
    const token = (options: unknown) =>
      connectionToken({ sub: "u" }, HMAC_SECRET, options as { expiresIn: number });
    await rejects(token({ expiresIn: 0 }), /option expiresIn must be a positive integer/);
    await rejects(token({ expiresIn: 1.5 }), /option expiresIn must be a positive integer/);
    await rejects(token({ expires_in: 5 }), /unknown option expires_in/);
    await rejects(token({ algorithm: "HS512" }), /algorithm must be one of HS256, RS256, ES256/);
    await rejects(token({ keyId: "" }), /option keyId must be a non-empty string/);
    await rejects(token({ userIdClaim: "user.id" }), /option userIdClaim must be a claim name/);
    await rejects(token({ userIdClaim: "exp" }), /userIdClaim cannot be exp/);
    await rejects(
      connectionToken({ sub: "u", exp: nowSec() + 5 }, HMAC_SECRET, { expiresIn: 5 }),
      /either the exp claim or the expiresIn option/,
    );
  });

  await t.step("bad keys, without echoing them", async () => {
    const rsaBody = rsa.pkcs8Pem.split("\n")[1]!;
    const ecBody = ec.pkcs8Pem.split("\n")[1]!;
    const secrets = [HMAC_SECRET, rsaBody, ecBody, String(rsa.jwk.d), String(ec.jwk.d)];
    const sign = (key: unknown, algorithm?: string) =>
      connectionToken({ sub: "u" }, key as TokenKey, {
        ...TTL,
        ...(algorithm ? { algorithm: algorithm as "HS256" } : {}),
      });
    const cases: [Promise<unknown>, RegExp][] = [
      [sign(""), /the HMAC secret is empty/],
      [sign(new Uint8Array()), /the HMAC secret is empty/],
      [sign(42), /key must be a secret .* got number 42/],
      [sign(null), /key must be a secret/],
      [sign(HMAC_SECRET, "RS256"), /RS256 needs a private key .*the key given is a secret/],
      [sign(rsa.pkcs8Pem, "HS256"), /HS256 needs the shared secret, but the key is a PEM block/],
      [sign(rsa.pkcs8Pem, "ES256"), /the key is an RSA private key, which signs RS256, not ES256/],
      [sign(ec.pkcs8Pem, "RS256"), /P-256 EC private key, which signs ES256, not RS256/],
      [sign(rsa.publicPem), /the PEM block is a PUBLIC KEY; tokens are signed with the private/],
      [sign("-----BEGIN PRIVATE KEY-----\nAAAA"), /not a well-formed PEM block/],
      [sign(`${rsa.pkcs8Pem}${ec.pkcs8Pem}`), /more than one key/],
      [
        sign(rsa.pkcs8Pem.replace(rsaBody, rsaBody.slice(0, 10) + "!" + rsaBody.slice(11))),
        /PRIVATE KEY PEM block is not valid base64/,
      ],
      [
        sign(rsa.pkcs8Pem.replace(rsaBody, rsaBody.slice(4))),
        /not a valid DER-encoded key|could not be imported/,
      ],
      [
        sign(pem("ENCRYPTED PRIVATE KEY", new Uint8Array(16))),
        /the PEM private key is encrypted/,
      ],
      [sign({ ...rsa.jwk, d: undefined }), /the JWK is a public key \(no "d"\)/],
      [sign({ ...ec.jwk, crv: "P-384" }), /EC key on curve P-384; ES256 needs P-256/],
      [sign(rsa.jwk, "ES256"), /a JWK of kty RSA, which signs RS256, not ES256/],
      [sign({ ...ec.jwk, d: "AAAA" }), /could not be imported as an ES256 signing key/],
      [sign(ec.privateKey, "HS256"), /ECDSA P-256 CryptoKey, which signs ES256, not HS256/],
    ];
    for (const [promise, message] of cases) await rejects(promise, message, secrets);

    const pair = await crypto.subtle.generateKey(ecParams, false, ["sign", "verify"]);
    await rejects(sign(pair.publicKey), /the CryptoKey is a public key/);
    const p384 = await crypto.subtle.generateKey(
      { name: "ECDSA", namedCurve: "P-384" },
      true,
      ["sign", "verify"],
    );
    await rejects(sign(p384.privateKey), /a CryptoKey for ECDSA P-384 cannot sign tokens/);
    const p384Pem = pem(
      "PRIVATE KEY",
      new Uint8Array(await crypto.subtle.exportKey("pkcs8", p384.privateKey)),
    );
    await rejects(
      sign(p384Pem),
      /the key is EC P-384; tokens are signed with RSA \(RS256\), EC P-256 \(ES256\) or Ed25519/,
    );
    // An Ed448 PKCS#8 key: refused by its OID, before WebCrypto sees it.
    const ed448 = der(
      0x30,
      der(0x02, Uint8Array.of(0)),
      der(0x30, der(0x06, Uint8Array.of(0x2b, 0x65, 0x71))),
      der(0x04, der(0x04, new Uint8Array(57))),
    );
    await rejects(sign(pem("PRIVATE KEY", ed448)), /the key is Ed448; tokens are signed with/);
    await rejects(
      sign(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n",
      ),
      /OpenSSH's own format; convert it to PKCS#8/,
    );
  });

  await t.step("bad Ed25519 keys, without echoing them", async () => {
    const [ed, otherEd] = await Promise.all([keyPair("Ed25519"), keyPair("Ed25519")]);
    const edJwk = ed.jwk as Record<string, unknown>;
    const secrets = [String(edJwk.d), ed.pkcs8Pem.split("\n")[1]!];
    const sign = (key: unknown, algorithm?: string) =>
      connectionToken({ sub: "u" }, key as TokenKey, {
        ...TTL,
        ...(algorithm ? { algorithm: algorithm as "HS256" } : {}),
      });
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => sign({ ...edJwk, crv: "X25519" }), /an OKP key on curve X25519; EdDSA needs Ed25519/],
      [() => sign({ ...edJwk, alg: "ES256" }), /the JWK is for alg ES256, not EdDSA/],
      [() => sign({ ...edJwk, x: undefined }), /the JWK has no "x"/],
      [() => sign({ ...edJwk, d: undefined }), /the JWK is a public key \(no "d"\)/],
      // Deno and Bun would sign with d whatever x says, Node refuses: refused everywhere.
      [
        () => sign({ ...edJwk, x: (otherEd.jwk as Record<string, unknown>).x }),
        /public part \(x, y\) is not that of its private key d|could not be imported as an EdDSA/,
      ],
      [
        () => sign({ ...ec.jwk, x: otherEc.jwk.x, y: otherEc.jwk.y }),
        /public part \(x, y\) is not that of its private key d|could not be imported as an ES256/,
      ],
      [() => sign(ed.pkcs8Pem, "RS256"), /an Ed25519 private key, which signs EdDSA, not RS256/],
      [() => sign(ed.privateKey, "ES256"), /an Ed25519 CryptoKey, which signs EdDSA, not ES256/],
      [
        () => sign(ed.publicPem),
        /the PEM block is a PUBLIC KEY; tokens are signed with the private/,
      ],
    ];
    for (const [make, message] of cases) await rejects(make(), message, secrets);
    // The forms that are right sign EdDSA, the JWK with either alg spelling.
    for (const key of [ed.pkcs8Pem, ed.jwk, { ...edJwk, alg: "Ed25519" }, ed.privateKey]) {
      assert.equal(parts(await sign(key)).header.alg, "EdDSA");
    }
  });

  await t.step("a runtime whose WebCrypto lacks Ed25519 is named in the error", async () => {
    const ed = await keyPair("Ed25519");
    const subtle = crypto.subtle;
    const original = subtle.importKey;
    // What a runtime whose WebCrypto has no Ed25519 answers.
    Object.defineProperty(subtle, "importKey", {
      configurable: true,
      value(format: string, data: unknown, algorithm: { name?: string } | string, ...rest: []) {
        const name = typeof algorithm === "string" ? algorithm : algorithm.name;
        if (name === "Ed25519") {
          return Promise.reject(
            new DOMException("Unrecognized algorithm name", "NotSupportedError"),
          );
        }
        return (original as (...args: unknown[]) => Promise<CryptoKey>).call(
          subtle,
          format,
          data,
          algorithm,
          ...rest,
        );
      },
    });
    try {
      for (const key of [ed.pkcs8Pem, ed.jwk]) {
        const err = await connectionToken({ sub: "u" }, key, TTL).then(() => undefined, (e) => e);
        assert.ok(err instanceof Error && err.name === "NotSupportedError", String(err));
        assert.match(
          err.message,
          new RegExp(
            `connectionToken: the WebCrypto of Deno ${Deno.version.deno} does not support Ed25519`,
          ),
        );
        assert.match(
          err.message,
          /Deno, Node 20 or newer and Bun do, or use an RS256 or ES256 key/,
        );
      }
      // Other algorithms are untouched.
      await connectionToken({ sub: "u" }, ec.pkcs8Pem, TTL);
    } finally {
      delete (subtle as unknown as Record<string, unknown>).importKey;
    }
    assert.equal(crypto.subtle.importKey, original);
  });

  await t.step("every token expires, unless it says never", async () => {
    const never =
      /connectionToken: the token would never expire; give the exp claim or the expiresIn option \(seconds\), or expiresIn: "never"/;
    await rejects(connectionToken({ sub: "u" }, HMAC_SECRET), never);
    // expire_at bounds the connection, not the token: still refused.
    await rejects(connectionToken({ sub: "u", expire_at: nowSec() + 60 }, HMAC_SECRET), never);
    await rejects(
      subscriptionToken({ sub: "u", channel: "$c" }, HMAC_SECRET),
      /subscriptionToken: the token would never expire/,
    );
    await rejects(
      connectionToken({ sub: "u", exp: nowSec() + 60 }, HMAC_SECRET, { expiresIn: "never" }),
      /either the exp claim or the expiresIn option, not both/,
    );
    await rejects(
      connectionToken({ sub: "u" }, HMAC_SECRET, { expiresIn: "forever" as "never" }),
      /option expiresIn must be a positive integer \(seconds\) or "never"/,
    );
    const forever = await connectionToken({ sub: "u" }, HMAC_SECRET, { expiresIn: "never" });
    assert.equal("exp" in JSON.parse(parts(forever).payload), false);
    const explicit = await connectionToken({ sub: "u", exp: 2_000_000_000 }, HMAC_SECRET);
    assert.equal(JSON.parse(parts(explicit).payload).exp, 2_000_000_000);
  });

  await t.step("header, claims and ES256 signature format", async () => {
    const before = nowSec();
    const token = await subscriptionToken(
      { sub: "u", channel: "$c", expire_at: 0, override: { presence: { value: false } } },
      ec.pkcs8Pem,
      { expiresIn: 60, keyId: "key-1" },
    );
    const { header, payload } = parts(token);
    assert.deepEqual(header, { alg: "ES256", typ: "JWT", kid: "key-1" });
    const claims = JSON.parse(payload);
    assert.ok(claims.iat >= before && claims.iat <= nowSec());
    assert.equal(claims.exp, claims.iat + 60);
    assert.equal(claims.expire_at, 0);
    // JWS ES256 is r || s, 32 bytes each.
    assert.equal(fromBase64url(token.split(".")[2]!).length, 64);
    // An explicit iat is kept; undefined claims are left out.
    const fixed = await connectionToken({ sub: "u", iat: 1000, info: undefined }, HMAC_SECRET, {
      expiresIn: "never",
    });
    assert.deepEqual(JSON.parse(parts(fixed).payload), { sub: "u", iat: 1000 });
    // Text around the PEM block (as openssl pkcs12 writes) is skipped, not taken for a secret.
    const withPreamble = `Bag Attributes\n    localKeyID: 01 02\n${ec.pkcs8Pem}`;
    const signed = await connectionToken({ sub: "u" }, withPreamble, TTL);
    assert.equal(parts(signed).header.alg, "ES256");
    // The imported key is not extractable.
    const key = await importTokenKey(rsa.jwk);
    assert.equal(key.extractable, false);
    assert.deepEqual(key.usages, ["sign"]);
  });
});
