// The Deno contenders, run by bench/main.ts in a fresh process per measurement:
//
//   deno run --allow-net=127.0.0.1 --allow-write bench/deno_client.ts '<RunnerConfig JSON>'
//
// impl "client": this library (a snapshot of ../mod.ts), one publish per call.
// impl "autobatch": this library with `autoBatch: true`.
// impl "untimed": this library with `timeout: Infinity` (no deadline, no signal).
// impl "fetch":  the identical request with the runtime's fetch, the client's ceiling
//                ("fetch:signal,headers,…": variants, see fetchSender in _measure.js).
// Modes: "throughput" (bench/_measure.js), "interleave" (several impls taking
// turns in this process, bench/interleave.ts), "shape" (N channels sequentially, in
// one batch, in one broadcast), "memory" (RSS while publishing N times) and
// "timers" (what an AbortSignal.timeout costs to make and to fire).
// Prints one JSON line with the result (or writes it to config.resultFile).

import {
  channelOf,
  drive,
  fetchSender,
  interleave,
  measure,
  memoryCurve,
  type RunnerConfig,
  timeoutSignalCost,
} from "./_measure.js";

const config = JSON.parse(Deno.args[0] ?? "{}") as RunnerConfig;
// bench/main.ts passes a snapshot of mod.ts + src/ taken at the start of the
// run (config.module), so edits made meanwhile do not change the code measured.
type Library = typeof import("../mod.ts");
const load = (): Promise<Library> => import(config.module ?? "../mod.ts");
const { url, apiKey, publication } = config;
const TIMEOUT_MS = 10_000;

async function newClient() {
  const { Client } = await load();
  return new Client(url, { apiKey, timeout: TIMEOUT_MS });
}

async function writeFile(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text);
}

async function clientSender(): Promise<(i: number) => Promise<unknown>> {
  const client = await newClient();
  return (i) => client.publish(channelOf(publication, i), publication.data);
}

/** The client with `autoBatch: true`: concurrent publishes share /batch requests. */
async function autoBatchSender(): Promise<(i: number) => Promise<unknown>> {
  const { Client } = await load();
  const client = new Client(url, { apiKey, timeout: TIMEOUT_MS, autoBatch: true });
  return (i) => client.publish(channelOf(publication, i), publication.data);
}

/** The client without a timeout: what its deadline and the signal it hands fetch cost. */
async function untimedSender(): Promise<(i: number) => Promise<unknown>> {
  const { Client } = await load();
  const client = new Client(url, { apiKey, timeout: Infinity });
  return (i) => client.publish(channelOf(publication, i), publication.data);
}

/** The sender of one implementation (see the header); each call makes a new instance. */
async function senderOf(impl: string): Promise<(i: number) => Promise<unknown>> {
  if (impl === "client") return await clientSender();
  if (impl === "untimed") return await untimedSender();
  if (impl === "autobatch") return await autoBatchSender();
  if (impl.startsWith("fetch")) return fetchSender({ ...config, impl });
  throw new Error(`unknown impl ${impl}`);
}

async function throughput(): Promise<unknown> {
  return await measure(await senderOf(config.impl), config, writeFile);
}

/** Several implementations taking turns in this process (bench/interleave.ts). */
async function interleaved(): Promise<unknown> {
  const senders = new Map<string, (i: number) => Promise<unknown>>();
  for (const { name, impl } of config.variants ?? []) senders.set(name, await senderOf(impl));
  return await interleave(senders, config);
}

/** N channels: N sequential publishes, one batch of N, one broadcast to N. */
async function shape(): Promise<unknown> {
  if (config.impl !== "client") throw new Error(`shape: unknown impl ${config.impl}`);
  const { Batch, Client } = await load();
  const client = new Client(url, { apiKey, timeout: 60_000 });
  const channels = Array.from({ length: config.requests }, (_, i) => `shape_${i}`);
  const data = publication.data;
  const timed = async (work: () => Promise<number>) => {
    const start = performance.now();
    const errors = await work();
    return { seconds: (performance.now() - start) / 1000, errors };
  };
  const sequential = await timed(async () => {
    const deadline = performance.now() + config.maxSeconds * 1000;
    const { done, errors } = await drive(
      (i) => client.publish(channels[i]!, data),
      1,
      channels.length,
      deadline,
      undefined,
    );
    return errors + (channels.length - done);
  });
  const batch = await timed(async () => {
    const commands = new Batch();
    for (const channel of channels) commands.publish(channel, data);
    const replies = await client.send(commands);
    return replies.filter((reply) => !reply.ok).length;
  });
  const broadcast = await timed(async () => {
    const { responses } = await client.broadcast(channels, data);
    return responses.filter((response) => !response.ok).length;
  });
  return { channels: channels.length, sequential, batch, broadcast };
}

/** Publishes N times at `concurrency` through one client, sampling the RSS. */
async function memory(): Promise<unknown> {
  // bench/main.ts measures the client; a raw fetch variant can be run by hand for comparison.
  const send = config.impl.startsWith("fetch") ? fetchSender(config) : await clientSender();
  return await memoryCurve(send, config, () => Deno.memoryUsage());
}

const result = config.mode === "shape"
  ? await shape()
  : config.mode === "memory"
  ? await memory()
  : config.mode === "interleave"
  ? await interleaved()
  : config.mode === "timers"
  ? await timeoutSignalCost()
  : await throughput();
if (config.resultFile) await writeFile(config.resultFile, JSON.stringify(result));
else console.log(JSON.stringify(result));
