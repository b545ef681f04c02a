// The public half of a signing key as a JWKS entry: exactly the members
// Centrifugo's verifier needs (`kty`, `kid`, `use: "sig"`, `alg` and the
// key's public numbers), never a private member, and nothing a runtime adds
// on export (`key_ops`, `ext`, its own `alg` spelling).

import { isCryptoKey, type KeyMaterial, publicMembers, readKey, type TokenKey } from "./keys.ts";

/**
 * A public key as a JSON Web Key, as it appears in a JWK Set: what
 * Centrifugo (and any JOSE library) needs to verify a token whose header
 * carries its `kid`.
 *
 * @example An Ed25519 key
 * ```ts
 * import type { PublicJwk } from "@aiocent/aiocent/token";
 *
 * const jwk: PublicJwk = {
 *   kty: "OKP",
 *   kid: "2025-06",
 *   use: "sig",
 *   alg: "EdDSA",
 *   crv: "Ed25519",
 *   x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
 * };
 * ```
 */
export interface PublicJwk {
  /** The key type: `RSA`, `EC` (P-256) or `OKP` (Ed25519). */
  kty: "RSA" | "EC" | "OKP";
  /** The key ID, matched against the token header's `kid`. */
  kid: string;
  /** Always `"sig"`: Centrifugo skips keys without it. */
  use: "sig";
  /** The algorithm the key verifies. */
  alg: "RS256" | "ES256" | "EdDSA";
  /** RSA modulus. */
  n?: string;
  /** RSA public exponent. */
  e?: string;
  /** The curve: `P-256` or `Ed25519`. */
  crv?: string;
  /** The public point's x coordinate (EC), or the public key (OKP). */
  x?: string;
  /** The public point's y coordinate (EC). */
  y?: string;
}

/**
 * A JSON Web Key Set (RFC 7517): what a JWKS endpoint serves.
 *
 * @example A set of one key
 * ```ts
 * import type { JsonWebKeySet } from "@aiocent/aiocent/token";
 *
 * const set: JsonWebKeySet = {
 *   keys: [{ kty: "OKP", kid: "k1", use: "sig", alg: "EdDSA", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }],
 * };
 * ```
 */
export interface JsonWebKeySet {
  /** The public keys. */
  keys: PublicJwk[];
}

/**
 * A key to publish in a JWK Set, under its key ID: the private key that
 * signs (PEM, JWK, an extractable `CryptoKey`, or the `CryptoKeyPair`), or
 * only its public half (PEM `PUBLIC KEY`, a public JWK or `CryptoKey`).
 *
 * @example A key pair under its ID
 * ```ts
 * import type { PublishedKey } from "@aiocent/aiocent/token";
 *
 * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const published: PublishedKey = { kid: "2025-06", key: pair };
 * ```
 */
export interface PublishedKey {
  /** The key ID; never give it to another key (Centrifugo caches keys by ID). */
  kid: string;
  /** The key, or its public half. */
  key: TokenKey | CryptoKeyPair;
}

/** Whether `value` is a `CryptoKeyPair` (a plain object of two CryptoKeys). */
export function isCryptoKeyPair(value: unknown): value is CryptoKeyPair {
  const pair = value as CryptoKeyPair | null;
  return typeof pair === "object" && pair !== null && isCryptoKey(pair.privateKey) &&
    isCryptoKey(pair.publicKey);
}

/** Checks a key ID: a non-empty string without control characters. */
export function checkKid(fn: string, kid: unknown): string {
  // deno-lint-ignore no-control-regex
  if (typeof kid !== "string" || kid === "" || /[\x00-\x1f\x7f]/.test(kid)) {
    throw new TypeError(`${fn}: kid must be a non-empty string without control characters`);
  }
  return kid;
}

const JOSE_ALG = { RS256: "RS256", ES256: "ES256", EdDSA: "EdDSA" } as const;

/** The material of a published key's public half (a pair gives its public key). */
export function publishedMaterial(fn: string, key: unknown): KeyMaterial {
  return readKey(fn, isCryptoKeyPair(key) ? key.publicKey : key, undefined, true);
}

/** The JWKS entry of `material`'s key under `kid`. */
export async function publicJwk(
  fn: string,
  kid: string,
  material: KeyMaterial,
): Promise<PublicJwk> {
  const members = await publicMembers(fn, material);
  const { kty, ...numbers } = members;
  return {
    kty: kty as PublicJwk["kty"],
    kid,
    use: "sig",
    alg: JOSE_ALG[material.alg as keyof typeof JOSE_ALG],
    ...numbers,
  };
}
