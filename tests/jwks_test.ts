// The JWKS and key rotation, proved by a real Centrifugo whose
// client.token.jwks_public_endpoint points at jwksHandler (served here by
// node:http through toNodeHandler): RS256, ES256 and EdDSA tokens from every
// key form connect and subscribe as their user; a key added later is
// accepted without restarting Centrifugo; a key never published is refused;
// a ring rotates by activation time, publishing keys ahead of their use and
// dropping a replaced key once its tokens have expired.

import assert from "node:assert/strict";
import http from "node:http";
import { Client } from "@aiocent/aiocent";
import { toNodeHandler } from "@aiocent/aiocent/node";
import {
  connectionToken,
  jwks,
  jwksHandler,
  KeyRing,
  subscriptionToken,
  type TokenKey,
  type WebHandler,
} from "@aiocent/aiocent/token";
import { API_KEY, startCentrifugo } from "./_centrifugo.ts";
import { ecParams, keyPair, rsaParams } from "./_keys.ts";
import { connectOutcome, withSdkClients } from "./_sdk_client.ts";

const TTL = { expiresIn: 600 } as const;

const [rsa, ec, ed, ed2, stranger] = await Promise.all([
  keyPair(rsaParams),
  keyPair(ecParams),
  keyPair("Ed25519"),
  keyPair("Ed25519"),
  keyPair("Ed25519"),
]);

/** A JWKS endpoint on node:http whose handler the test swaps, counting Centrifugo's GETs. */
async function startJwksServer() {
  let current: WebHandler = () => Promise.resolve(new Response("no set yet", { status: 503 }));
  let gets = 0;
  const server = http.createServer(
    toNodeHandler((request) => {
      if (request.method === "GET") gets++;
      return current(request);
    }) as http.RequestListener,
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    serve(handler: WebHandler) {
      current = handler;
    },
    gets: () => gets,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function header(token: string): Record<string, unknown> {
  const [head = ""] = token.split(".");
  return JSON.parse(atob(head.replace(/-/g, "+").replace(/_/g, "/")));
}

const jwksConfig = (url: string) => ({
  client: { token: { jwks_public_endpoint: url }, allowed_origins: ["*"] },
});

Deno.test("Centrifugo verifies RS256, ES256 and EdDSA tokens through jwksHandler", async (t) => {
  const endpoint = await startJwksServer();
  const server = await startCentrifugo(jwksConfig(endpoint.url));
  const api = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  try {
    const published = [
      { kid: "rsa-pem", key: rsa.pkcs8Pem },
      { kid: "ec-jwk", key: ec.jwk },
      { kid: "ed-pem", key: ed.pkcs8Pem },
      { kid: "ed-pair", key: { privateKey: ed2.privateKey, publicKey: ed2.publicKey } },
      { kid: "ed-public", key: ed.publicPem },
    ];
    endpoint.serve(jwksHandler(await jwks(published)));

    await t.step("every algorithm and key form connects as its user", async () => {
      const cases: [kid: string, alg: string, key: TokenKey][] = [
        ["rsa-pem", "RS256", rsa.pkcs8Pem],
        ["rsa-pem", "RS256", rsa.privateKey],
        ["ec-jwk", "ES256", ec.jwk],
        ["ec-jwk", "ES256", ec.pkcs8Pem],
        ["ed-pem", "EdDSA", ed.pkcs8Pem],
        ["ed-pem", "EdDSA", ed.jwk],
        ["ed-pair", "EdDSA", ed2.privateKey],
        // The same key published under another kid (from its public PEM).
        ["ed-public", "EdDSA", ed.privateKey],
      ];
      await withSdkClients(server.wsUrl, async (open) => {
        const ids = new Map<string, string>();
        for (const [i, [kid, alg, key]] of cases.entries()) {
          const token = await connectionToken({ sub: `user-${i}` }, key, { ...TTL, keyId: kid });
          assert.deepEqual(header(token), { alg, typ: "JWT", kid });
          const client = open({ token });
          const outcome = await connectOutcome(client);
          assert.ok(outcome.connected, `${kid} ${alg}: ${JSON.stringify(outcome)}`);
          ids.set(outcome.client, `user-${i}`);
          const sub = client.client.newSubscription("jwks-who");
          client.watch(sub);
          sub.subscribe();
          await client.waitFor((e) => e.type === "subscribed", "subscribed");
        }
        const { presence } = await api.presence("jwks-who");
        assert.equal(Object.keys(presence).length, cases.length);
        for (const [id, user] of ids) assert.equal(presence[id]?.user, user);
      });
      // The whole set came in one GET: Centrifugo caches every key of it.
      assert.equal(endpoint.gets(), 1);
    });

    await t.step("EdDSA and RS256 subscription tokens open a private channel", async () => {
      await withSdkClients(server.wsUrl, async (open) => {
        const client = open({
          token: await connectionToken({ sub: "sam" }, ed.pkcs8Pem, { ...TTL, keyId: "ed-pem" }),
        });
        const outcome = await connectOutcome(client);
        assert.ok(outcome.connected);
        for (
          const [channel, key, kid] of [["$jwks-ed", ed2.privateKey, "ed-pair"], [
            "$jwks-rs",
            rsa.jwk,
            "rsa-pem",
          ]] as const
        ) {
          const token = await subscriptionToken({ sub: "sam", channel }, key, {
            ...TTL,
            keyId: kid,
          });
          const sub = client.client.newSubscription(channel, { token });
          client.watch(sub);
          sub.subscribe();
          await client.waitFor(
            (e) => e.type === "subscribed" && e.channel === channel,
            `subscribed to ${channel}`,
          );
          const { presence } = await api.presence(channel);
          assert.equal(presence[outcome.client]?.user, "sam");
        }
        // A subscription token whose kid was never published: only the subscription ends.
        const forged = await subscriptionToken({ sub: "sam", channel: "$jwks-x" }, stranger.jwk, {
          ...TTL,
          keyId: "stranger",
        });
        const sub = client.client.newSubscription("$jwks-x", { token: forged });
        client.watch(sub);
        sub.subscribe();
        const ended = await client.waitFor((e) => e.type === "unsubscribed", "unsubscribed");
        assert.deepEqual(ended, {
          type: "unsubscribed",
          channel: "$jwks-x",
          code: 103,
          reason: "permission denied",
        });
        assert.equal(client.ofType("disconnected").length, 0);
      });
    });

    await t.step("a key never published, a token without kid, a forged kid: refused", async () => {
      const refused: [string, string][] = [
        [
          "never published",
          await connectionToken({ sub: "eve" }, stranger.pkcs8Pem, { ...TTL, keyId: "stranger" }),
        ],
        ["no kid", await connectionToken({ sub: "eve" }, ed.pkcs8Pem, TTL)],
        [
          "another key under a published kid",
          await connectionToken({ sub: "eve" }, stranger.pkcs8Pem, { ...TTL, keyId: "ed-pem" }),
        ],
        [
          "an RS256 token under an EdDSA kid",
          await connectionToken({ sub: "eve" }, rsa.pkcs8Pem, { ...TTL, keyId: "ed-pem" }),
        ],
      ];
      await withSdkClients(server.wsUrl, async (open) => {
        for (const [label, token] of refused) {
          const outcome = await connectOutcome(open({ token }));
          assert.deepEqual(
            outcome,
            { connected: false, code: 3500, reason: "invalid token" },
            label,
          );
        }
      });
    });

    await t.step("a key added to the set later is accepted without a restart", async () => {
      const before = endpoint.gets();
      const token = await connectionToken({ sub: "late" }, stranger.pkcs8Pem, {
        ...TTL,
        keyId: "late-key",
      });
      await withSdkClients(server.wsUrl, async (open) => {
        const refused = await connectOutcome(open({ token }));
        assert.deepEqual(refused, { connected: false, code: 3500, reason: "invalid token" });
        endpoint.serve(
          jwksHandler(await jwks([...published, { kid: "late-key", key: stranger.pkcs8Pem }])),
        );
        const accepted = await connectOutcome(open({ token }));
        assert.ok(accepted.connected, JSON.stringify(accepted));
      });
      // One GET per unknown kid (Centrifugo keeps no negative cache).
      assert.equal(endpoint.gets(), before + 2);
    });
  } finally {
    await server.stop();
    await endpoint.close();
  }
});

Deno.test("a KeyRing rotates by activation time, seen by a real Centrifugo", async (t) => {
  const endpoint = await startJwksServer();
  let shift = 0; // seconds the ring's clock is ahead of the wall clock
  const now = () => Date.now() + shift * 1000;
  const start = Math.floor(Date.now() / 1000);
  const lifetime = 600;
  const ring = await KeyRing.create([
    { kid: "ring-a", key: rsa.pkcs8Pem },
    { kid: "ring-b", key: ed.pkcs8Pem, activeFrom: start + 3600 },
  ], { maxTokenLifetime: lifetime, grace: 0, now });
  endpoint.serve(jwksHandler(ring, { maxAge: 60 }));
  let server = await startCentrifugo(jwksConfig(endpoint.url));
  const kids = async () => {
    const res = await fetch(endpoint.url);
    assert.equal(res.headers.get("cache-control"), "public, max-age=60");
    return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  };
  const connects = async (token: string) => {
    let outcome: Awaited<ReturnType<typeof connectOutcome>> | undefined;
    await withSdkClients(server.wsUrl, async (open) => {
      outcome = await connectOutcome(open({ token }));
    });
    return outcome!;
  };
  try {
    let oldToken = "";
    await t.step("the next key is published ahead; the active one signs", async () => {
      assert.deepEqual(await kids(), ["ring-a", "ring-b"]);
      assert.equal(ring.current().kid, "ring-a");
      oldToken = await connectionToken({ sub: "u-a" }, ring, TTL);
      assert.deepEqual(header(oldToken), { alg: "RS256", typ: "JWT", kid: "ring-a" });
      assert.ok((await connects(oldToken)).connected);
      assert.equal(endpoint.gets() >= 2, true); // our fetch plus Centrifugo's
    });

    await t.step(
      "once it activates, the next key signs, known to Centrifugo in advance",
      async () => {
        shift = 3601;
        assert.equal(ring.current().kid, "ring-b");
        const before = endpoint.gets();
        const token = await connectionToken({ sub: "u-b" }, ring, TTL);
        assert.deepEqual(header(token), { alg: "EdDSA", typ: "JWT", kid: "ring-b" });
        assert.ok((await connects(token)).connected);
        // No fetch: Centrifugo cached ring-b with ring-a's set, before its use.
        assert.equal(endpoint.gets(), before);
        // The replaced key stays published while its tokens may live, and they connect.
        assert.deepEqual(await kids(), ["ring-a", "ring-b"]);
        assert.ok((await connects(oldToken)).connected);
      },
    );

    await t.step("the replaced key is dropped once its tokens have expired", async () => {
      shift = 3600 + lifetime + 1;
      assert.deepEqual(await kids(), ["ring-b"]);
      // A running Centrifugo keeps a fetched key for an hour of its own: the
      // dropped key's tokens still connect there...
      assert.ok((await connects(oldToken)).connected);
      // ...but a new one (or a restart) knows only the published set.
      server = await server.restart("SIGTERM");
      const aToken = await connectionToken({ sub: "u-a2" }, rsa.pkcs8Pem, {
        ...TTL,
        keyId: "ring-a",
      });
      assert.deepEqual(await connects(aToken), {
        connected: false,
        code: 3500,
        reason: "invalid token",
      });
      assert.ok((await connects(await connectionToken({ sub: "u-b2" }, ring, TTL))).connected);
    });

    await t.step("a key added to the running ring is published, then signs", async () => {
      const activeFrom = new Date(now() + 60_000);
      await ring.add({ kid: "ring-c", key: ec.jwk, activeFrom });
      assert.deepEqual(await kids(), ["ring-b", "ring-c"]);
      assert.equal(ring.current().kid, "ring-b");
      shift += 61;
      assert.deepEqual(ring.current(), { kid: "ring-c", alg: "ES256", activeFrom });
      const token = await connectionToken({ sub: "u-c" }, ring, TTL);
      assert.equal(header(token).kid, "ring-c");
      const before = endpoint.gets();
      assert.ok((await connects(token)).connected);
      assert.equal(endpoint.gets(), before + 1); // this Centrifugo had not seen ring-c yet
    });

    await t.step("tokens from a ring cannot outlive what it publishes", async () => {
      await assert.rejects(
        connectionToken({ sub: "u" }, ring, { expiresIn: lifetime + 1 }),
        /would live 601 s, longer than the KeyRing's maxTokenLifetime \(600 s\)/,
      );
      await assert.rejects(
        connectionToken({ sub: "u" }, ring, { expiresIn: "never" }),
        /expire within its maxTokenLifetime \(600 s\), not "never"/,
      );
      await assert.rejects(
        connectionToken({ sub: "u" }, ring, { ...TTL, keyId: "x" }),
        /a KeyRing writes the kid of its active key/,
      );
      await assert.rejects(
        connectionToken({ sub: "u" }, ring, { ...TTL, algorithm: "RS256" }),
        /the KeyRing's active key \(ring-c\) signs ES256, not RS256/,
      );
    });
  } finally {
    await server.stop();
    await endpoint.close();
  }
});

Deno.test("jwks, jwksHandler and KeyRing refuse what Centrifugo could not use", async (t) => {
  const rejects = async (promise: Promise<unknown>, message: RegExp) => {
    const err = await promise.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`);
    assert.match(err.message, message);
    for (const secret of [String(ed.jwk.d), ed.pkcs8Pem.split("\n")[1]!, "hmac-secret"]) {
      assert.ok(!err.message.includes(secret), `message leaks key material: ${err.message}`);
    }
  };
  const nonExtractable = await crypto.subtle.generateKey("Ed25519", false, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;

  await t.step("the set holds public keys only, with kid, use and alg", async () => {
    const set = await jwks([
      { kid: "r", key: rsa.jwk },
      { kid: "e", key: ec.privateKey },
      { kid: "d", key: ed.jwk },
    ]);
    assert.deepEqual(set.keys.map((k) => Object.keys(k).sort()), [
      ["alg", "e", "kid", "kty", "n", "use"],
      ["alg", "crv", "kid", "kty", "use", "x", "y"],
      ["alg", "crv", "kid", "kty", "use", "x"],
    ]);
    assert.deepEqual(set.keys.map(({ kty, alg, use }) => [kty, alg, use]), [
      ["RSA", "RS256", "sig"],
      ["EC", "ES256", "sig"],
      ["OKP", "EdDSA", "sig"],
    ]);
    // The published halves verify what the private halves sign.
    const token = await connectionToken({ sub: "v" }, ed.pkcs8Pem, { ...TTL, keyId: "d" });
    const [head, body, signature] = token.split(".") as [string, string, string];
    const publicKey = await crypto.subtle.importKey("jwk", set.keys[2]!, "Ed25519", false, [
      "verify",
    ]);
    const bytes = (s: string) =>
      Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    assert.ok(
      await crypto.subtle.verify(
        "Ed25519",
        publicKey,
        bytes(signature),
        new TextEncoder().encode(`${head}.${body}`),
      ),
    );
  });

  await t.step("bad keys and kids", async () => {
    await rejects(jwks([{ kid: "h", key: "hmac-secret" }]), /an HS256 secret has no public half/);
    await rejects(
      jwks([{ kid: "n", key: nonExtractable.privateKey }]),
      /non-extractable private CryptoKey cannot be derived; pass the CryptoKeyPair/,
    );
    await rejects(jwks([{ kid: "", key: ed.jwk }]), /kid must be a non-empty string/);
    await rejects(
      jwks([{ kid: "a", key: ed.jwk }, { kid: "a", key: ec.jwk }]),
      /the kid a is given twice/,
    );
    await rejects(
      jwks([{ kid: "a", key: { ...ed.jwk, crv: "Ed448" } }]),
      /jwks \(kid a\): the JWK is an OKP key on curve Ed448/,
    );
    await rejects(
      KeyRing.create([{ kid: "h", key: "hmac-secret" }], { maxTokenLifetime: 60 }),
      /a KeyRing holds RSA, P-256 or Ed25519 private keys, not HMAC secrets/,
    );
    await rejects(
      KeyRing.create([{ kid: "p", key: ed.publicPem }], { maxTokenLifetime: 60 }),
      /PUBLIC KEY; tokens are signed with the private key/,
    );
    await rejects(
      KeyRing.create([{ kid: "a", key: ed.jwk }, { kid: "b", key: ec.jwk }], {
        maxTokenLifetime: 60,
      }),
      /keys a and b activate at the same time/,
    );
    await rejects(
      KeyRing.create([{ kid: "a", key: ed.jwk, activeFrom: Date.now() }], { maxTokenLifetime: 60 }),
      /activeFrom must be Unix time in seconds, not milliseconds/,
    );
    await rejects(
      KeyRing.create([{ kid: "a", key: ed.jwk }], { maxTokenLifetime: 0 }),
      /maxTokenLifetime must be a positive integer/,
    );
    const ring = await KeyRing.create([{ kid: "a", key: nonExtractable }], {
      maxTokenLifetime: 60,
    });
    await rejects(ring.add({ kid: "a", key: ed.jwk, activeFrom: 1 }), /the kid a is taken/);
    const future = await KeyRing.create([{
      kid: "f",
      key: ed.jwk,
      activeFrom: Date.now() / 1000 + 3600,
    }], { maxTokenLifetime: 60 });
    assert.deepEqual(future.jwks().keys.map((k) => k.kid), ["f"]);
    await assert.rejects(
      connectionToken({ sub: "u" }, future, { expiresIn: 30 }),
      /no key of the ring is active yet; the first activates at 20\d\d-/,
    );
  });

  await t.step(
    "jwksHandler: GET and HEAD, a 405 otherwise, and only well-formed sets",
    async () => {
      const set = await jwks([{ kid: "d", key: ed.jwk }]);
      const handler = jwksHandler(set);
      const get = await handler(new Request("http://x/jwks"));
      assert.equal(get.status, 200);
      assert.equal(get.headers.get("content-type"), "application/json");
      assert.equal(get.headers.get("cache-control"), "public, max-age=300");
      assert.deepEqual(await get.json(), set);
      const head = await handler(new Request("http://x/jwks", { method: "HEAD" }));
      assert.equal(head.status, 200);
      assert.equal(await head.text(), "");
      const post = await handler(new Request("http://x/jwks", { method: "POST", body: "{}" }));
      assert.equal(post.status, 405);
      assert.equal(post.headers.get("allow"), "GET, HEAD");
      await post.body?.cancel();

      const one = set.keys[0]!;
      const bad: [unknown, RegExp][] = [
        [{ keys: [] }, /the set has no keys/],
        [
          { keys: [{ ...one, d: ed.jwk.d }] },
          /holds the private member d; publish public keys only/,
        ],
        [{ keys: [{ ...one, use: undefined }] }, /needs use "sig"/],
        [{ keys: [{ ...one, alg: "ES256" }] }, /a OKP key verifies EdDSA/],
        [{ keys: [{ ...one, kty: "AKP" }] }, /has kty AKP; RSA, EC and OKP are published/],
        [{ keys: [one, one] }, /the kid d is given twice/],
        [{ keys: [{ ...one, x: "not base64url!" }] }, /has no valid x/],
        [[one], /source must be a KeyRing or a JWK Set/],
      ];
      for (const [source, message] of bad) {
        assert.throws(() => jwksHandler(source as never), (err: Error) => {
          assert.ok(err instanceof TypeError);
          assert.match(err.message, message);
          assert.ok(!err.message.includes(String(ed.jwk.d)));
          return true;
        });
      }
      assert.throws(
        () => jwksHandler(set, { maxAge: -1 }),
        /maxAge must be a non-negative integer/,
      );
    },
  );

  await t.step("a ring shows no key material", async () => {
    const ring = await KeyRing.create([{ kid: "a", key: ed.pkcs8Pem }], { maxTokenLifetime: 60 });
    const shown = `${Deno.inspect(ring, { depth: 10, showHidden: true })} ${JSON.stringify(ring)}`;
    assert.ok(!shown.includes(String(ed.jwk.d)), shown);
    assert.ok(!shown.includes(ed.pkcs8Pem.split("\n")[1]!), shown);
  });
});
