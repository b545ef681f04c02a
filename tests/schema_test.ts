// What comes from the schema: the README's method and option tables agree
// with the code, and the fixes an audit against api.proto asked for, each
// proven where it shows (on the wire, or by a real Centrifugo and client).

import assert from "node:assert/strict";
import { Batch, Client, type ClientInfo, type FetchLike } from "@aiocent/aiocent";
import type { ChannelInfo, Publication } from "@aiocent/aiocent";
import { METHODS } from "../src/_generated/methods.ts";
import { OPTION_NAMES } from "../src/_config.ts";
import { API_KEY, startCentrifugo } from "./_centrifugo.ts";
import { connectSubscriber } from "./_subscriber.ts";

const root = new URL("../", import.meta.url).pathname;

/** The rows of every Markdown table whose header's first cell is `first`. */
function tableRows(markdown: string, first: string): string[][] {
  const lines = markdown.split("\n");
  const rows: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!new RegExp(`^\\| ${first} +\\|`).test(lines[i]!)) continue;
    for (i += 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
      rows.push(lines[i]!.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
    }
  }
  assert.ok(rows.length > 0, `no table starting with "${first}"`);
  return rows;
}

/** A fetch answering `{}` to everything, recording each body. */
function recorder(): { fetch: FetchLike; bodies: string[] } {
  const bodies: string[] = [];
  const fetch: FetchLike = (_input, init) => {
    bodies.push(String(init?.body));
    return Promise.resolve(new Response('{"result":{}}'));
  };
  return { fetch, bodies };
}

Deno.test("the README's tables agree with the code", async (t) => {
  const readme = await Deno.readTextFile(`${root}README.md`);

  await t.step("one row per API method, with its arguments and its options", () => {
    const rows = [...tableRows(readme, "method")]
      .filter((row) => /^`\w+\(/.test(row[0]!) && !/^`(call|send)\(/.test(row[0]!));
    const listed = new Map(rows.map((row) => [row[0]!.match(/^`(\w+)\(/)![1]!, row]));
    const methods = Object.values(METHODS);
    assert.deepEqual([...listed.keys()].sort(), methods.map((m) => m.js).sort());
    for (const m of methods) {
      const [signature] = listed.get(m.js)!;
      for (const arg of m.args) {
        const name = arg.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
        assert.ok(signature!.includes(name), `${m.js}: ${signature} lacks ${name}`);
      }
    }
  });

  await t.step("one row per Client option, and no other", async () => {
    const rows = tableRows(readme, "option");
    const documented = rows.map((row) => row[0]!.replace(/`/g, ""));
    assert.deepEqual(documented, [...OPTION_NAMES]);
    // The interface the README describes has the same members.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["doc", "--json", `${root}src/options.ts`],
      stdout: "piped",
    }).output();
    const doc = JSON.stringify(JSON.parse(new TextDecoder().decode(out.stdout)));
    for (const name of OPTION_NAMES) {
      assert.ok(doc.includes(`"name":"${name}"`), `ClientOptions has no ${name}`);
    }
    assert.ok(!/rejected in this version/.test(readme), "the README still says TLS is rejected");
  });
});

Deno.test("fixes from the audit against api.proto", async (t) => {
  await t.step("unsubscribe needs a channel (an empty one does nothing: see below)", async () => {
    const { fetch, bodies } = recorder();
    await assert.rejects(
      new Client("http://x.invalid/api", { fetch }).unsubscribe("alice", ""),
      /^TypeError: unsubscribe: channel must be a non-empty string, got an empty string$/,
    );
    assert.equal(bodies.length, 0);
  });

  await t.step("disconnect.code is a uint32", async () => {
    const { fetch, bodies } = recorder();
    const client = new Client("http://x.invalid/api", { fetch });
    await assert.rejects(
      client.disconnect("u", { disconnect: { code: 2 ** 32, reason: "r" } }),
      /^TypeError: disconnect: option disconnect must be \{ code: non-negative integer, reason: string \} \(code: number 4294967296\), got a value of type object$/,
    );
    await client.disconnect("u", { disconnect: { code: 2 ** 32 - 1, reason: "r" } });
    assert.equal(JSON.parse(bodies[0]!).disconnect.code, 4294967295);
  });

  await t.step("a BigInt for a uint64 goes to the jsonEncoder", async () => {
    const { fetch, bodies } = recorder();
    const big = 2n ** 60n + 1n;
    // An encoder that writes BigInts as JSON numbers, digit for digit.
    const jsonEncoder = (value: unknown) =>
      JSON.stringify(value, (_k, v) => typeof v === "bigint" ? `@big:${v}` : v)
        .replace(/"@big:(\d+)"/g, "$1");
    const client = new Client("http://x.invalid/api", { fetch, jsonEncoder });
    await client.publish("ch", 1, { version: big });
    await client.history("ch", { since: { offset: big, epoch: "e" } });
    assert.match(bodies[0]!, /"version":1152921504606846977/);
    assert.match(bodies[1]!, /"offset":1152921504606846977/);
    // The default encoder refuses it rather than losing digits.
    await assert.rejects(
      new Client("http://x.invalid/api", { fetch }).publish("ch", 1, { version: big }),
      /^TypeError: publish: the request cannot be encoded as JSON: .*BigInt/,
    );
    // Out of the type's range, refused before encoding.
    await assert.rejects(
      client.publish("ch", 1, { version: 2n ** 64n }),
      /^TypeError: publish: option version must be a non-negative integer, got bigint/,
    );
  });

  await t.step("nested objects refuse unknown keys", async () => {
    const client = new Client("http://x.invalid/api", { fetch: recorder().fetch });
    for (
      const [call, message] of [
        [
          () => client.subscribe("u", "ch", { override: { presense: { value: true } } } as never),
          /^TypeError: subscribe: unknown option override\.presense; known fields of override: presence, join_leave/,
        ],
        [
          () =>
            client.disconnect("u", { disconnect: { code: 4000, reason: "r", extra: 1 } } as never),
          /^TypeError: disconnect: unknown option disconnect\.extra; known fields of disconnect: code, reason$/,
        ],
        [
          () =>
            client.subscribe("u", "ch", {
              recover_since: { offset: 1, epoch: "e", epoc: "x" },
            } as never),
          /^TypeError: subscribe: unknown option recover_since\.epoc; known fields of recover_since: offset, epoch$/,
        ],
      ] as const
    ) await assert.rejects(call(), message);
  });

  await t.step("data and b64data together are refused", async () => {
    const client = new Client("http://x.invalid/api", { fetch: recorder().fetch });
    await assert.rejects(
      client.publish("ch", { a: 1 }, { b64data: "AQ==" }),
      /^TypeError: publish: pass data or b64data, not both$/,
    );
    await assert.rejects(
      client.subscribe("u", "ch", { info: { a: 1 }, b64info: "AQ==" }),
      /^TypeError: subscribe: pass info or b64info, not both$/,
    );
    assert.throws(
      () => new Batch().broadcast(["a"], 1, { b64data: "AQ==" }),
      /^TypeError: broadcast: pass data or b64data, not both$/,
    );
  });

  await t.step("optional fields of results are optional in the types", () => {
    // These compile: Centrifugo omits empty data and zero counts.
    const publication: Publication = { offset: 1 };
    const channel: ChannelInfo = {};
    const info: ClientInfo = { user: "", client: "c" };
    assert.ok(publication && channel && info);
  });
});

Deno.test("the audit's fixes against a real Centrifugo and a real client", async (t) => {
  const server = await startCentrifugo();
  const client = new Client(server.apiUrl, { apiKey: API_KEY, timeout: 5000 });
  try {
    await t.step(
      "an empty unsubscribe channel ends no subscription: why it is refused",
      async () => {
        const erin = await connectSubscriber(server.wsUrl, "erin");
        try {
          await client.subscribe("erin", "all-a");
          await erin.waitFor("subscribed", (e) => e.channel === "all-a");
          // Past the client's check, Centrifugo accepts it and unsubscribes from nothing.
          const raw = await fetch(`${server.apiUrl}/unsubscribe`, {
            method: "POST",
            headers: { "X-API-Key": API_KEY },
            body: JSON.stringify({ user: "erin", channel: "" }),
          });
          assert.deepEqual(await raw.json(), { result: {} });
          await client.unsubscribe("erin", "all-a");
          await erin.waitFor("unsubscribed", (e) => e.channel === "all-a");
          // Only the real unsubscribe ended a subscription.
          assert.deepEqual(
            erin.events.filter((e) => e.type === "unsubscribed").map((e) =>
              e.type === "unsubscribed" && e.channel
            ),
            ["all-a"],
          );
        } finally {
          await erin.close();
        }
      },
    );

    await t.step("a Uint8Array as subscribe's data arrives as that data", async () => {
      const fay = await connectSubscriber(server.wsUrl, "fay");
      try {
        const bytes = new TextEncoder().encode('{"welcome":true}');
        await client.subscribe("fay", "bin-sub", { data: bytes, info: bytes });
        const subscribed = await fay.waitFor("subscribed", (e) => e.channel === "bin-sub");
        assert.deepEqual(subscribed.data, { welcome: true });
        const { presence } = await client.presence("bin-sub");
        assert.deepEqual(presence[fay.clientId]?.chan_info, { welcome: true });
      } finally {
        await fay.close();
      }
    });
  } finally {
    await client.close();
    await server.stop();
  }
});
