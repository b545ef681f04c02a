// One builder per API method: checks the arguments and returns the wire
// params. The Client (one request per call) and the Batch builder (one command
// per call) both use these, so a method's arguments mean the same everywhere.

import { ResponseError } from "./errors.ts";
import type { BatchReply } from "./batch.ts";
import type { BroadcastResponse, BroadcastResult, PublishResult } from "./types.ts";
import {
  channelArg,
  channelsArg,
  copyFields,
  type Fields,
  jsonArg,
  methodArg,
  paramsArg,
  userArg,
} from "./_validate.ts";

/** Wire params of one command. */
export type Params = Record<string, unknown>;

const PUBLISH: Fields = {
  b64data: "string",
  skip_history: "boolean",
  tags: "tags",
  idempotency_key: "string",
  delta: "boolean",
  version: "uint",
  version_epoch: "string",
};
const PRO_TARGETING: Fields = { label_filter: "object", all_users: "boolean" };
const SUBSCRIBE: Fields = {
  expire_at: "int",
  info: "json",
  b64info: "string",
  client: "string",
  session: "string",
  data: "json",
  b64data: "string",
  recover_since: "position",
  override: "object",
  ...PRO_TARGETING,
};
const UNSUBSCRIBE: Fields = { client: "string", session: "string", ...PRO_TARGETING };
const DISCONNECT: Fields = {
  client: "string",
  session: "string",
  whitelist: "strings",
  disconnect: "disconnect",
  ...PRO_TARGETING,
};
const REFRESH: Fields = {
  client: "string",
  session: "string",
  expired: "boolean",
  expire_at: "int",
  info: "json",
  ...PRO_TARGETING,
};
const HISTORY: Fields = { limit: "limit", since: "position", reverse: "boolean" };
const CHANNELS: Fields = { pattern: "string" };
const NONE: Fields = {};

/**
 * Puts the publication payload into `params`: JSON data as `data`, a
 * `Uint8Array` as `b64data` (JSON would turn bytes into an object of indices),
 * or nothing when the caller supplies `b64data` in the options.
 */
function payload(method: string, data: unknown, options: unknown, params: Params): Params {
  const b64 = (options as { b64data?: unknown } | undefined)?.b64data;
  if (data instanceof Uint8Array) {
    if (b64 !== undefined) throw new TypeError(`${method}: pass binary data or b64data, not both`);
    params.b64data = toBase64(data);
  } else if (data !== undefined || b64 === undefined) {
    jsonArg(method, "data", data);
    params.data = data;
  }
  return params;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Builders of the wire params, by method. `controls`: signal/timeout allowed. */
export const build = {
  publish(channel: unknown, data: unknown, options: unknown, controls: boolean): Params {
    const params = payload("publish", data, options, { channel: channelArg("publish", channel) });
    return copyFields("publish", options, PUBLISH, params, controls);
  },
  broadcast(channels: unknown, data: unknown, options: unknown, controls: boolean): Params {
    const params = payload("broadcast", data, options, {
      channels: channelsArg("broadcast", channels),
    });
    return copyFields("broadcast", options, PUBLISH, params, controls);
  },
  subscribe(user: unknown, channel: unknown, options: unknown, controls: boolean): Params {
    const params = { user: userArg("subscribe", user), channel: channelArg("subscribe", channel) };
    return copyFields("subscribe", options, SUBSCRIBE, params, controls);
  },
  unsubscribe(user: unknown, channel: unknown, options: unknown, controls: boolean): Params {
    const params = {
      user: userArg("unsubscribe", user),
      channel: channelArg("unsubscribe", channel),
    };
    return copyFields("unsubscribe", options, UNSUBSCRIBE, params, controls);
  },
  disconnect(user: unknown, options: unknown, controls: boolean): Params {
    const params = { user: userArg("disconnect", user) };
    return copyFields("disconnect", options, DISCONNECT, params, controls);
  },
  refresh(user: unknown, options: unknown, controls: boolean): Params {
    const params = { user: userArg("refresh", user) };
    return copyFields("refresh", options, REFRESH, params, controls);
  },
  presence(channel: unknown, options: unknown, controls: boolean): Params {
    const params = { channel: channelArg("presence", channel) };
    return copyFields("presence", options, NONE, params, controls);
  },
  presence_stats(channel: unknown, options: unknown, controls: boolean): Params {
    const params = { channel: channelArg("presenceStats", channel) };
    return copyFields("presenceStats", options, NONE, params, controls);
  },
  history(channel: unknown, options: unknown, controls: boolean): Params {
    const params = { channel: channelArg("history", channel) };
    return copyFields("history", options, HISTORY, params, controls);
  },
  history_remove(channel: unknown, options: unknown, controls: boolean): Params {
    const params = { channel: channelArg("historyRemove", channel) };
    return copyFields("historyRemove", options, NONE, params, controls);
  },
  channels(options: unknown, controls: boolean): Params {
    return copyFields("channels", options, CHANNELS, {}, controls);
  },
  info(options: unknown, controls: boolean): Params {
    return copyFields("info", options, NONE, {}, controls);
  },
  rpc(method: unknown, rpcParams: unknown, options: unknown, controls: boolean): Params {
    const params: Params = { method: channelArg("rpc", method, "method") };
    if (rpcParams !== undefined) {
      jsonArg("rpc", "params", rpcParams);
      params.params = rpcParams;
    }
    return copyFields("rpc", options, NONE, params, controls);
  },
  /** Any method by name, with params passed through unchanged. */
  custom(what: string, method: unknown, params: unknown): [string, Params] {
    return [methodArg(what, method), paramsArg(what, params)];
  },
};

/**
 * Turns a method's wire result into the typed result. Only broadcast differs:
 * its per-channel `{result}`/`{error}` items become `BroadcastResponse`s, with
 * errors as `ResponseError` values rather than bare objects.
 */
export function decodeResult(method: string, params: Params, result: unknown): unknown {
  if (method !== "broadcast") return result;
  const channels = params.channels as string[];
  const responses = (result as { responses?: unknown[] } | null)?.responses;
  if (!Array.isArray(responses) || responses.length !== channels.length) {
    throw new SyntaxError(
      `broadcast result has ${responses?.length ?? "no"} responses for ${channels.length} channels`,
    );
  }
  const decoded: BroadcastResponse[] = responses.map((item, i) => {
    const channel = channels[i]!;
    const { error, result } = (item ?? {}) as { error?: unknown; result?: PublishResult };
    if (error !== undefined) {
      return { ok: false, channel, error: toResponseError("broadcast", error) };
    }
    return { ok: true, channel, result: result ?? {} };
  });
  return { responses: decoded } satisfies BroadcastResult;
}

/** Builds a ResponseError from Centrifugo's `{code, message}`. */
export function toResponseError(method: string, error: unknown): ResponseError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== "number") {
    throw new SyntaxError(`error object without a numeric code: ${JSON.stringify(error)}`);
  }
  return new ResponseError(method, code, typeof message === "string" ? message : "");
}

/**
 * Maps batch replies to typed replies, in command order. A success holds its
 * result under `key(method)`: the method's name in the v6 format, `result` in
 * the legacy one.
 */
export function decodeReplies(
  commands: readonly { method: string; params: Params }[],
  replies: unknown,
  key: (method: string) => string,
) {
  if (!Array.isArray(replies) || replies.length !== commands.length) {
    throw new SyntaxError(
      `${Array.isArray(replies) ? replies.length : "no"} replies for ${commands.length} commands`,
    );
  }
  return commands.map(({ method, params }, i): BatchReply => {
    const reply = replies[i] as Record<string, unknown> | null;
    if (typeof reply !== "object" || reply === null) {
      throw new SyntaxError(`reply ${i} is not an object`);
    }
    if (reply.error !== undefined) {
      return { ok: false, method, error: toResponseError(method, reply.error) };
    }
    const result = reply[key(method)];
    if (result === undefined) throw new SyntaxError(`reply ${i} has no ${method} result`);
    return { ok: true, method, result: decodeResult(method, params, result) } as BatchReply;
  });
}
