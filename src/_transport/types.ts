// What a transport provides: a way to post one body and read the answer (the
// runtime's fetch, a TimedSender or a Sender), and a way to release what it
// holds. The request path (src/_request.ts) is written against these alone.

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

/**
 * A client's transport: one of three ways to send, each with what the request
 * path needs of it and nothing it would not call.
 */
export type Transport = FetchTransport | TimedTransport | CustomTransport;

/** What every kind of transport has besides its way to send. */
interface TransportCommon {
  /**
   * True where calls due in the same millisecond had better share one
   * timeout signal than each make an AbortController (Bun's fetch: see
   * src/_signal_pool.ts and bench/analysis.md).
   */
  readonly shareSignals?: boolean;
  close(): Promise<void>;
}

/**
 * The runtime's own fetch, with the settings it applies: the request path
 * calls it and reads the answer in its own frame, one async function less per
 * call than through a Sender (bench/analysis.md). It honours the signal to the
 * end of the body, and its request in flight keeps the process alive.
 */
export interface FetchTransport extends TransportCommon {
  readonly fetch: FetchLike;
  /** The most bytes of a 2xx body read (the client's maxResponseBytes). */
  readonly maxBytes: number;
}

/** A transport that enforces deadlines itself, without a signal (node:http). */
export interface TimedTransport extends TransportCommon {
  readonly timed: TimedSender;
}

/**
 * The caller's fetch: it may ignore the signal and may not keep the process
 * alive, so the request path races it against the deadline.
 */
export interface CustomTransport extends TransportCommon {
  readonly send: Sender;
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
