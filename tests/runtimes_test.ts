// The same client on Node and Bun: builds the JavaScript JSR would serve
// (npm/), type-checks a Node user's code against its declarations, and runs
// tests/runtimes/suite.mjs on each runtime against real Centrifugo instances
// (plain HTTP, TLS, TLS for another host name, mutual TLS). Then the proxy
// handlers, served on each runtime (tests/runtimes/proxy_server.mjs), answer
// a real Centrifugo's proxies for real clients (tests/_proxy_scenarios.ts).

import assert from "node:assert/strict";
import ts from "npm:typescript@5.9.3";
import { Client } from "@aiocent/aiocent";
import {
  API_KEY,
  HMAC_SECRET,
  SHARED_POLL_SECRET,
  startCentrifugo,
  startMany,
} from "./_centrifugo.ts";
import { type JsonWebKeySet, jwksHandler, sharedPollSignature } from "@aiocent/aiocent/token";
import { ecParams, keyPair, rsaParams } from "./_keys.ts";
import { connectSubscriber } from "./_subscriber.ts";
import { withSdkClients } from "./_sdk_client.ts";
import { makeCerts } from "./_certs.ts";
import { buildNpm, NODE_USER_OPTIONS } from "./runtimes/build_npm.ts";
import { bunBinary, node22Binary, nodeBinary } from "./_tools.ts";
import { proxyConfig, runHostileChecks, runProxyScenarios } from "./_proxy_scenarios.ts";

const root = new URL("../", import.meta.url).pathname;

/**
 * The runtimes to run the suite on: name, command and arguments, and whether
 * it imports the emitted JavaScript (Node, Bun) or the TypeScript source (Deno,
 * as JSR serves it to Deno). The machine's Node must be on PATH; Bun and a
 * second Node (22) are provisioned into the cache (tests/_tools.ts).
 */
async function runtimes(): Promise<
  { name: string; command: string; args: string[]; source: boolean }[]
> {
  const node22 = await node22Binary();
  return [
    { name: "node", command: await nodeBinary(), args: [], source: false },
    { name: "bun", command: await bunBinary(), args: [], source: false },
    { name: "deno", command: Deno.execPath(), args: ["run", "--allow-all"], source: true },
    ...(node22 ? [{ name: "node 22", command: node22, args: [], source: false }] : []),
  ];
}

Deno.test("the emitted declarations type-check for a Node user without Deno types", async () => {
  const npm = await buildNpm();
  const program = ts.createProgram([
    `${root}tests/runtimes/consumer.ts`,
    `${root}tests/runtimes/consumer_proxy.ts`,
  ], {
    ...NODE_USER_OPTIONS,
    skipLibCheck: false,
    noEmit: true,
    baseUrl: root,
    paths: {
      "@aiocent/aiocent": [`${npm}/mod.d.ts`],
      "@aiocent/aiocent/token": [`${npm}/token.d.ts`],
      "@aiocent/aiocent/proxy": [`${npm}/proxy.d.ts`],
      "@aiocent/aiocent/node": [`${npm}/node.d.ts`],
    },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  assert.deepEqual(
    diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    [],
  );
  // The declarations really were the ones checked.
  assert.ok(program.getSourceFiles().some((f) => f.fileName === `${npm}/src/client.d.ts`));
  assert.ok(
    program.getSourceFiles().some((f) => f.fileName === `${npm}/src/_token/endpoints.d.ts`),
  );
  assert.ok(
    program.getSourceFiles().some((f) => f.fileName === `${npm}/src/proxy/handlers.d.ts`),
  );
});

Deno.test("the cross-runtime suite passes on Node, Bun and Deno", async (t) => {
  const npm = await buildNpm();
  const certs = await makeCerts();
  const [rsa, ec, ed] = await Promise.all([
    keyPair(rsaParams),
    keyPair(ecParams),
    keyPair("Ed25519"),
  ]);
  // A JWKS endpoint serving the set the runtime under test derived itself.
  let published: JsonWebKeySet | undefined;
  const jwksServer = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) =>
      published
        ? jwksHandler(published)(request)
        : Promise.resolve(new Response("no set yet", { status: 503 })),
  );
  const jwksConfig = {
    client: {
      token: { jwks_public_endpoint: `http://127.0.0.1:${jwksServer.addr.port}/jwks` },
      allowed_origins: ["*"],
    },
  };
  const sharedPollExpected = await sharedPollSignature(
    { user: "42", channel: "scores:x", keys: ["a", "b"], iat: 1700000000, exp: 1700003600 },
    SHARED_POLL_SECRET,
  );
  let fixedEdToken: string | undefined;
  const tokenKeys = {
    client: {
      token: {
        hmac_secret_key: HMAC_SECRET,
        rsa_public_key: rsa.publicPem,
        ecdsa_public_key: ec.publicPem,
      },
      allowed_origins: ["*"],
    },
  };
  const servers = await startMany(
    [tokenKeys],
    [{}, { ...certs.server, ca: certs.ca }],
    [{}, { ...certs.otherHost, ca: certs.ca }],
    [{}, { ...certs.server, ca: certs.ca, clientCa: certs.ca, client: certs.client }],
    [jwksConfig],
  ).catch(async (err) => {
    await jwksServer.shutdown();
    throw err;
  });
  const [plain, tls, other, mtls, jwksCentrifugo] = servers;
  try {
    for (const { name, command, args, source } of await runtimes()) {
      await t.step(name, async () => {
        const out = await new Deno.Command(command, {
          args: [...args, `${root}tests/runtimes/suite.mjs`],
          env: {
            AIOCENT_MODULE: new URL(source ? `file://${root}mod.ts` : `file://${npm}/mod.js`).href,
            AIOCENT_TOKEN_MODULE:
              new URL(source ? `file://${root}token.ts` : `file://${npm}/token.js`).href,
            AIOCENT_NODE_MODULE:
              new URL(source ? `file://${root}node.ts` : `file://${npm}/node.js`).href,
            ED_PKCS8: ed.pkcs8Pem,
            ED_JWK: JSON.stringify(ed.jwk),
            SHARED_POLL_SECRET,
            SHARED_POLL_EXPECTED: sharedPollExpected,
            AIOCENT_PROXY_MODULE:
              new URL(source ? `file://${root}proxy.ts` : `file://${npm}/proxy.js`).href,
            API_KEY,
            CENTRIFUGO_API: plain!.apiUrl,
            TLS_API: tls!.apiUrl,
            OTHER_API: other!.apiUrl,
            MTLS_API: mtls!.apiUrl,
            CA_PEM: certs.ca,
            CLIENT_CERT: certs.client.cert,
            CLIENT_KEY: certs.client.key,
            HMAC_SECRET,
            RSA_PKCS8: rsa.pkcs8Pem,
            EC_PKCS8: ec.pkcs8Pem,
            EC_JWK: JSON.stringify(ec.jwk),
          },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        console.log(text.trim());
        assert.equal(out.code, 0, `${name} suite failed`);
        assert.match(text, /: [1-9]\d* passed, 0 failed$/m);
        // The tokens signed on that runtime connect to Centrifugo as their user.
        const line = text.split("\n").find((l) => l.startsWith("TOKENS "));
        assert.ok(line, "the suite printed no tokens");
        const tokens = JSON.parse(line.slice("TOKENS ".length));
        for (const kind of ["hs", "rs", "es", "esJwk"]) {
          const sub = await connectSubscriber(plain!.wsUrl, tokens.sub, tokens[kind]);
          try {
            await sub.subscribe("runtime-tokens");
            const { presence } = await new Client(plain!.apiUrl, { apiKey: API_KEY })
              .presence("runtime-tokens");
            assert.equal(presence[sub.clientId]?.user, tokens.sub, `${name} ${kind} token`);
          } finally {
            await sub.close();
          }
        }
        // The EdDSA (and RS256, ES256) tokens signed there connect through the
        // JWKS derived there, as their user; the ring's subscription token
        // opens a private channel.
        const jwksLine = text.split("\n").find((l) => l.startsWith("JWKS "));
        assert.ok(jwksLine, "the suite printed no JWKS");
        const signed = JSON.parse(jwksLine.slice("JWKS ".length));
        published = signed.set;
        for (const kind of ["edPem", "edJwk", "rs", "es", "ring"]) {
          const sub = await connectSubscriber(
            jwksCentrifugo!.wsUrl,
            signed.sub,
            signed.tokens[kind],
          );
          try {
            await sub.subscribe("runtime-jwks");
            const { presence } = await new Client(jwksCentrifugo!.apiUrl, { apiKey: API_KEY })
              .presence("runtime-jwks");
            assert.equal(presence[sub.clientId]?.user, signed.sub, `${name} ${kind} token`);
          } finally {
            await sub.close();
          }
        }
        await withSdkClients(jwksCentrifugo!.wsUrl, async (open) => {
          const client = open({ token: signed.tokens.ring });
          const sub = client.client.newSubscription(signed.channel, {
            token: signed.tokens.channel,
          });
          client.watch(sub);
          sub.subscribe();
          await client.waitFor((e) => e.type === "subscribed", `${name} subscribed with EdDSA`);
        });
        // Ed25519 is deterministic: every runtime signs the same bytes.
        fixedEdToken ??= signed.fixed;
        assert.equal(signed.fixed, fixedEdToken, `${name} signs Ed25519 differently`);
      });
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await jwksServer.shutdown();
  }
});

/**
 * Starts tests/runtimes/proxy_server.mjs on a runtime: the proxy app served
 * as that runtime's users would (node:http + toNodeHandler, Bun.serve,
 * Deno.serve). Resolves with its origin and a stop function.
 */
async function startProxyServer(
  runtime: Awaited<ReturnType<typeof runtimes>>[number],
  npm: string,
): Promise<{ origin: string; output: () => string; stop: () => Promise<void> }> {
  const module = (name: string) =>
    new URL(runtime.source ? `file://${root}${name}.ts` : `file://${npm}/${name}.js`).href;
  const child = new Deno.Command(runtime.command, {
    args: [...runtime.args, `${root}tests/runtimes/proxy_server.mjs`],
    env: {
      AIOCENT_PROXY_MODULE: module("proxy"),
      AIOCENT_NODE_MODULE: module("node"),
      RUNTIME: runtime.name,
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk);
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const stop = async () => {
    await child.stdin.close().catch(() => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await child.status;
    clearTimeout(timer);
    await drained;
  };
  const deadline = Date.now() + 20_000;
  while (!/LISTENING \d+/.test(text)) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${runtime.name}: the proxy server did not start:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const port = text.match(/LISTENING (\d+)/)![1];
  return { origin: `http://127.0.0.1:${port}`, output: () => text, stop };
}

Deno.test("the proxy handlers on Node, Bun and Deno, through a real Centrifugo", async (t) => {
  const npm = await buildNpm();
  for (const runtime of await runtimes()) {
    await t.step(runtime.name, async (t) => {
      const proxy = await startProxyServer(runtime, npm);
      try {
        const server = await startCentrifugo(proxyConfig(proxy.origin));
        try {
          await runProxyScenarios(t, server, proxy.origin, runtime.name);
          await runHostileChecks(t, proxy.origin);
        } finally {
          await server.stop();
        }
      } finally {
        await proxy.stop();
      }
      // The server logged nothing unexpected (onError is the app's, not console).
      assert.doesNotMatch(proxy.output(), /Error|error/, proxy.output());
    });
  }
});
