// The path every token takes: options and claims checked first (no key is
// imported for a token that would be refused), then the key, then the JWS.

import { checkClaims, type CheckedOptions, checkOptions, type ClaimSpec } from "./claims.ts";
import { signJws } from "./jws.ts";
import { type Signer, signer } from "./keys.ts";

/** What a kind of token asks of its key and options beyond the common checks. */
export interface TokenRules {
  /** The option names the function takes. */
  options?: readonly string[];
  /** Checks the payload and options, and turns the payload into the one signed (before any key is imported). */
  finish?: (
    fn: string,
    payload: Record<string, unknown>,
    options: CheckedOptions,
  ) => Record<string, unknown>;
  /** Checks the key chosen, before signing. */
  check?: (fn: string, signer: Signer, kid: string | undefined) => void;
}

/** Checks everything, then signs `claims` with `key`. */
export async function signToken(
  fn: string,
  spec: ClaimSpec,
  claims: unknown,
  key: unknown,
  options: unknown,
  rules: TokenRules = {},
): Promise<string> {
  const opts = checkOptions(fn, options, rules.options);
  let payload = checkClaims(fn, spec, claims, opts);
  if (rules.finish) payload = rules.finish(fn, payload, opts);
  const chosen = await signer(fn, key, opts.algorithm);
  const kid = opts.keyId;
  rules.check?.(fn, chosen, kid);
  return await signJws(fn, chosen, payload, kid);
}
