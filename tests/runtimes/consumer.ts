// A Node user's TypeScript: type-checked against the emitted npm/ declarations
// with skipLibCheck: false and no Deno or Node types (tests/runtimes_test.ts).
// Any Deno name in the public types would fail it (TS2503).

import {
  Batch,
  type BatchReply,
  CentError,
  Client,
  type HistoryResult,
  isSuccess,
  type PublishResult,
  RequestError,
  ResponseError,
} from "@aiocent/aiocent";
import {
  connectionToken,
  connectionTokenEndpoint,
  jwksHandler,
  KeyRing,
  sharedPollSignature,
} from "@aiocent/aiocent/token";
import { toNodeHandler } from "@aiocent/aiocent/node";

export async function tokens(pem: string): Promise<void> {
  const ring = await KeyRing.create([{ kid: "k1", key: pem }], { maxTokenLifetime: 900 });
  const token: string = await connectionToken({ sub: "42" }, ring, { expiresIn: 600 });
  const serveJwks: (request: Request) => Promise<Response> = jwksHandler(ring);
  const endpoint = toNodeHandler(connectionTokenEndpoint({
    key: ring,
    expiresIn: 300,
    authorize: (request) => request.headers.get("x-user") ? { sub: "42" } : null,
  }));
  const signature: string = await sharedPollSignature(
    { user: "42", channel: "scores:x", keys: ["a"] },
    "secret",
    { expiresIn: 60 },
  );
  console.log(token, serveJwks, endpoint, signature);
}

export async function use(): Promise<void> {
  const client = new Client("https://localhost:8000/api", {
    apiKey: "key",
    timeout: 2000,
    verify: false,
    headers: { "X-Source": "consumer" },
    jsonEncoder: (value) => JSON.stringify(value, (_k, v) => typeof v === "bigint" ? `${v}` : v),
  });
  const published: PublishResult = await client.publish("chat", { text: "hi" }, {
    skip_history: false,
    signal: AbortSignal.timeout(1000),
  });
  const history: HistoryResult = await client.history("chat", { limit: 10, reverse: true });
  const replies: BatchReply[] = await client.send(new Batch().publish("a", 1).info());
  if (isSuccess(replies[1], "info")) console.log(replies[1].result.nodes.length);
  try {
    await client.presence("chat");
  } catch (err) {
    if (err instanceof ResponseError) console.log(err.code, err.reason);
    else if (err instanceof RequestError) console.log(err.status);
    else if (err instanceof CentError) console.log(err.message);
  }
  console.log(published.offset, history.publications.length);
  await client.close();
}
