/**
 * A typed, zero-dependency client for the server HTTP API of
 * [Centrifugo](https://centrifugal.dev) v6, for Deno, Node and Bun: publish
 * into channels, manage subscriptions and connections, read history and
 * presence, and send many commands in one {@linkcode Batch}.
 *
 * Every call resolves with Centrifugo's typed result or rejects with a
 * {@linkcode CentError}: {@linkcode ResponseError} when Centrifugo answered
 * with an error, {@linkcode RequestError} (or {@linkcode RequestTimeoutError})
 * when the request failed. Invalid arguments reject with a `TypeError` before
 * anything is sent.
 *
 * @example Quick start
 * ```ts
 * import { Batch, Client, ResponseError } from "@aiocent/aiocent";
 *
 * const client = new Client("http://localhost:8000/api", { apiKey: "secret", timeout: 1000 });
 *
 * // Publish into a channel; the result is the publication's stream position.
 * const { offset } = await client.publish("chat", { input: "test" });
 *
 * // Other methods.
 * await client.unsubscribe("user42", "chat");
 * await client.disconnect("user42");
 * const history = await client.history("chat", { limit: 10 });
 * const presence = await client.presence("chat");
 * const { channels } = await client.channels();
 * const { nodes } = await client.info();
 * await client.historyRemove("chat");
 *
 * // Errors from Centrifugo are typed.
 * try {
 *   await client.publish("unknown:chat", {});
 * } catch (err) {
 *   if (err instanceof ResponseError) console.log(err.code); // 102
 * }
 *
 * // Many commands in one request, one reply per command.
 * const replies = await client.send(
 *   new Batch().publish("a", { n: 1 }).publish("b", { n: 2 }).presenceStats("chat"),
 * );
 * console.log(offset, history.publications, presence, channels, nodes, replies);
 * ```
 *
 * @module
 */

export { Client } from "./src/client.ts";
export { Batch } from "./src/batch.ts";
export {
  type BatchCommand,
  type BatchFailure,
  type BatchOtherSuccess,
  type BatchReply,
  type BatchSuccess,
  isSuccess,
} from "./src/replies.ts";
export {
  CentError,
  ERROR_CODE,
  isRetryable,
  RequestError,
  type RequestErrorOptions,
  RequestTimeoutError,
  ResponseError,
} from "./src/errors.ts";
export type {
  Address,
  AutoBatchOptions,
  CallOptions,
  ClientOptions,
  CloseOptions,
  FetchLike,
  RequestInfo,
  RetryOptions,
  SendOptions,
} from "./src/options.ts";
// The token helpers of 0.1.0, kept here so that code importing them from the
// root keeps working; everything about tokens is in "@aiocent/aiocent/token".
export {
  connectionToken,
  type ConnectionTokenClaims,
  importTokenKey,
  subscriptionToken,
  type SubscriptionTokenClaims,
  type TokenAlgorithm,
  type TokenKey,
  type TokenOptions,
  type TokenSubscription,
} from "./token.ts";
export type * from "./src/types.ts";
