// The same client on Node and Bun: builds the JavaScript JSR would serve
// (npm/), type-checks a Node user's code against its declarations, and runs
// tests/runtimes/suite.mjs on each runtime against real Centrifugo instances
// (plain HTTP, TLS, TLS for another host name, mutual TLS).

import assert from "node:assert/strict";
import ts from "npm:typescript@5.9.3";
import { Client } from "@aiocent/aiocent";
import { API_KEY, HMAC_SECRET, startMany } from "./_centrifugo.ts";
import { ecParams, keyPair, rsaParams } from "./_keys.ts";
import { connectSubscriber } from "./_subscriber.ts";
import { makeCerts } from "./_certs.ts";
import { buildNpm, NODE_USER_OPTIONS } from "./runtimes/build_npm.ts";
import { bunBinary, node22Binary, nodeBinary } from "./_tools.ts";

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
  const program = ts.createProgram([`${root}tests/runtimes/consumer.ts`], {
    ...NODE_USER_OPTIONS,
    skipLibCheck: false,
    noEmit: true,
    baseUrl: root,
    paths: { "@aiocent/aiocent": [`${npm}/mod.d.ts`] },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  assert.deepEqual(
    diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    [],
  );
  // The declarations really were the ones checked.
  assert.ok(program.getSourceFiles().some((f) => f.fileName === `${npm}/src/client.d.ts`));
});

Deno.test("the cross-runtime suite passes on Node, Bun and Deno", async (t) => {
  const npm = await buildNpm();
  const certs = await makeCerts();
  const [rsa, ec] = await Promise.all([keyPair(rsaParams), keyPair(ecParams)]);
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
  );
  const [plain, tls, other, mtls] = servers;
  try {
    for (const { name, command, args, source } of await runtimes()) {
      await t.step(name, async () => {
        const out = await new Deno.Command(command, {
          args: [...args, `${root}tests/runtimes/suite.mjs`],
          env: {
            AIOCENT_MODULE: new URL(source ? `file://${root}mod.ts` : `file://${npm}/mod.js`).href,
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
      });
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});
