// The path every token takes: options and claims checked first (no key is
// imported for a token that would be refused), then the key or the ring's
// active key, then the JWS. A ring also bounds the token's lifetime, since
// its replaced keys are published only that long.

import { checkClaims, type CheckedOptions, checkOptions, type ClaimSpec } from "./claims.ts";
import { signJws } from "./jws.ts";
import { KeyRing, ringSigner } from "./key_ring.ts";
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

/** Checks everything, then signs `claims` with `key` (a key or a {@linkcode KeyRing}). */
export async function signToken(
  fn: string,
  spec: ClaimSpec,
  claims: unknown,
  key: unknown,
  options: unknown,
  rules: TokenRules = {},
): Promise<string> {
  const opts = checkOptions(fn, options, rules.options);
  const ring = key instanceof KeyRing ? key : undefined;
  if (ring !== undefined) {
    if (opts.keyId !== undefined) {
      throw new TypeError(
        `${fn}: a KeyRing writes the kid of its active key; drop the keyId option`,
      );
    }
    if (opts.expiresIn === "never") {
      throw new TypeError(
        `${fn}: tokens signed from a KeyRing expire within its maxTokenLifetime ` +
          `(${ring.maxTokenLifetime} s), not "never"`,
      );
    }
  }
  let payload = checkClaims(fn, spec, claims, opts);
  if (rules.finish) payload = rules.finish(fn, payload, opts);
  if (ring !== undefined) {
    const lifetime = (payload.exp as number) - Math.floor(Date.now() / 1000);
    if (lifetime > ring.maxTokenLifetime) {
      throw new TypeError(
        `${fn}: the token would live ${lifetime} s, longer than the KeyRing's maxTokenLifetime ` +
          `(${ring.maxTokenLifetime} s) for which its replaced keys stay published`,
      );
    }
  }
  let chosen: Signer;
  let kid: string | undefined;
  if (ring !== undefined) {
    ({ signer: chosen, kid } = ringSigner(ring, fn));
    if (opts.algorithm !== undefined && opts.algorithm !== chosen.alg) {
      throw new TypeError(
        `${fn}: the KeyRing's active key (${kid}) signs ${chosen.alg}, not ${opts.algorithm}`,
      );
    }
  } else {
    chosen = await signer(fn, key, opts.algorithm);
    kid = opts.keyId;
  }
  rules.check?.(fn, chosen, kid);
  return await signJws(fn, chosen, payload, kid);
}
