// What every transport provides: a Sender that posts one body and reads the
// answer, and a way to release what it holds. The request path
// (src/_request.ts) is written against these alone.

import type { FetchLike } from "../options.ts";

/** One HTTP answer: its status, and its body (whole for 2xx, else at least the start). */
export interface Answer {
  status: number;
  statusText: string;
  body: string;
  /** The Retry-After header of a non-2xx answer, as sent. */
  retryAfter?: string;
}

/**
 * Posts `body` to `url` and resolves once the answer is read. Redirects are
 * answers, never followed: following one would resend the API key.
 */
export type Sender = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal | undefined,
) => Promise<Answer>;

/**
 * A Sender that enforces a deadline itself, without an AbortSignal: it
 * rejects with Expired (src/_deadline.ts) once `until` (a `performance.now()`
 * time) has passed, and follows `signal` (the caller's, if any) like a Sender.
 */
export type TimedSender = (
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal | undefined,
  until: number,
) => Promise<Answer>;

/** A client's transport. */
export interface Transport {
  send: Sender;
  /** The same transport enforcing deadlines without a signal, when it can. */
  timed?: TimedSender;
  /**
   * True when `send` honours the signal to the end of the body and its request
   * in flight keeps the process alive (not a custom fetch).
   */
  native: boolean;
  /**
   * True where calls due in the same millisecond had better share one
   * timeout signal than each make an AbortController (Bun's fetch: see
   * src/_signal_pool.ts and bench/analysis.md).
   */
  shareSignals?: boolean;
  /**
   * The runtime's own fetch under `send` (a native transport over fetch),
   * for the request path to call and read itself: in its own frame, one
   * async function less per call than through `send` (bench/analysis.md).
   */
  direct?: { fetch: FetchLike; maxBytes: number };
  close(): Promise<void>;
}

/** Bytes of a non-2xx body read for the error message; the rest is discarded. */
export const EXCERPT_BYTES = 512;

/** Rejection of a Sender whose answer's body is longer than the client's maxResponseBytes. */
export class TooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the answer is longer than ${limit} bytes`);
    this.name = "TooLarge";
  }
}
