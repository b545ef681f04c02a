/**
 * The replies of a batch sent with {@linkcode Client.send}: one per command,
 * a success with its typed result or a failure with its {@linkcode ResponseError}.
 *
 * @module
 */

import type { ResponseError } from "./errors.ts";
import type { MethodResults } from "./_generated/api.ts";

/**
 * One command of a batch, as it goes on the wire: `{ [method]: params }`.
 *
 * @example Inspect what a batch will send
 * ```ts
 * import { Batch, type BatchCommand } from "@aiocent/aiocent";
 *
 * const commands: readonly BatchCommand[] = new Batch().info().commands;
 * console.log(commands[0]?.method); // "info"
 * ```
 */
export interface BatchCommand {
  /** Centrifugo's method name, e.g. `"publish"` or `"presence_stats"`. */
  readonly method: string;
  /** The command's wire params. */
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * A successful reply of a batch command of a known method, with its typed result.
 *
 * @example Narrow a reply to a publish result
 * ```ts
 * import { isSuccess, type BatchReply, type BatchSuccess } from "@aiocent/aiocent";
 *
 * const offset = (reply: BatchReply) => {
 *   if (!isSuccess(reply, "publish")) return undefined;
 *   const ok: BatchSuccess<"publish"> = reply;
 *   return ok.result.offset;
 * };
 * ```
 */
export interface BatchSuccess<M extends keyof MethodResults = keyof MethodResults> {
  /** Always `true`. */
  readonly ok: true;
  /** The command's method. */
  readonly method: M;
  /** What Centrifugo returned, typed per method. */
  readonly result: MethodResults[M];
}

/**
 * A successful reply of a command added with {@linkcode Batch.add} for a
 * method this library has no type for (PRO or newer methods).
 *
 * @example Read a raw result
 * ```ts
 * import type { BatchOtherSuccess } from "@aiocent/aiocent";
 *
 * const raw = (reply: BatchOtherSuccess) => reply.result as Record<string, unknown>;
 * ```
 */
export interface BatchOtherSuccess {
  /** Always `true`. */
  readonly ok: true;
  /** The command's method. */
  readonly method: string;
  /** What Centrifugo returned, untyped. */
  readonly result: unknown;
}

/**
 * A batch command that Centrifugo answered with an error.
 *
 * @example Log failed commands
 * ```ts
 * import type { BatchFailure } from "@aiocent/aiocent";
 *
 * const log = (f: BatchFailure) => console.error(f.method, f.error.code, f.error.reason);
 * ```
 */
export interface BatchFailure {
  /** Always `false`. */
  readonly ok: false;
  /** The command's method. */
  readonly method: string;
  /** Centrifugo's error for this command. */
  readonly error: ResponseError;
}

/**
 * The reply to one command of a batch. Per-command errors are replies with
 * `ok: false`; they never reject {@linkcode Client.send}.
 *
 * @example Count the failures of a batch
 * ```ts
 * import type { BatchReply } from "@aiocent/aiocent";
 *
 * const failures = (replies: BatchReply[]) => replies.filter((r) => !r.ok).length;
 * ```
 */
export type BatchReply = BatchSuccess | BatchOtherSuccess | BatchFailure;

/**
 * Whether `reply` succeeded and is for `method`; narrows its `result` to that
 * method's result type.
 *
 * @example Read the offset of a batched publish
 * ```ts
 * import { Batch, Client, isSuccess } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret" });
 * const [reply] = await client.send(new Batch().publish("chat", { text: "hi" }));
 * if (isSuccess(reply, "publish")) console.log(reply.result.offset);
 * ```
 *
 * @param reply A reply from {@linkcode Client.send}.
 * @param method The method it should be for.
 * @returns `true` when the reply is a success of that method.
 */
export function isSuccess<M extends keyof MethodResults>(
  reply: BatchReply | undefined,
  method: M,
): reply is BatchSuccess<M> {
  return reply !== undefined && reply.ok && reply.method === method;
}
