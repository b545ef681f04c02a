// What the client's own code costs per call, warm and cold, on a runtime whose
// client sends over fetch (Deno, Bun): the network taken out. fetch is
// replaced by one that answers at once as Centrifugo does, and four ways of
// publishing take turns in this process, with (or without) `evict` bytes of
// memory touched between calls, which pushes the last call's code and data
// out of the processor's caches as a real request's I/O, the runtime's HTTP
// machinery and the server beside it do:
//
//   by hand          the client's request written by hand (redirect "manual",
//                    the length read, text then JSON.parse), no signal: the
//                    bench's own fetchSender, "fetch:manual,text,length"
//   in one function  what the client does besides that, written in one
//                    function with the library's own parts: the arguments
//                    checked (buildParams), the strict encoder, the status and
//                    the length checked, the result decoded (decodeResult)
//   client untimed   the client with `timeout: Infinity` (no signal)
//   client           the client as configured by default (a 10 s timeout)
//
// Each variant runs `calls` sequential publishes per round, in an order that
// alternates between rounds; the median µs per call over the rounds (the first
// two are warm-up) is printed, with its difference from "by hand". Where "in one
// function" costs what "by hand" costs and the client more, the client's extra
// cost is its structure (how many functions and objects a call passes through),
// not the work it does. bench/analysis.md gives the figures.
//
//   deno run --allow-all bench/cold_path.mjs                        # the source (mod.ts)
//   deno eval 'import { buildNpm } from "./tests/runtimes/build_npm.ts"; await buildNpm();'
//   bun bench/cold_path.mjs npm                                     # the npm build
//
// Options after the library directory: `evict=<bytes>[,<bytes>…]` (default
// 0,1048576), `rounds=<n>` (default 24), `calls=<n>` (default 10000).

import { channelOf, fetchSender } from "./_measure.js";

const [dirArg, ...rest] = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const settings = Object.fromEntries(rest.map((arg) => arg.split("=")));
const base = new URL(`${dirArg ?? "."}/`, `file://${globalThis.Deno?.cwd() ?? process.cwd()}/`);
// The source has .ts files beside mod.ts; the npm build has .js ones.
const ext = dirArg === undefined || dirArg === "." ? "ts" : "js";
const lib = (/** @type {string} */ path) => import(new URL(`${path}.${ext}`, base).href);

const ANSWER = '{"result":{}}';
globalThis.fetch = () =>
  Promise.resolve(
    new Response(ANSWER, {
      status: 200,
      headers: { "content-type": "application/json", "content-length": String(ANSWER.length) },
    }),
  );

const { Client } = await lib("mod");
const { buildParams } = await lib("src/_params");
const { strictStringify } = await lib("src/_json");
const { decodeResult } = await lib("src/_results");
const { METHODS } = await lib("src/_generated/methods");

const url = "http://127.0.0.1:9/api";
const target = `${url}/publish`;
const apiKey = "bench-key";
/** @type {import("./_measure.js").Publication} */
const publication = { prefix: "bench_", channels: 100, data: { input: "test" } };
const { data } = publication;
const headers = Object.freeze({ "content-type": "application/json", "x-api-key": apiKey });
const channel = (/** @type {number} */ i) => channelOf(publication, i);
// The bench's own raw request with the client's parts, as the ablation measures it.
const byHand = fetchSender(
  /** @type {import("./_measure.js").RunnerConfig} */ ({
    url,
    apiKey,
    publication,
    impl: "fetch:manual,text,length",
  }),
);

/** @param {number} i */
async function inOneFunction(i) {
  const params = buildParams(METHODS.publish, [channel(i), data], undefined, true);
  const body = strictStringify(params);
  const response = await fetch(target, { method: "POST", headers, body, redirect: "manual" });
  if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`);
  const declared = response.headers.get("content-length");
  if (declared === null || Number(declared) > 10_000_000) throw new Error("no length");
  const reply = JSON.parse(await response.text());
  if (reply.error) throw new Error("API error");
  return decodeResult("publish", params, reply.result);
}

const untimed = new Client(url, { apiKey, timeout: Infinity });
const timed = new Client(url, { apiKey });
/** @type {{ name: string, send: (i: number) => Promise<unknown> }[]} */
const variants = [
  { name: "by hand", send: byHand },
  { name: "in one function", send: inOneFunction },
  { name: "client untimed", send: (i) => untimed.publish(channel(i), data) },
  { name: "client", send: (i) => timed.publish(channel(i), data) },
];

const rounds = Number(settings.rounds ?? 24);
const calls = Number(settings.calls ?? 10_000);
let sink = 0;
for (const evict of String(settings.evict ?? "0,1048576").split(",").map(Number)) {
  const junk = new Int32Array(Math.max(1, evict / 4));
  /** @type {number[][]} */
  const times = variants.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = variants.map((_, k) => k);
    if (round % 2 === 1) order.reverse();
    for (const k of order) {
      const { send } = /** @type {(typeof variants)[number]} */ (variants[k]);
      let evicting = 0;
      const start = performance.now();
      for (let i = 0; i < calls; i++) {
        await send(i);
        if (evict > 0) {
          const from = performance.now();
          // One touch per 64-byte line.
          for (let j = 0; j < junk.length; j += 16) sink += junk[j]++;
          evicting += performance.now() - from;
        }
      }
      const us = ((performance.now() - start - evicting) * 1000) / calls;
      if (round >= 2) /** @type {number[]} */ (times[k]).push(us);
    }
  }
  const median = (/** @type {number[]} */ xs) =>
    xs.toSorted((a, b) => a - b)[xs.length >> 1] ?? NaN;
  const medians = times.map(median);
  const hand = /** @type {number} */ (medians[0]);
  console.log(`evict ${evict} bytes between calls (µs per call, median of ${rounds - 2} rounds):`);
  variants.forEach((v, k) => {
    const us = /** @type {number} */ (medians[k]);
    console.log(
      `  ${v.name.padEnd(16)} ${us.toFixed(2).padStart(6)}  ${
        (us - hand >= 0 ? "+" : "") + (us - hand).toFixed(2)
      }`,
    );
  });
}
if (sink === -1) console.log("");
await timed.close();
await untimed.close();
