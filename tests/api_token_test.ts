// Tokens for Centrifugo PRO's JWKS-protected server API. PRO is not available
// here, so their exact shape is checked, and an independent JOSE
// implementation (npm jose) verifies them against the JWK Set jwks()
// publishes, with the audience, issuer and expiry checks PRO makes; the
// scope is read as PRO reads it, a space-separated list. Last, the Client's
// bearerToken option sends them to a fake server that verifies them so.

import assert from "node:assert/strict";
import { createLocalJWKSet, jwtVerify } from "jose";
import { Client } from "@aiocent/aiocent";
import { apiToken, jwks, jwksHandler, KeyRing } from "@aiocent/aiocent/token";
import { json, withFake } from "./_fake.ts";
import { ecParams, keyPair, rsaParams } from "./_keys.ts";

const [rsa, ec, ed] = await Promise.all([
  keyPair(rsaParams),
  keyPair(ecParams),
  keyPair("Ed25519"),
]);
const nowSec = () => Math.floor(Date.now() / 1000);

function decode(token: string): { header: unknown; payload: Record<string, unknown> } {
  const [head = "", body = ""] = token.split(".");
  const json = (part: string) =>
    JSON.parse(new TextDecoder().decode(
      Uint8Array.from(atob(part.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
    ));
  return { header: json(head), payload: json(body) };
}

Deno.test("apiToken: the token PRO's server API verifies with its JWKS", async (t) => {
  const set = await jwks([
    { kid: "api-rsa", key: rsa.pkcs8Pem },
    { kid: "api-ec", key: ec.jwk },
    { kid: "api-ed", key: ed.privateKey },
  ]);
  const keySet = createLocalJWKSet(set as Parameters<typeof createLocalJWKSet>[0]);

  await t.step("header, claims and signature, for RS256, ES256 and EdDSA", async () => {
    for (
      const [kid, alg, key] of [
        ["api-rsa", "RS256", rsa.pkcs8Pem],
        ["api-ec", "ES256", ec.jwk],
        ["api-ed", "EdDSA", ed.pkcs8Pem],
      ] as const
    ) {
      const before = nowSec();
      const token = await apiToken(
        {
          sub: "billing-service",
          aud: "centrifugo-api",
          iss: "https://backend.example",
          scope: ["centrifugo:api", "centrifugo:publish"],
          jti: `jti-${kid}`,
        },
        key,
        { expiresIn: 300, keyId: kid },
      );
      const { header, payload } = decode(token);
      assert.deepEqual(header, { alg, typ: "JWT", kid });
      const { iat, exp, ...rest } = payload as { iat: number; exp: number };
      assert.ok(iat >= before && iat <= nowSec());
      assert.equal(exp, iat + 300);
      assert.deepEqual(rest, {
        sub: "billing-service",
        aud: "centrifugo-api",
        iss: "https://backend.example",
        scope: "centrifugo:api centrifugo:publish",
        jti: `jti-${kid}`,
      });
      // An independent verifier, with the key found by kid in the set.
      const verified = await jwtVerify(token, keySet, {
        audience: "centrifugo-api",
        issuer: "https://backend.example",
        algorithms: [alg],
      });
      assert.equal(verified.protectedHeader.kid, kid);
      assert.deepEqual(String(verified.payload.scope).split(" "), [
        "centrifugo:api",
        "centrifugo:publish",
      ]);
      // It fails for another audience, and for a token changed after signing.
      await assert.rejects(jwtVerify(token, keySet, { audience: "other" }), /aud/);
      const [h, , s] = token.split(".");
      const forged = `${h}.${
        btoa(JSON.stringify({ ...rest, iat, exp: exp + 9999 })).replace(/=+$/, "")
          .replace(/\+/g, "-").replace(/\//g, "_")
      }.${s}`;
      await assert.rejects(jwtVerify(forged, keySet), /signature/);
    }
  });

  await t.step("from a KeyRing: its active key and kid, within its lifetime", async () => {
    const ring = await KeyRing.create([
      { kid: "ring-old", key: rsa.jwk },
      { kid: "ring-new", key: ed.jwk, activeFrom: nowSec() - 10 },
    ], { maxTokenLifetime: 600 });
    const token = await apiToken({ scope: "centrifugo:api" }, ring, { expiresIn: 120 });
    assert.deepEqual(decode(token).header, { alg: "EdDSA", typ: "JWT", kid: "ring-new" });
    const verified = await jwtVerify(token, createLocalJWKSet(ring.jwks() as never));
    assert.equal(verified.payload.scope, "centrifugo:api");
    assert.equal(verified.payload.aud, undefined);
    await assert.rejects(
      apiToken({ scope: "centrifugo:api" }, ring, { expiresIn: 601 }),
      /longer than the KeyRing's maxTokenLifetime/,
    );
    // An expired token is refused by the verifier, as by PRO.
    const expired = await apiToken({ aud: "centrifugo-api", exp: nowSec() - 5 }, ring);
    await assert.rejects(jwtVerify(expired, createLocalJWKSet(ring.jwks() as never)), /exp/);
  });

  await t.step(
    "refused before signing: what PRO could not verify or should not trust",
    async () => {
      const rejects = async (promise: Promise<unknown>, message: RegExp) => {
        const err = await promise.then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof TypeError, `expected a TypeError, got ${String(err)}`);
        assert.match(err.message, message);
        assert.ok(!err.message.includes("hmac-secret-value"));
        assert.ok(!err.message.includes(String(ed.jwk.d)));
      };
      const ok = { aud: "centrifugo-api" };
      const withKid = { expiresIn: 300, keyId: "k" };
      await rejects(
        apiToken(ok, "hmac-secret-value", withKid),
        /signed with an RSA, P-256 or Ed25519 private key: Centrifugo PRO verifies them with the public keys of its JWKS/,
      );
      await rejects(apiToken(ok, ed.jwk, { expiresIn: 300 }), /give the keyId option/);
      await rejects(apiToken(ok, ed.jwk, { keyId: "k" }), /the token would never expire/);
      await rejects(
        apiToken(ok, ed.jwk, { keyId: "k", expiresIn: "never" as unknown as number }),
        /an API token must expire/,
      );
      await rejects(
        apiToken({ sub: "svc" }, ed.jwk, withKid),
        /give an aud or a scope claim \(and require it in http_api.jwks\)/,
      );
      for (const scope of ["two words", "", [], ["ok", "not ok"], [1]]) {
        await rejects(
          apiToken({ scope: scope as string }, ed.jwk, withKid),
          /claim scope must be a scope or a non-empty array of scopes, each printable ASCII without spaces/,
        );
      }
      await rejects(
        apiToken({ ...ok, channel: "x" } as never, ed.jwk, withKid),
        /unknown claim channel; Centrifugo reads only sub, exp, iat, nbf, jti, aud, iss, scope/,
      );
      await rejects(
        apiToken(ok, ed.jwk, { ...withKid, userIdClaim: "uid" } as never),
        /unknown option userIdClaim; known options: algorithm, expiresIn, keyId/,
      );
      await rejects(
        apiToken(ok, ed.jwk, { ...withKid, algorithm: "RS256" }),
        /the key is a JWK of kty OKP, which signs EdDSA, not RS256/,
      );
    },
  );
});

Deno.test("apiToken as the Client's bearerToken, checked by a fake server with jose", async () => {
  const ring = await KeyRing.create([{ kid: "api-1", key: ed.jwk }], { maxTokenLifetime: 600 });
  // The set as the JWKS endpoint would serve it to PRO.
  const served = await (await jwksHandler(ring)(new Request("http://backend/api-jwks"))).json();
  const keySet = createLocalJWKSet(served);
  let signed = 0;
  const verdicts: string[] = [];
  const answer = async (_n: number, seen: { headers: Headers }) => {
    const bearer = seen.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
    try {
      const { payload } = await jwtVerify(bearer ?? "", keySet, { audience: "centrifugo-api" });
      if (!String(payload.scope).split(" ").includes("centrifugo:api")) throw new Error("scope");
      verdicts.push("ok");
      return json({ result: { nodes: [] } });
    } catch {
      verdicts.push("refused");
      return new Response("", { status: 401 });
    }
  };
  await withFake(answer, async (api, seen) => {
    const client = new Client(api, {
      timeout: 5000,
      bearerToken: () => {
        signed++;
        return apiToken({ sub: "billing", aud: "centrifugo-api", scope: "centrifugo:api" }, ring, {
          expiresIn: 300,
        });
      },
    });
    assert.deepEqual(await client.info(), { nodes: [] });
    await client.info();
    assert.deepEqual(verdicts, ["ok", "ok"]);
    assert.equal(signed, 1); // reused for part of its lifetime
    assert.equal(seen[0]!.headers.get("x-api-key"), null);
    // A token for another audience is refused by the same check.
    const other = new Client(api, {
      timeout: 5000,
      bearerToken: () => apiToken({ aud: "elsewhere" }, ring, { expiresIn: 300 }),
    });
    await assert.rejects(other.info(), (err: Error) => /401/.test(err.message));
    assert.deepEqual(verdicts, ["ok", "ok", "refused"]);
    await Promise.all([client.close(), other.close()]);
  });
});
