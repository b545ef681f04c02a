// Several nodes: a client given a cluster's nodes keeps working while one is
// down. Against a real 3-node Centrifugo cluster on Redis, nodes are killed
// and restarted in turn under load (FAILOVER_N publishes, 20 000 by
// default; `deno task soak` runs a million): every call resolves and history
// holds every publication exactly once. Against fake nodes, the rules: which
// failures move to the next node, which never do, and how a failed node is
// avoided and probed again.

import assert from "node:assert/strict";
import { Client, RequestError, ResponseError } from "@aiocent/aiocent";
import { formatReport, runLoad } from "./_load.ts";
import { json } from "./_fake.ts";
import { COOL_DOWN_MS } from "../src/_nodes.ts";

const N = Number(Deno.env.get("FAILOVER_N") ?? 20_000);

Deno.test("3 nodes on Redis, each killed and restarted in turn: every call resolves, once", async () => {
  const report = await runLoad({
    n: N,
    nodes: 3,
    concurrency: 64,
    restarts: ["SIGKILL", "SIGKILL", "SIGKILL"],
  });
  const text = formatReport("failover", report);
  console.log(text);
  assert.deepEqual(report.problems, [], text);
  assert.deepEqual(report.rejected, {}, text);
  assert.equal(report.resolved, N);
  assert.equal(report.duplicates, 0);
  assert.equal(report.losses, 0);
  assert.equal(report.historyCount, N);
  assert.ok(report.resolvedAfterRestarts > 0);
  // The kills did break requests under way; their calls moved on and resolved.
  assert.ok(report.failedRequests > 0, text);
});

/** Fake nodes answering by script; each records the paths it got. */
async function withNodes(
  scripts: ((path: string) => Response | Promise<Response>)[],
  fn: (apis: string[], seen: string[][]) => Promise<void>,
): Promise<void> {
  const seen = scripts.map(() => [] as string[]);
  const servers = scripts.map((script, i) =>
    Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      await req.arrayBuffer();
      const path = new URL(req.url).pathname;
      seen[i]!.push(path);
      return await script(path);
    })
  );
  try {
    await fn(servers.map((s) => `http://127.0.0.1:${s.addr.port}/api`), seen);
  } finally {
    await Promise.all(servers.map((s) => s.shutdown()));
  }
}

const ok = () => json({ result: {} });
const closedPort = () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `http://127.0.0.1:${port}/api`;
};

Deno.test("failover rules", async (t) => {
  await t.step("a node that refuses connections is skipped, then avoided", async () => {
    await withNodes([ok], async ([live], seen) => {
      const dead = closedPort();
      const client = new Client([dead, live!]);
      assert.equal(client.address, dead);
      assert.deepEqual(await client.info(), {});
      assert.equal(client.address, live, "the dead node is avoided");
      // Avoided for a while: the next calls go straight to the live node.
      await client.publish("ch", 1);
      assert.deepEqual(seen[0], ["/api/info", "/api/publish"]);
    });
  });

  await t.step("502, 503 and 504 move on; other statuses and API errors never do", async () => {
    for (const status of [502, 503, 504]) {
      await withNodes([() => new Response("down", { status }), ok], async (apis, seen) => {
        assert.deepEqual(await new Client(apis).history("ch"), {});
        assert.deepEqual(seen.map((s) => s.length), [1, 1], `status ${status}`);
      });
    }
    for (const status of [400, 401, 404, 500]) {
      await withNodes([() => new Response("no", { status }), ok], async (apis, seen) => {
        await assert.rejects(
          new Client(apis).history("ch"),
          (err: unknown) => err instanceof RequestError && err.status === status,
        );
        assert.deepEqual(seen.map((s) => s.length), [1, 0], `status ${status}`);
      });
    }
    const unknown = () => json({ error: { code: 102, message: "unknown channel" } });
    await withNodes([unknown, ok], async (apis, seen) => {
      await assert.rejects(new Client(apis).publish("nosuchns:x", 1), ResponseError);
      assert.deepEqual(seen.map((s) => s.length), [1, 0]);
    });
  });

  await t.step(
    "a method that may not be repeated moves on only when nothing was sent",
    async () => {
      await withNodes([() => new Response("down", { status: 503 }), ok], async (apis, seen) => {
        await assert.rejects(new Client(apis).rpc("charge", {}), RequestError);
        assert.deepEqual(seen.map((s) => s.length), [1, 0]);
      });
      await withNodes([ok], async ([live], seen) => {
        assert.deepEqual(await new Client([closedPort(), live!]).rpc("charge", {}), {});
        assert.deepEqual(seen[0], ["/api/rpc"]);
      });
    },
  );

  await t.step("a publish moved to another node keeps one idempotency key", async () => {
    const bodies: string[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      bodies.push(await req.text());
      return bodies.length === 1 ? new Response("busy", { status: 503 }) : ok();
    });
    try {
      const api = `http://127.0.0.1:${server.addr.port}/api`;
      // The same node twice under two names: both requests are seen here.
      await new Client([api, api.replace("127.0.0.1", "localhost")]).publish("ch", { n: 1 });
      const keys = bodies.map((b) => JSON.parse(b).idempotency_key);
      assert.equal(keys.length, 2);
      assert.equal(typeof keys[0], "string");
      assert.equal(keys[0], keys[1]);
    } finally {
      await server.shutdown();
    }
  });

  await t.step("a failed node is tried again after the cool-down", async () => {
    let down = true;
    await withNodes([() => down ? new Response("", { status: 503 }) : ok(), ok], async (
      apis,
      seen,
    ) => {
      const client = new Client(apis);
      await client.info();
      await client.info();
      assert.deepEqual(seen.map((s) => s.length), [1, 2]);
      down = false;
      await new Promise((resolve) => setTimeout(resolve, COOL_DOWN_MS + 50));
      await client.info();
      assert.deepEqual(seen.map((s) => s.length), [2, 2], "the node was not probed again");
    });
  });

  await t.step("a function gives the nodes for each call", async () => {
    await withNodes([ok, ok], async (apis, seen) => {
      let which = 0;
      const client = new Client(() => Promise.resolve(apis[which]!));
      await client.info();
      which = 1;
      await client.info();
      assert.deepEqual(seen.map((s) => s.length), [1, 1]);
      const broken = new Client(() => {
        throw new Error("discovery down");
      });
      await assert.rejects(broken.info(), (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.match(err.message, /^info: the address function failed/);
        return true;
      });
      await assert.rejects(
        new Client(() => "not a url").info(),
        /the address function: address must be an absolute http\(s\) URL/,
      );
    });
  });

  await t.step("addresses are checked at construction", () => {
    assert.throws(() => new Client([]), /^TypeError: Client: the address list is empty$/);
    assert.throws(
      () => new Client(["http://a/api", "ftp://b/api"]),
      /^TypeError: Client: address must use http or https, got ftp:$/,
    );
  });
});
