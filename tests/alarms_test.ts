// The shared alarm queue behind every call's deadline: alarms fire in time
// order, never before their time, never after being cancelled, and nothing
// stays armed once no alarm is live (the ops sanitizer fails a test that
// leaves a timer behind).

import assert from "node:assert/strict";
import { cancel, schedule, waiting } from "../src/_alarms.ts";
import { buildNpm } from "./runtimes/build_npm.ts";
import { nodeBinary } from "./_tools.ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("alarms", async (t) => {
  await t.step("fire in time order, not before their time; cancelled ones never", async () => {
    const start = performance.now();
    const fired: { id: number; late: number }[] = [];
    const offsets = Array.from({ length: 300 }, (_, id) => ({ id, ms: (id * 37) % 120 }));
    const alarms = offsets.map(({ id, ms }) =>
      schedule(start + ms, () => fired.push({ id, late: performance.now() - (start + ms) }))
    );
    const cancelled = new Set(offsets.filter(({ id }) => id % 3 === 0).map(({ id }) => id));
    for (const id of cancelled) cancel(alarms[id]!);
    await wait(250);
    const expected = offsets.filter(({ id }) => !cancelled.has(id))
      .sort((a, b) => a.ms - b.ms || a.id - b.id)
      .map(({ ms }) => ms);
    assert.deepEqual(fired.map(({ id }) => offsets[id]!.ms), expected);
    assert.ok(fired.every(({ late }) => late >= 0), "an alarm fired before its time");
  });

  await t.step("an alarm scheduled by a firing one, and an earlier one added later", async () => {
    const order: string[] = [];
    const now = performance.now();
    schedule(now + 40, () => {
      order.push("late");
      schedule(performance.now() + 5, () => order.push("chained"));
    });
    await wait(5);
    schedule(now + 15, () => order.push("early"));
    await wait(120);
    assert.deepEqual(order, ["early", "late", "chained"]);
  });

  await t.step("cancelling every alarm disarms the timer", async () => {
    const now = performance.now();
    const alarms = Array.from({ length: 10 }, (_, i) =>
      schedule(now + 60_000 + i, () => {
        throw new Error("must not fire");
      }));
    for (const alarm of alarms) cancel(alarm);
    cancel(alarms[0]!); // twice is harmless
    // Released within a few microtask turns: the ops sanitizer would fail
    // the step on a setTimeout left armed; the process test below covers
    // Deno's AbortSignal.timeout, which the sanitizer does not see.
    await Promise.resolve();
  });

  await t.step("an alarm already due fires on the next turn, not synchronously", async () => {
    let fired = false;
    schedule(performance.now() - 10, () => fired = true);
    assert.equal(fired, false);
    await wait(5);
    assert.equal(fired, true);
  });
});

Deno.test("an alarm that throws does not stop the others", async () => {
  const { promise: thrown, resolve: caught } = Promise.withResolvers<unknown>();
  // The error surfaces as an uncaught one, as from a timer's own callback.
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    caught(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    const fired: string[] = [];
    const now = performance.now();
    schedule(now + 5, () => {
      throw new Error("boom");
    });
    schedule(now + 5, () => fired.push("same turn"));
    schedule(now + 30, () => fired.push("later"));
    assert.equal(((await thrown) as Error).message, "boom");
    await wait(60);
    assert.deepEqual(fired, ["same turn", "later"]);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});

// A process whose only pending work is an alarm: alive while an alarm that
// holds is live (a deadline must fire), free to exit once every alarm is
// cancelled, also after calls that came one by one with idle spells between
// them (the timer stays pending: listened without a ref on Deno, unref'd on
// Node). In "reuse" the live alarm comes after the cancelled ones' timer,
// which it reuses: that timer must keep the process alive again. An alarm
// that does not hold (a deadline over the runtime's own request, which holds
// the process itself) fires only while something else keeps it alive.
const SCRIPT = (module: string) => `
  const { cancel, hold, schedule } = await import(${JSON.stringify(module)});
  const mode = globalThis.Deno ? Deno.args[0] : process.argv.at(-1);
  const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
  const cancelledIn = mode === "reuse" ? 250 : 60000;
  for (let i = 0; i < 3; i++) {
    cancel(schedule(performance.now() + cancelledIn, () => console.log("a cancelled alarm fired")));
    await pause();
  }
  const fired = () => console.log("fired");
  if (mode === "live") schedule(performance.now() + 300, fired);
  if (mode === "reuse") schedule(performance.now() + 500, fired);
  if (mode === "loose") schedule(performance.now() + 300, fired, false);
  if (mode === "loose, then held") hold(schedule(performance.now() + 300, fired, false));
  if (mode === "loose, the process kept alive") {
    schedule(performance.now() + 300, fired, false);
    setTimeout(() => console.log("kept"), 600);
  }
  if (mode === "held, cancelled, then loose") {
    const held = schedule(performance.now() + 200, () => console.log("a cancelled alarm fired"));
    await pause();
    schedule(performance.now() + 30000, fired, false);
    cancel(held);
  }
  console.log("scheduled");
`;

// A call whose only pending work is the caller's fetch, which never answers
// and holds nothing: the call's deadline must keep the process alive to fire.
// Not awaited at the top level: Deno would wait for unref'd timers then.
const CALL_SCRIPT = (module: string) => `
  const { Client } = await import(${JSON.stringify(module)});
  const fetch = () => new Promise(() => {});
  const client = new Client("http://127.0.0.1:9/api", { apiKey: "k", timeout: 300, fetch });
  client.publish("chat", 1).catch((err) => err.name).then(console.log);
`;

async function runScript(command: string, args: string[], mode: string) {
  const started = performance.now();
  const out = await new Deno.Command(command, {
    args: [...args, mode],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    ms: performance.now() - started,
    text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  };
}

Deno.test("alarms keep a process alive only while one is live", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const npm = await buildNpm();
    const node = await nodeBinary();
    const runtimes = [
      {
        name: "deno",
        file: `${dir}/deno.ts`,
        module: new URL("../src/_alarms.ts", import.meta.url).href,
        client: new URL("../mod.ts", import.meta.url).href,
        run: (file: string) => [Deno.execPath(), ["run", "--allow-read", file]] as const,
      },
      {
        name: "node",
        file: `${dir}/node.mjs`,
        module: `file://${npm}/src/_alarms.js`,
        client: `file://${npm}/mod.js`,
        run: (file: string) => [node, [file]] as const,
      },
    ];
    for (const runtime of runtimes) {
      await Deno.writeTextFile(runtime.file, SCRIPT(runtime.module));
      const [command, args] = runtime.run(runtime.file);
      await t.step(`${runtime.name}: a live alarm fires before the process exits`, async () => {
        const { text } = await runScript(command, [...args], "live");
        assert.equal(text, "scheduled\nfired\n");
      });
      await t.step(`${runtime.name}: a live alarm reusing an idle timer fires`, async () => {
        const { text } = await runScript(command, [...args], "reuse");
        assert.equal(text, "scheduled\nfired\n");
      });
      await t.step(`${runtime.name}: cancelled alarms hold nothing`, async () => {
        const { text, ms } = await runScript(command, [...args], "idle");
        assert.equal(text, "scheduled\n");
        // Far below the cancelled alarms' 60 s.
        assert.ok(ms < 20_000, `the process took ${ms.toFixed(0)} ms to exit`);
      });
      await t.step(`${runtime.name}: an alarm that does not hold keeps nothing alive`, async () => {
        const loose = await runScript(command, [...args], "loose");
        assert.equal(loose.text, "scheduled\n");
        // The holding alarm before it was cancelled: its hold went with it.
        const after = await runScript(command, [...args], "held, cancelled, then loose");
        assert.equal(after.text, "scheduled\n");
        assert.ok(after.ms < 20_000, `the process took ${after.ms.toFixed(0)} ms to exit`);
      });
      await t.step(
        `${runtime.name}: it fires while the process is alive, or once held`,
        async () => {
          const kept = await runScript(command, [...args], "loose, the process kept alive");
          assert.equal(kept.text, "scheduled\nfired\nkept\n");
          const held = await runScript(command, [...args], "loose, then held");
          assert.equal(held.text, "scheduled\nfired\n");
        },
      );
      await t.step(
        `${runtime.name}: a call over a fetch that holds nothing times out`,
        async () => {
          const file = runtime.file.replace(/(\.\w+)$/, "_call$1");
          await Deno.writeTextFile(file, CALL_SCRIPT(runtime.client));
          const [callCommand, callArgs] = runtime.run(file);
          const { text } = await runScript(callCommand, [...callArgs], "");
          assert.equal(text, "RequestTimeoutError\n");
        },
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The alarms `kept` (indexes into `alarms`) are all that wait, and within
 * 150 ms fire each once, in time order; `fired` records the index of each.
 */
async function firesKeptInOrder(
  alarms: ReturnType<typeof schedule>[],
  fired: number[],
  kept: Set<number>,
): Promise<void> {
  assert.equal(waiting(), kept.size);
  await wait(150);
  assert.equal(waiting(), 0);
  assert.deepEqual([...fired].sort((a, b) => a - b), [...kept].sort((a, b) => a - b));
  const times = fired.map((i) => alarms[i]!.at);
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
}

Deno.test("alarms: heavy churn keeps order; cancelled ones leave the heap", async () => {
  // Many alarms at mixed times, most cancelled in a random order while others
  // are added: the ones left fire in time order, each once.
  const start = performance.now();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const fired: number[] = [];
  const kept = new Set<number>();
  const alarms: ReturnType<typeof schedule>[] = [];
  for (let i = 0; i < 2000; i++) {
    const at = start + 20 + Math.floor(random() * 60);
    alarms.push(schedule(at, () => fired.push(i)));
    kept.add(i);
    if (random() < 0.7) {
      const victim = Math.floor(random() * alarms.length);
      cancel(alarms[victim]!);
      kept.delete(victim);
    }
  }
  await firesKeptInOrder(alarms, fired, kept);
});

Deno.test("alarms: calls due in order, with earlier ones between, fire in time order", async () => {
  // The deadlines of a client's calls come in the order they are due (one
  // timeout); calls with a shorter timeout come between them. Cancelled at
  // the front, the back and in between, and added again after the last one
  // left, the ones left fire in time order, each once.
  const start = performance.now();
  const fired: number[] = [];
  const alarms: ReturnType<typeof schedule>[] = [];
  const kept = new Set<number>();
  const add = (at: number) => {
    const i = alarms.length;
    alarms.push(schedule(start + at, () => fired.push(i)));
    kept.add(i);
  };
  const drop = (i: number) => {
    cancel(alarms[i]!);
    kept.delete(i);
  };
  for (let i = 0; i < 300; i++) {
    add(40 + i * 0.1);
    if (i % 10 === 5) add(20 + i * 0.05); // a shorter timeout
    if (i % 7 === 3) drop(alarms.length - 1); // the last one added
    if (i % 11 === 4) drop(Math.floor(alarms.length / 2)); // one in between
  }
  drop(0); // the first
  add(35); // earlier than the last, later than some
  add(80); // after all
  await firesKeptInOrder(alarms, fired, kept);
});
