// The Node and Bun contenders, run by bench/main.ts in a fresh process per
// measurement (the same file on both runtimes):
//
//   node bench/node_runner.mjs '<RunnerConfig JSON>'
//   bun  bench/node_runner.mjs '<RunnerConfig JSON>'
//
// impl "client": this library as JavaScript (npm/mod.js from buildNpm(), copied
//                to config.module by bench/main.ts), one publish per call.
// impl "fetch":  the identical request with the runtime's fetch, the client's ceiling
//                ("fetch:signal,headers,…": variants, see fetchSender in _measure.js).
// impl "centjs": the cent.js package (config.centjs), Node only in the report.
// impl "http":   the identical request over node:http with a keep-alive agent, no fetch
//                (on Node the client itself sends over node:http); "http:timer" adds the
//                timeout a careful user writes: a timer per request, cleared at the end.
// impl "transport": the client's node:http transport alone (src/_transport/node.js of the
//                same build) with the client's 10 s deadline, the answer parsed here: what
//                the client costs on Node apart from its layers above the transport.
// Modes "throughput", "interleave" (several impls taking turns in this process,
// bench/interleave.ts), "memory" (the RSS over N publishes) and "timers" (what an
// AbortSignal.timeout costs to make and to fire). Prints one JSON
// line with the result.

import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import {
  channelOf,
  fetchSender,
  interleave,
  measure,
  memoryCurve,
  timeoutSignalCost,
} from "./_measure.js";

const config = JSON.parse(process.argv[2] ?? "{}");
const { url, apiKey, publication } = config;
const TIMEOUT_MS = 10_000;

/**
 * The sender of one implementation (see the header); each call makes a new instance.
 * @param {string} impl
 * @returns {Promise<(i: number) => Promise<unknown>>}
 */
async function sender(impl = config.impl) {
  if (impl === "client") {
    const { Client } = await import(pathToFileURL(config.module).href);
    const client = new Client(url, { apiKey, timeout: TIMEOUT_MS });
    return (i) => client.publish(channelOf(publication, i), publication.data);
  }
  if (impl.startsWith("fetch")) return fetchSender({ ...config, impl });
  if (impl === "http" || impl === "http:timer") return httpSender(impl === "http:timer");
  if (impl === "transport") return transportSender();
  if (impl === "centjs") {
    // cent.js is CommonJS; load it from its cache folder outside the repository.
    const require = createRequire(pathToFileURL(`${config.centjs}/`).href);
    const { CentClient } = require(config.centjs);
    const client = new CentClient({ url, apiKey, timeout: TIMEOUT_MS });
    return (i) => client.publish({ channel: channelOf(publication, i), data: publication.data });
  }
  throw new Error(`unknown impl ${impl}`);
}

/**
 * The identical request over node:http with a keep-alive agent (no fetch),
 * reading the body as text and parsing it; with `timer`, a 10 s timeout that
 * destroys the request, cleared when the answer is read or the request fails.
 * Written as a careful user writes it, and as the web part's Node baseline
 * is (bench/web_server_node.mjs): the options as a plain object made once, the
 * body's length in the headers. A URL object instead would be converted by
 * node:http on every request, a cost no careful user pays (see
 * bench/analysis.md).
 * @param {boolean} timer
 * @returns {Promise<(i: number) => Promise<unknown>>}
 */
async function httpSender(timer) {
  const http = await import("node:http");
  const { Buffer } = await import("node:buffer");
  const agent = new http.Agent({ keepAlive: true });
  const target = new URL(`${url}/publish`);
  const options = {
    hostname: target.hostname,
    port: target.port,
    path: target.pathname,
    method: "POST",
    agent,
  };
  return (i) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ channel: channelOf(publication, i), data: publication.data });
      /** @type {ReturnType<typeof setTimeout> | undefined} */
      let timeout;
      const settle = (/** @type {() => void} */ then) => {
        if (timeout !== undefined) clearTimeout(timeout);
        then();
      };
      const headers = {
        "content-type": "application/json",
        "x-api-key": apiKey,
        "content-length": Buffer.byteLength(body),
      };
      const request = http.request({ ...options, headers }, (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("error", (err) => settle(() => reject(err)));
        response.on("end", () =>
          settle(() => {
            try {
              resolve(resultOf(response.statusCode, text));
            } catch (err) {
              reject(err);
            }
          }));
      });
      if (timer) {
        timeout = setTimeout(() => request.destroy(new Error("timeout")), TIMEOUT_MS);
      }
      request.on("error", (err) => settle(() => reject(err)));
      request.end(body);
    });
}

/**
 * The client's own transport on Node, without the client: the same request
 * through `nodeSender` of the build in config.module, due in 10 s, its answer
 * parsed and checked as the raw requests' are.
 * @returns {Promise<(i: number) => Promise<unknown>>}
 */
async function transportSender() {
  const { nodeSender } = await import(
    new URL("src/_transport/node.js", pathToFileURL(config.module)).href
  );
  const { timed } = nodeSender(1 << 20);
  const target = `${url}/publish`;
  // The headers as the client sends them (it lower-cases them through `Headers`).
  const headers = { "content-type": "application/json", "x-api-key": apiKey };
  return async (i) => {
    const body = JSON.stringify({ channel: channelOf(publication, i), data: publication.data });
    const answer = await timed(target, headers, body, undefined, performance.now() + TIMEOUT_MS);
    return resultOf(answer.status, answer.body);
  };
}

/**
 * The result of Centrifugo's answer, as every raw request here reads it:
 * parsed, with the status and Centrifugo's `error` checked.
 * @param {number | undefined} status
 * @param {string} text
 * @returns {unknown}
 */
function resultOf(status, text) {
  const reply = JSON.parse(text);
  if (status !== 200 || reply.error) {
    throw new Error(`HTTP ${status} ${JSON.stringify(reply.error)}`);
  }
  return reply.result;
}

if (config.mode === "memory") {
  const { memoryUsage } = await import("node:process");
  console.log(JSON.stringify(await memoryCurve(await sender(), config, () => memoryUsage())));
} else if (config.mode === "throughput") {
  const result = await measure(await sender(), config, (path, text) => writeFile(path, text));
  console.log(JSON.stringify(result));
} else if (config.mode === "interleave") {
  const senders = new Map();
  for (const { name, impl } of config.variants) senders.set(name, await sender(impl));
  console.log(JSON.stringify(await interleave(senders, config)));
} else if (config.mode === "timers") {
  console.log(JSON.stringify(await timeoutSignalCost()));
} else throw new Error(`node_runner: unsupported mode ${config.mode}`);
