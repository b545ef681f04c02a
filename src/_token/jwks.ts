// The JWK Set of the public halves of signing keys, and the Web-standard
// handler serving it at the URL Centrifugo fetches keys from
// (client.token.jwks_public_endpoint, or PRO's http_api.jwks.endpoint).

import type { WebHandler } from "../_http/node.ts";
import { plain } from "../_http/body.ts";
import { describe, isPlainObject } from "../_validate.ts";
import { BASE64URL } from "./base64.ts";
import { KeyRing } from "./key_ring.ts";
import {
  checkKid,
  type JsonWebKeySet,
  type PublicJwk,
  publicJwk,
  type PublishedKey,
  publishedMaterial,
} from "./public_jwk.ts";

/**
 * The JWK Set of `keys`' public halves, each under its `kid` with
 * `use: "sig"` and its `alg` (`RS256`, `ES256` or `EdDSA`): what Centrifugo
 * verifies tokens with when `client.token.jwks_public_endpoint` points at
 * it. Centrifugo refuses a token without a `kid`, or whose `kid` the set
 * lacks.
 *
 * @param keys The keys under their IDs (private or public halves), or a
 *   {@linkcode KeyRing} (its {@linkcode KeyRing.jwks} of now).
 * @returns The set.
 * @throws {TypeError} A key is invalid or an HMAC secret, a kid is missing or
 *   repeated (the promise rejects).
 *
 * @example The set of an Ed25519 and a P-256 key
 * ```ts
 * import { jwks } from "@aiocent/aiocent/token";
 *
 * const ed = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const ec = await crypto.subtle.generateKey(
 *   { name: "ECDSA", namedCurve: "P-256" },
 *   false,
 *   ["sign", "verify"],
 * );
 * const set = await jwks([{ kid: "ed-1", key: ed }, { kid: "ec-1", key: ec.publicKey }]);
 * console.log(set.keys.map(({ kid, kty, alg }) => `${kid} ${kty} ${alg}`)); // ["ed-1 OKP EdDSA", "ec-1 EC ES256"]
 * ```
 */
export async function jwks(keys: KeyRing | readonly PublishedKey[]): Promise<JsonWebKeySet> {
  const fn = "jwks";
  if (keys instanceof KeyRing) return keys.jwks();
  if (!Array.isArray(keys)) {
    throw new TypeError(`${fn}: keys must be a KeyRing or an array of { kid, key }`);
  }
  const seen = new Set<string>();
  const read = keys.map((entry) => {
    if (!isPlainObject(entry)) throw new TypeError(`${fn}: each key must be { kid, key }`);
    for (const name in entry) {
      if (name !== "kid" && name !== "key") {
        throw new TypeError(`${fn}: unknown key field ${name}; known: kid, key`);
      }
    }
    const kid = checkKid(fn, entry.kid);
    if (seen.has(kid)) throw new TypeError(`${fn}: the kid ${kid} is given twice`);
    seen.add(kid);
    const where = `${fn} (kid ${kid})`;
    return { kid, where, material: publishedMaterial(where, entry.key) };
  });
  return {
    keys: await Promise.all(
      read.map(({ kid, where, material }) => publicJwk(where, kid, material)),
    ),
  };
}

/**
 * Options of {@linkcode jwksHandler}.
 *
 * @example Let caches keep the set for a minute
 * ```ts
 * import type { JwksHandlerOptions } from "@aiocent/aiocent/token";
 *
 * const options: JwksHandlerOptions = { maxAge: 60 };
 * ```
 */
export interface JwksHandlerOptions {
  /**
   * Seconds HTTP caches between Centrifugo and the handler may keep the set
   * (`cache-control: public, max-age=…`). Default 300. Add keys at least this
   * long before they activate. Centrifugo itself ignores it: it fetches the
   * set when a token names a kid it does not hold, and keeps each key for an
   * hour after its last use.
   */
  maxAge?: number;
}

/**
 * A Web-standard handler serving a JWK Set at the URL set as Centrifugo's
 * `client.token.jwks_public_endpoint` (or PRO's `http_api.jwks.endpoint`):
 * `GET` and `HEAD` get the set as JSON, anything else a 405. Given a
 * {@linkcode KeyRing}, it serves the ring's set of the moment, so keys added
 * and retired are published without a restart of anything.
 *
 * @param source A {@linkcode KeyRing}, or a set from {@linkcode jwks}.
 * @param options `maxAge`.
 * @returns The handler (Deno.serve, Bun.serve, Hono, Workers; Node through
 *   `toNodeHandler` of `@aiocent/aiocent/node`).
 * @throws {TypeError} The set holds a private or malformed key, or an option is invalid.
 *
 * @example Serve a ring's keys
 * ```ts
 * import { jwksHandler, KeyRing } from "@aiocent/aiocent/token";
 *
 * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const ring = await KeyRing.create([{ kid: "k1", key: pair }], { maxTokenLifetime: 900 });
 * const handler = jwksHandler(ring);
 * // Deno.serve({ port: 3000 }, handler), and in Centrifugo's config:
 * // "client": { "token": { "jwks_public_endpoint": "http://localhost:3000/jwks" } }
 * const res = await handler(new Request("http://localhost:3000/jwks"));
 * console.log(res.status, (await res.json()).keys[0].kid); // 200 k1
 * ```
 */
export function jwksHandler(
  source: KeyRing | JsonWebKeySet,
  options: JwksHandlerOptions = {},
): WebHandler {
  const fn = "jwksHandler";
  if (!isPlainObject(options)) throw new TypeError(`${fn}: options must be a plain object`);
  for (const name in options) {
    if (name !== "maxAge") throw new TypeError(`${fn}: unknown option ${name}; known: maxAge`);
  }
  const { maxAge = 300 } = options;
  if (!Number.isSafeInteger(maxAge) || (maxAge as number) < 0) {
    throw new TypeError(`${fn}: option maxAge must be a non-negative integer (seconds)`);
  }
  let body: () => string;
  if (source instanceof KeyRing) body = () => JSON.stringify(source.jwks());
  else {
    const text = JSON.stringify(checkSet(fn, source));
    body = () => text;
  }
  const headers = {
    "content-type": "application/json",
    "cache-control": `public, max-age=${maxAge}`,
  };
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      await request.body?.cancel().catch(() => {});
      return plain(405, "method not allowed", { allow: "GET, HEAD" });
    }
    return new Response(request.method === "HEAD" ? null : body(), { headers });
  };
}

/** The members of each key type, as Centrifugo's parser needs them. */
const MEMBERS: Record<string, { alg: string; members: string[]; crv?: string }> = {
  RSA: { alg: "RS256", members: ["n", "e"] },
  EC: { alg: "ES256", members: ["x", "y"], crv: "P-256" },
  OKP: { alg: "EdDSA", members: ["x"], crv: "Ed25519" },
};

/**
 * Checks a set given as it is: public keys only, each with a unique kid,
 * `use: "sig"`, an algorithm it can verify and its members. One key
 * Centrifugo cannot parse makes it refuse the whole set.
 */
function checkSet(fn: string, set: unknown): JsonWebKeySet {
  if (!isPlainObject(set) || !Array.isArray(set.keys)) {
    throw new TypeError(
      `${fn}: source must be a KeyRing or a JWK Set { keys: [...] }, got ${describe(set)}`,
    );
  }
  if (set.keys.length === 0) {
    throw new TypeError(`${fn}: the set has no keys (Centrifugo takes an empty set for an error)`);
  }
  const seen = new Set<string>();
  const keys = set.keys.map((key: unknown): PublicJwk => {
    if (!isPlainObject(key)) throw new TypeError(`${fn}: each key must be a JWK object`);
    const kid = checkKid(fn, key.kid);
    const where = `${fn}: key ${kid}`;
    if (seen.has(kid)) throw new TypeError(`${fn}: the kid ${kid} is given twice`);
    seen.add(kid);
    const spec = MEMBERS[key.kty as string];
    if (spec === undefined) {
      throw new TypeError(`${where} has kty ${String(key.kty)}; RSA, EC and OKP are published`);
    }
    for (const secret of ["d", "p", "q", "dp", "dq", "qi", "k", "oth"]) {
      if (key[secret] !== undefined) {
        throw new TypeError(
          `${where} holds the private member ${secret}; publish public keys only`,
        );
      }
    }
    if (key.use !== "sig") {
      throw new TypeError(`${where} needs use "sig" (Centrifugo skips others)`);
    }
    if (key.alg !== undefined && key.alg !== spec.alg) {
      throw new TypeError(
        `${where} has alg ${String(key.alg)}; a ${key.kty} key verifies ${spec.alg}`,
      );
    }
    if (spec.crv !== undefined && key.crv !== spec.crv) {
      throw new TypeError(`${where} is on curve ${String(key.crv)}, not ${spec.crv}`);
    }
    for (const member of spec.members) {
      const value = key[member];
      if (typeof value !== "string" || value === "" || !BASE64URL.test(value)) {
        throw new TypeError(`${where} has no valid ${member} (base64url)`);
      }
    }
    return { ...key } as unknown as PublicJwk;
  });
  return { keys };
}
