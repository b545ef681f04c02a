// Retries of a broadcast whose channels failed one by one: only the channels
// whose error may pass (Centrifugo's "too many requests", or an error it
// marks temporary) are sent again, with the same idempotency_key, within the
// call's deadline; each channel keeps its last outcome.

import { isRetryable } from "./errors.ts";
import type { BroadcastResponse, BroadcastResult } from "./_generated/api.ts";
import type { Deadline } from "./_deadline.ts";
import { backoff, type RetryPolicy, sleep } from "./_retry.ts";

/** Sends a broadcast to `channels` (the call's params otherwise); resolves with its result. */
export type Resend = (channels: string[]) => Promise<BroadcastResult>;

/** `first` with its retryable channels retried by `resend`, as the policy allows. */
export async function retryChannels(
  first: BroadcastResult,
  policy: RetryPolicy,
  budget: Deadline,
  resend: Resend,
): Promise<BroadcastResult> {
  const responses: BroadcastResponse[] = [...first.responses];
  for (let n = 1; n < policy.attempts; n++) {
    const again = responses.flatMap((r, i) => !r.ok && isRetryable(r.error) ? [i] : []);
    if (again.length === 0) break;
    const delay = backoff(policy, n);
    if (delay >= budget.timeout - (performance.now() - budget.started)) break;
    if (!await sleep(delay, budget.user)) break;
    let result: BroadcastResult;
    try {
      result = await resend(again.map((i) => responses[i]!.channel));
    } catch {
      // The resend failed as a whole: each channel keeps its last outcome.
      break;
    }
    result.responses.forEach((response, k) => {
      const error = response.ok ? undefined : response.error;
      if (error) error.attempts = n + 1;
      responses[again[k]!] = response;
    });
  }
  return { responses };
}
