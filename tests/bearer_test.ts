// The bearerToken option (Centrifugo PRO's JWKS-protected server API): its
// wire shape and its caching, against a fake server (PRO is not available
// here), and that the token never shows.

import assert from "node:assert/strict";
import { inspect } from "node:util";
import { Batch, Client, RequestError } from "@aiocent/aiocent";
import { json, withFake } from "./_fake.ts";

/** An unsigned JWT-shaped token with these claims (the client only reads exp and iat). */
function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) =>
    btoa(JSON.stringify(v)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}
const now = () => Math.floor(Date.now() / 1000);

Deno.test("bearerToken", async (t) => {
  await t.step("a string goes as Authorization: Bearer, and no API key", async () => {
    const answer = (_n: number, seen: { path: string }) =>
      json(seen.path.endsWith("/batch") ? { replies: [{ info: { nodes: [] } }] } : { result: {} });
    await withFake(answer, async (api, seen) => {
      const client = new Client(api, { bearerToken: "static-token-123" });
      await client.info();
      await client.send(new Batch().info());
      for (const one of seen) {
        assert.equal(one.headers.get("authorization"), "Bearer static-token-123");
        assert.equal(one.headers.get("x-api-key"), null);
      }
    });
  });

  await t.step(
    "a function's JWT is reused for half its lifetime, by concurrent calls too",
    async () => {
      let calls = 0;
      const token = jwt({ sub: "backend", iat: now(), exp: now() + 3600 });
      const bearerToken = async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 10));
        return token;
      };
      await withFake(() => json({ result: {} }), async (api, seen) => {
        const client = new Client(api, { bearerToken });
        await Promise.all(Array.from({ length: 5 }, () => client.info()));
        await client.info();
        assert.equal(calls, 1);
        assert.equal(seen.length, 6);
        assert.ok(seen.every((s) => s.headers.get("authorization") === `Bearer ${token}`));
      });
    },
  );

  await t.step("past half its lifetime a JWT is asked for again", async () => {
    let calls = 0;
    // Issued 40 minutes ago, valid for an hour: past its half-life already.
    const bearerToken = () => {
      calls++;
      return jwt({ iat: now() - 2400, exp: now() + 1200, n: calls });
    };
    await withFake(() => json({ result: {} }), async (api, seen) => {
      const client = new Client(api, { bearerToken });
      await client.info();
      await client.info();
      assert.equal(calls, 2);
      assert.notEqual(seen[0]!.headers.get("authorization"), seen[1]!.headers.get("authorization"));
    });
  });

  await t.step("an opaque token is asked for on every request", async () => {
    let calls = 0;
    await withFake(() => json({ result: {} }), async (api, seen) => {
      const client = new Client(api, { bearerToken: () => `opaque-${++calls}` });
      await client.info();
      await client.info();
      assert.deepEqual(seen.map((s) => s.headers.get("authorization")), [
        "Bearer opaque-1",
        "Bearer opaque-2",
      ]);
    });
  });

  await t.step("a failing function: a RequestError, nothing sent, nothing leaked", async () => {
    await withFake(() => json({ result: {} }), async (api, seen) => {
      const secret = "half-minted-token-secret";
      for (
        const bearerToken of [
          () => Promise.reject(new Error(`vault said no for ${secret}`)),
          () => "",
          () => 42 as unknown as string,
        ]
      ) {
        const err = await new Client(api, { bearerToken }).info().catch((e) => e);
        assert.ok(err instanceof RequestError, String(err));
        assert.match(
          err.message,
          /^info: the bearerToken function (failed|returned no usable token)/,
        );
      }
      assert.equal(seen.length, 0);
    });
  });

  await t.step("checked at construction, and never shown", () => {
    assert.throws(
      () => new Client("http://x/api", { apiKey: "k", bearerToken: "t" }),
      /^TypeError: Client: give apiKey or bearerToken, not both$/,
    );
    assert.throws(
      () => new Client("http://x/api", { bearerToken: "t", format: "legacy" }),
      /^TypeError: Client: bearerToken needs the "v6" format$/,
    );
    assert.throws(
      () => new Client("http://x/api", { bearerToken: 5 as unknown as string }),
      /^TypeError: Client: bearerToken must be a non-empty string or a function returning one, got a value of type number$/,
    );
    const client = new Client("http://x/api", { bearerToken: "never-show-this-token" });
    assert.ok(!inspect(client).includes("never-show"));
    assert.ok(!Deno.inspect(client).includes("never-show"));
  });
});
