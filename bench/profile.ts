// Summarizes a V8 CPU profile (.cpuprofile, as written by bench/_measure.js
// through node:inspector): self time per function, the total (inclusive) time
// of this library's functions, and the time per area (this library, the
// runtime's fetch and streams, timers and abort signals, the harness, GC, idle).
//
//   deno run --allow-read bench/profile.ts <file.cpuprofile>   → prints the summary

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface Entry {
  name: string;
  where: string;
  area: string;
  /** milliseconds */
  ms: number;
  /** share of the busy (non-idle) time */
  share: number;
}

export interface ProfileSummary {
  /** Wall time covered by the profile, ms. */
  totalMs: number;
  /** Time not idle, ms. */
  busyMs: number;
  samples: number;
  /** Top functions by self time. */
  self: Entry[];
  /** This library's functions by total (inclusive) time. */
  library: Entry[];
  /** Self time per area, sorted. */
  areas: { area: string; ms: number; share: number }[];
}

const ROOT = new URL("../", import.meta.url).href;

/** Where a function lives, shortened: `src/client.ts:375`, `ext:deno_fetch/26_fetch.js:123`. */
function whereOf(frame: CallFrame): string {
  let url = frame.url;
  if (url.startsWith(ROOT)) url = url.slice(ROOT.length);
  url = url.replace(/^file:\/\/.*?\/(npm|bench)\//, "$1/");
  // bench/main.ts runs private copies: of npm/ (Node, Bun) and of mod.ts + src/ (Deno).
  url = url.replace(/^file:\/\/.*\/aiocent-bench-npm-[^/]+\//, "npm/");
  url = url.replace(/^file:\/\/.*\/aiocent-bench-src-[^/]+\//, "");
  url = url.replace(/^file:\/\/.*\/node_modules\//, "node_modules/");
  if (!url) return "";
  return frame.lineNumber >= 0 ? `${url}:${frame.lineNumber + 1}` : url;
}

/** The area a function belongs to. */
export function areaOf(frame: CallFrame): string {
  const name = frame.functionName;
  const url = frame.url;
  if (name === "(idle)") return "idle";
  if (name === "(garbage collector)") return "garbage collector";
  if (name === "(program)" || name === "(root)") return "native (runtime, I/O)";
  if (/\/(src\/[^/]+\.(ts|js)|mod\.(ts|js))$/.test(url) && !url.includes("node_modules")) {
    return "this library";
  }
  if (/\/bench\//.test(url)) return "harness (bench/)";
  if (name.startsWith("op_")) return "runtime ops (native fetch, I/O)";
  if (
    /abort|timers|event|signal/i.test(url) || /^(createTimer|setTimeout|clearTimeout)$/.test(name)
  ) {
    return "runtime timers & AbortSignal";
  }
  if (/fetch|undici|http|webidl|00_url|url\.js|headers|body/i.test(url)) {
    return "runtime fetch, Headers, URL, WebIDL";
  }
  if (/stream|encoding/i.test(url)) return "runtime streams & text decoding";
  if (/^ext:core\/|^node:internal\/(process|async_hooks)/.test(url)) {
    return "runtime core (promises, op glue)";
  }
  if (!url) return "V8 builtins & native bindings";
  return "runtime, other";
}

export function summarize(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<number, number>();
  if (profile.samples) {
    for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  } else {
    for (const node of profile.nodes) counts.set(node.id, node.hitCount ?? 0);
  }
  const samples = [...counts.values()].reduce((a, b) => a + b, 0);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerSample = samples > 0 ? totalMs / samples : 0;

  const keyOf = (frame: CallFrame) => `${frame.functionName || "(anonymous)"} ${whereOf(frame)}`;
  const self = new Map<string, { frame: CallFrame; ms: number }>();
  const areas = new Map<string, number>();
  let idleMs = 0;
  for (const [id, count] of counts) {
    const node = byId.get(id);
    if (!node) continue;
    const ms = count * msPerSample;
    const key = keyOf(node.callFrame);
    const entry = self.get(key) ?? { frame: node.callFrame, ms: 0 };
    entry.ms += ms;
    self.set(key, entry);
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    if (area === "idle") idleMs += ms;
  }
  const busyMs = totalMs - idleMs;

  // Inclusive time: each node's samples count for it and every ancestor, once per function.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const inclusive = new Map<string, { frame: CallFrame; ms: number }>();
  for (const [id, count] of counts) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node || areaOf(node.callFrame) !== "this library") continue;
      const key = keyOf(node.callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = inclusive.get(key) ?? { frame: node.callFrame, ms: 0 };
      entry.ms += count * msPerSample;
      inclusive.set(key, entry);
    }
  }

  const toEntries = (map: Map<string, { frame: CallFrame; ms: number }>) =>
    [...map.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map(({ frame, ms }) => ({
        name: frame.functionName || "(anonymous)",
        where: whereOf(frame),
        area: areaOf(frame),
        ms,
        share: busyMs > 0 ? ms / busyMs : 0,
      }));
  return {
    totalMs,
    busyMs,
    samples,
    self: toEntries(new Map([...self].filter(([, v]) => areaOf(v.frame) !== "idle"))),
    library: toEntries(inclusive),
    areas: [...areas]
      .filter(([area]) => area !== "idle")
      .sort((a, b) => b[1] - a[1])
      .map(([area, ms]) => ({ area, ms, share: busyMs > 0 ? ms / busyMs : 0 })),
  };
}

if (import.meta.main) {
  const path = Deno.args[0];
  if (!path) throw new Error("usage: deno run --allow-read bench/profile.ts <file.cpuprofile>");
  const summary = summarize(JSON.parse(await Deno.readTextFile(path)));
  console.log(
    `${summary.samples} samples over ${summary.totalMs.toFixed(0)} ms, busy ${
      summary.busyMs.toFixed(0)
    } ms`,
  );
  for (const { area, share } of summary.areas) {
    console.log(`${(share * 100).toFixed(1).padStart(5)}%  ${area}`);
  }
  console.log("\nself time:");
  for (const e of summary.self) {
    console.log(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}  ${e.where}`);
  }
  console.log("\nthis library, inclusive:");
  for (const e of summary.library) {
    console.log(`${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}  ${e.where}`);
  }
}
