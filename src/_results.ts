// Turns a method's raw result into its typed result. Every result is an
// object; broadcast's per-channel `{result}`/`{error}` items become
// BroadcastResponses, with errors as ResponseError values, not bare objects.

import { ResponseError } from "./errors.ts";
import type { BroadcastResponse, BroadcastResult, PublishResult } from "./_generated/api.ts";
import type { Params } from "./_params.ts";
import { isPlainObject } from "./_validate.ts";

/**
 * The typed result of `method` sent with `params`; throws a SyntaxError
 * when `result` cannot be that method's.
 */
export function decodeResult(method: string, params: Params, result: unknown): unknown {
  if (!isPlainObject(result)) {
    throw new SyntaxError(`${method} result is ${shape(result)}, not an object`);
  }
  return method === "broadcast" ? decodeBroadcast(params, result) : result;
}

function shape(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function decodeBroadcast(params: Params, result: Record<string, unknown>): BroadcastResult {
  const channels = params.channels as string[];
  const responses = result.responses as unknown[] | undefined;
  if (!Array.isArray(responses) || responses.length !== channels.length) {
    throw new SyntaxError(
      `broadcast result has ${
        Array.isArray(responses) ? responses.length : "no"
      } responses for ${channels.length} channels`,
    );
  }
  const decoded: BroadcastResponse[] = responses.map((item, i) => {
    const channel = channels[i]!;
    const { error, result } = (item ?? {}) as { error?: unknown; result?: PublishResult };
    if (error !== undefined) {
      const { code, message, temporary } = (error ?? {}) as Record<string, unknown>;
      if (typeof code !== "number") {
        throw new SyntaxError(`broadcast response ${i} has an error without a numeric code`);
      }
      return {
        ok: false,
        channel,
        error: new ResponseError("broadcast", code, typeof message === "string" ? message : "", {
          temporary: temporary === true,
        }),
      };
    }
    return { ok: true, channel, result: result ?? {} };
  });
  return { responses: decoded };
}
