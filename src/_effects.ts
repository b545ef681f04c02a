// What repeating a method does, read from the method table: whether a
// method may be sent again after a failure (the retry loop, a failover to
// another node), and whether it needs an idempotency_key for that.

import { METHODS } from "./_generated/methods.ts";
import type { Params } from "./_params.ts";
import type { Effect } from "./_schema.ts";

/** What repeating `method` does; methods unknown to this library may do anything. */
export function effectOf(method: string): Effect {
  return (METHODS as Readonly<Record<string, { effect: Effect }>>)[method]?.effect ?? "unsafe";
}

/**
 * Whether `method` may be sent again after a failure: everything but `rpc`,
 * the PRO methods whose repeat is not harmless, and methods this library
 * does not know. `keyed` ones go with an idempotency_key (see withKey).
 */
export function mayRetry(method: string): boolean {
  return effectOf(method) !== "unsafe";
}

/**
 * The params of a command with an idempotency_key when its method needs one
 * to be repeated and the caller gave none: the same key goes with every
 * attempt and every node, so Centrifugo applies the command once however
 * many attempts reach it.
 */
export function withKey(method: string, params: Params): Params {
  if (effectOf(method) !== "keyed" || params.idempotency_key !== undefined) return params;
  return { ...params, idempotency_key: crypto.randomUUID() };
}
