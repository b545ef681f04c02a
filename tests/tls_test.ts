// TLS options on Deno against real Centrifugo instances serving HTTPS with a
// throwaway CA: default verification, verify: false (per client, no leak),
// caCerts, a certificate for another host, mutual TLS, close(), and the
// guarantees the node:https transport must keep (timeout, abort, redirects,
// keep-alive reuse).

import assert from "node:assert/strict";
import { Client, RequestError, RequestTimeoutError } from "@aiocent/aiocent";
import { API_KEY, type Centrifugo, startCentrifugo, startMany } from "./_centrifugo.ts";
import { makeCerts } from "./_certs.ts";
import { startCountingProxy } from "./_proxy.ts";

const certs = await makeCerts();

/** Asserts a RequestError that says the server's certificate was rejected. */
function certificateRejected(err: unknown): true {
  assert.ok(err instanceof RequestError, `expected RequestError, got ${err}`);
  assert.ok(!(err instanceof RequestTimeoutError));
  assert.match(
    err.message,
    /^info: POST https:\/\/127\.0\.0\.1:\d+\/api\/info failed: TLS certificate rejected/,
  );
  return true;
}

/** Calls that prove a client works: a publish, and the history that has it. */
async function works(client: Client, channel: string) {
  const { offset } = await client.publish(channel, { via: "tls" });
  const history = await client.history(channel, { limit: -1 });
  assert.equal(history.offset, offset);
  assert.deepEqual(history.publications.at(-1)?.data, { via: "tls" });
}

Deno.test("TLS against a real Centrifugo", async (t) => {
  const [server, other] = await startMany(
    [{}, { ...certs.server, ca: certs.ca }],
    [{}, { ...certs.otherHost, ca: certs.ca }],
  ) as [Centrifugo, Centrifugo];
  const clients: Client[] = [];
  const client = (address: string, options: ConstructorParameters<typeof Client>[1] = {}) => {
    const made = new Client(address, { apiKey: API_KEY, timeout: 5000, ...options });
    clients.push(made);
    return made;
  };
  try {
    await t.step("a default client rejects the unknown CA", async () => {
      await assert.rejects(client(server.apiUrl).info(), certificateRejected);
    });

    await t.step("verify: false works, for that client only", async () => {
      await works(client(server.apiUrl, { verify: false }), "tls-insecure");
      // The same process, the same server: a default client still refuses it.
      await assert.rejects(client(server.apiUrl).info(), certificateRejected);
    });

    await t.step("caCerts trusts the CA with verification on", async () => {
      await works(client(server.apiUrl, { caCerts: [certs.ca] }), "tls-ca");
    });

    await t.step("a certificate for another host is rejected unless verify: false", async () => {
      await assert.rejects(
        client(other.apiUrl, { caCerts: [certs.ca] }).info(),
        certificateRejected,
      );
      await assert.rejects(client(other.apiUrl).info(), certificateRejected);
      await works(client(other.apiUrl, { verify: false }), "tls-other-host");
    });

    await t.step("close() releases the client; later calls reject", async () => {
      const closing = new Client(server.apiUrl, { apiKey: API_KEY, caCerts: [certs.ca] });
      await closing.info();
      await closing.close();
      await closing.close();
      await assert.rejects(closing.info(), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.message, "info: the client is closed");
        return true;
      });
    });

    for (
      const [name, options] of [
        ["caCerts (Deno.HttpClient)", { caCerts: [certs.ca] }],
        ["verify: false (node:https agent)", { verify: false }],
      ] as const
    ) {
      await t.step(`sequential calls reuse one connection: ${name}`, async () => {
        const proxy = startCountingProxy(server.port);
        // The certificate names 127.0.0.1, which the proxy's address is too.
        const reuse = client(`https://127.0.0.1:${proxy.port}/api`, options);
        try {
          for (let i = 0; i < 20; i++) await reuse.publish("tls-reuse", { i });
          assert.equal(proxy.connections(), 1);
        } finally {
          await reuse.close();
          await proxy.close();
        }
      });
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([server.stop(), other.stop()]);
  }
});

Deno.test("mutual TLS with a client certificate", async (t) => {
  const server = await startCentrifugo({}, {
    ...certs.server,
    ca: certs.ca,
    clientCa: certs.ca,
    client: certs.client,
  });
  try {
    for (
      const [name, options] of [
        ["caCerts + cert/key", { caCerts: [certs.ca], ...certs.client }],
        ["verify: false + cert/key", { verify: false, ...certs.client }],
      ] as const
    ) {
      await t.step(`a client certificate is accepted: ${name}`, async () => {
        const mtls = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000, ...options });
        try {
          await works(mtls, "mtls");
        } finally {
          await mtls.close();
        }
      });
    }
    await t.step("without a client certificate the handshake fails", async () => {
      const plain = new Client(server.apiUrl, { apiKey: API_KEY, caCerts: [certs.ca] });
      try {
        await assert.rejects(plain.info(), (err: unknown) => {
          assert.ok(err instanceof RequestError);
          assert.equal(err.status, undefined);
          return true;
        });
      } finally {
        await plain.close();
      }
    });
  } finally {
    await server.stop();
  }
});

Deno.test("the node:https transport keeps fetch's guarantees", async (t) => {
  // A TLS fake server for faults Centrifugo cannot produce.
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  let requests = 0;
  const fake = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      cert: certs.server.cert,
      key: certs.server.key,
      onListen() {},
    },
    async (req) => {
      requests++;
      const path = new URL(req.url).pathname;
      await req.body?.cancel();
      if (path.endsWith("/redirect")) {
        return new Response(null, {
          status: 307,
          headers: { location: "https://127.0.0.1:1/api/info" },
        });
      }
      if (path.endsWith("/hang")) await released;
      return new Response('{"result":{}}');
    },
  );
  const api = `https://127.0.0.1:${fake.addr.port}/api`;
  const insecure = new Client(api, { verify: false, timeout: 300 });
  try {
    await t.step("a timeout covers a server that never answers", async () => {
      const started = Date.now();
      await assert.rejects(insecure.call("hang"), (err: unknown) => {
        assert.ok(err instanceof RequestTimeoutError);
        assert.equal(err.timeout, 300);
        assert.match(
          err.message,
          /^hang: POST https:\/\/127\.0\.0\.1:\d+\/api\/hang timed out after 300 ms$/,
        );
        return true;
      });
      assert.ok(Date.now() - started < 3000);
    });

    await t.step("an abort rejects with the signal's reason as cause", async () => {
      const controller = new AbortController();
      const reason = new Error("caller gave up");
      const pending = insecure.call("hang", {}, { signal: controller.signal, timeout: 10_000 });
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(pending, (err: unknown) => {
        assert.ok(err instanceof RequestError && !(err instanceof RequestTimeoutError));
        assert.equal(err.cause, reason);
        return true;
      });
    });

    await t.step("redirects are returned as errors, not followed", async () => {
      const before = requests;
      await assert.rejects(insecure.call("redirect"), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.status, 307);
        return true;
      });
      assert.equal(requests, before + 1);
    });

    await t.step("a normal answer resolves", async () => {
      assert.deepEqual(await insecure.call("ok"), {});
    });
  } finally {
    await insecure.close();
    release();
    await fake.shutdown();
  }
});
