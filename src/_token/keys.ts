// Turning a key into WebCrypto keys: an HMAC secret, a JWK, a PEM key or a
// CryptoKey becomes the key that signs (and, for the JWKS, the public half
// that verifies). Errors name the kind of key and what was expected, never the
// key itself: they end up in logs.

import { describe, isPlainObject } from "../_validate.ts";
import { utf8 } from "./base64.ts";
import {
  OID_EC,
  OID_ED25519,
  OID_P256,
  OID_RSA,
  pkcs1PublicToSpki,
  pkcs1ToPkcs8,
  pkcs8Algorithm,
  sec1Curve,
  sec1ToPkcs8,
  spkiAlgorithm,
} from "./der.ts";
import { looksLikePem, PRIVATE_LABELS, PUBLIC_LABELS, readPem } from "./pem.ts";

/**
 * A JWS algorithm a token can be signed with. Centrifugo enables each one when
 * the matching key is configured: `client.token.hmac_secret_key` for HS256,
 * `rsa_public_key` for RS256, `ecdsa_public_key` (P-256) for ES256, and a
 * `jwks_public_endpoint` for RS256, ES256 and EdDSA (Ed25519; Centrifugo
 * v6.9 verifies it only through a JWKS).
 *
 * @example Force RS256 for a JWK
 * ```ts
 * import type { TokenAlgorithm } from "@aiocent/aiocent/token";
 *
 * const algorithm: TokenAlgorithm = "RS256";
 * ```
 */
export type TokenAlgorithm = "HS256" | "RS256" | "ES256" | "EdDSA";

/**
 * A key to sign tokens with:
 *
 * - HS256: the shared secret, as a string (its UTF-8 bytes, exactly as
 *   Centrifugo reads `hmac_secret_key`) or as bytes;
 * - RS256 / ES256 / EdDSA: the private key as PEM (PKCS#8 `PRIVATE KEY`;
 *   PKCS#1 `RSA PRIVATE KEY` and SEC1 `EC PRIVATE KEY` are converted), as a
 *   private JWK (`kty` `RSA`, `EC` on P-256, `OKP` on Ed25519), or as a
 *   `CryptoKey` that can `sign`;
 * - any algorithm: a `CryptoKey` from {@linkcode importTokenKey}, which saves
 *   parsing the key again for every token.
 *
 * The token functions also take a {@linkcode KeyRing}, which picks the key by
 * activation time and writes its `kid`.
 *
 * @example The kinds of keys
 * ```ts
 * import type { TokenKey } from "@aiocent/aiocent/token";
 *
 * const secret: TokenKey = "my-hmac-secret";
 * const pem: TokenKey = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n";
 * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const cryptoKey: TokenKey = pair.privateKey;
 * console.log(secret, pem, cryptoKey);
 * ```
 */
export type TokenKey = string | Uint8Array | JsonWebKey | CryptoKey;

/** The algorithm names, in the order error messages list them. */
export const ALGORITHMS: readonly TokenAlgorithm[] = ["HS256", "RS256", "ES256", "EdDSA"];

/** A key ready to sign, and the algorithm it signs. */
export interface Signer {
  alg: TokenAlgorithm;
  key: CryptoKey;
}

/** WebCrypto's name for each algorithm's keys. */
export const IMPORT_PARAMS = {
  HS256: { name: "HMAC", hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  // WebCrypto's name; "EdDSA" is only JOSE's, and every runtime refuses it here.
  EdDSA: { name: "Ed25519" },
} as const;

/**
 * A key read but not imported yet: what it signs (or verifies), whether it is
 * the private half, and how WebCrypto imports it.
 */
export type KeyMaterial =
  & { alg: TokenAlgorithm; private: boolean; kind: string }
  & (
    | { format: "raw" | "pkcs8" | "spki"; data: Uint8Array<ArrayBuffer> }
    | { format: "jwk"; data: JsonWebKey }
    | { format: "key"; key: CryptoKey }
  );

/** Checks an algorithm name. */
export function checkAlgorithm(fn: string, value: unknown): TokenAlgorithm {
  if (!ALGORITHMS.includes(value as TokenAlgorithm)) {
    throw new TypeError(
      `${fn}: algorithm must be one of ${ALGORITHMS.join(", ")}, got ${describeKey(value)}`,
    );
  }
  return value as TokenAlgorithm;
}

/**
 * The signing key for `key`, checked against `algorithm` when given (otherwise
 * the key decides). `fn` names the public function in error messages.
 */
export async function signer(fn: string, key: unknown, algorithm: unknown): Promise<Signer> {
  const material = readKey(fn, key, algorithm, false);
  return { alg: material.alg, key: await importSigning(fn, material) };
}

/**
 * Reads `key` without importing it. Public keys (PEM `PUBLIC KEY`, a JWK
 * without `d`, a public `CryptoKey`) are refused unless `allowPublic`.
 */
export function readKey(
  fn: string,
  key: unknown,
  algorithm: unknown,
  allowPublic: boolean,
): KeyMaterial {
  const wanted = algorithm === undefined ? undefined : checkAlgorithm(fn, algorithm);
  let material: KeyMaterial;
  if (isCryptoKey(key)) material = cryptoKeyMaterial(fn, key);
  else if (key instanceof Uint8Array) material = secretMaterial(fn, key);
  else if (typeof key === "string") {
    if (looksLikePem(key)) {
      if (wanted === "HS256") {
        throw new TypeError(`${fn}: HS256 needs the shared secret, but the key is a PEM block`);
      }
      material = pemMaterial(fn, key, allowPublic);
    } else material = secretMaterial(fn, utf8(key));
  } else if (isPlainObject(key) && typeof key.kty === "string") {
    material = jwkMaterial(fn, key, allowPublic);
  } else {
    throw new TypeError(
      `${fn}: key must be a secret (string or Uint8Array), a PEM private key, a JWK or a CryptoKey, ` +
        `got ${describeKey(key)}`,
    );
  }
  if (wanted !== undefined && wanted !== material.alg) {
    if (material.alg === "HS256") {
      throw new TypeError(
        `${fn}: ${wanted} needs a private key (PEM, JWK or CryptoKey); the key given is a secret`,
      );
    }
    throw new TypeError(
      `${fn}: the key is ${material.kind}, which signs ${material.alg}, not ${wanted}`,
    );
  }
  if (!material.private && !allowPublic) {
    throw new TypeError(
      material.format === "key"
        ? `${fn}: the CryptoKey is a public key; tokens are signed with the private key`
        : `${fn}: the JWK is a public key (no "d"); tokens are signed with the private key`,
    );
  }
  if (material.format === "key" && material.private && !material.key.usages.includes("sign")) {
    throw new TypeError(`${fn}: the CryptoKey cannot sign (its usages lack "sign")`);
  }
  return material;
}

/** Whether `value` is a CryptoKey (the class exists on every runtime this supports). */
export function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey === "function" && value instanceof CryptoKey;
}

/** `describe`, except that bytes are named as such, not "a value of type object". */
function describeKey(value: unknown): string {
  return value instanceof Uint8Array ? "a Uint8Array" : describe(value);
}

function secretMaterial(fn: string, secret: Uint8Array): KeyMaterial {
  if (secret.length === 0) throw new TypeError(`${fn}: the HMAC secret is empty`);
  return {
    alg: "HS256",
    private: true,
    kind: "a secret",
    format: "raw",
    data: new Uint8Array(secret),
  };
}

function cryptoKeyMaterial(fn: string, key: CryptoKey): KeyMaterial {
  const algorithm = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
  let alg: TokenAlgorithm;
  let kind: string;
  if (algorithm.name === "HMAC" && algorithm.hash?.name === "SHA-256") {
    [alg, kind] = ["HS256", "an HMAC SHA-256 CryptoKey"];
  } else if (algorithm.name === "RSASSA-PKCS1-v1_5" && algorithm.hash?.name === "SHA-256") {
    [alg, kind] = ["RS256", "an RSASSA-PKCS1-v1_5 SHA-256 CryptoKey"];
  } else if (algorithm.name === "ECDSA" && algorithm.namedCurve === "P-256") {
    [alg, kind] = ["ES256", "an ECDSA P-256 CryptoKey"];
  } else if (algorithm.name === "Ed25519") {
    [alg, kind] = ["EdDSA", "an Ed25519 CryptoKey"];
  } else {
    const detail = algorithm.hash?.name ?? algorithm.namedCurve;
    throw new TypeError(
      `${fn}: a CryptoKey for ${algorithm.name}${detail ? ` ${detail}` : ""} cannot sign tokens; ` +
        "use HMAC SHA-256 (HS256), RSASSA-PKCS1-v1_5 SHA-256 (RS256), ECDSA P-256 (ES256) " +
        "or Ed25519 (EdDSA)",
    );
  }
  return { alg, private: key.type !== "public", kind, format: "key", key };
}

/** The members WebCrypto imports for each key type: public first, then private. */
const JWK_MEMBERS: Record<string, { public: string[]; private: string[] }> = {
  RSA: { public: ["n", "e"], private: ["d", "p", "q", "dp", "dq", "qi"] },
  EC: { public: ["crv", "x", "y"], private: ["d"] },
  OKP: { public: ["crv", "x"], private: ["d"] },
  oct: { public: [], private: ["k"] },
};

/** The JOSE `alg` values a JWK of each algorithm may carry (Node and Bun export "Ed25519"). */
const JWK_ALGS: Record<TokenAlgorithm, readonly string[]> = {
  HS256: ["HS256"],
  RS256: ["RS256"],
  ES256: ["ES256"],
  EdDSA: ["EdDSA", "Ed25519"],
};

function jwkMaterial(fn: string, jwk: Record<string, unknown>, allowPublic: boolean): KeyMaterial {
  const crv = typeof jwk.crv === "string" ? jwk.crv : "(none)";
  let alg: TokenAlgorithm;
  if (jwk.kty === "RSA") alg = "RS256";
  else if (jwk.kty === "EC") {
    if (jwk.crv !== "P-256") {
      throw new TypeError(`${fn}: the JWK is an EC key on curve ${crv}; ES256 needs P-256`);
    }
    alg = "ES256";
  } else if (jwk.kty === "OKP") {
    if (jwk.crv !== "Ed25519") {
      throw new TypeError(`${fn}: the JWK is an OKP key on curve ${crv}; EdDSA needs Ed25519`);
    }
    alg = "EdDSA";
  } else if (jwk.kty === "oct") alg = "HS256";
  else {
    throw new TypeError(
      `${fn}: a JWK of kty ${String(jwk.kty)} cannot sign tokens; use RSA, EC, OKP or oct`,
    );
  }
  const kind = `a JWK of kty ${jwk.kty}`;
  if (jwk.alg !== undefined && !JWK_ALGS[alg].includes(jwk.alg as string)) {
    throw new TypeError(`${fn}: the JWK is for alg ${String(jwk.alg)}, not ${alg}`);
  }
  const members = JWK_MEMBERS[jwk.kty as string]!;
  const secret = alg === "HS256" ? "k" : "d";
  const isPrivate = typeof jwk[secret] === "string" && jwk[secret] !== "";
  if (alg === "HS256" && !isPrivate) throw new TypeError(`${fn}: the oct JWK has no secret (k)`);
  if (!isPrivate && !allowPublic) {
    throw new TypeError(
      `${fn}: the JWK is a public key (no "d"); tokens are signed with the private key`,
    );
  }
  // Only the key's own members: a stray key_ops, ext or alg makes some
  // runtimes refuse a key others take.
  const picked: Record<string, unknown> = { kty: jwk.kty };
  for (const name of [...members.public, ...(isPrivate ? members.private : [])]) {
    if (jwk[name] !== undefined) picked[name] = jwk[name];
  }
  for (const name of members.public) {
    // Node refuses an OKP or EC private key without its public part, Deno and
    // Bun take it: asked of every key, the answer is the same everywhere.
    if (typeof picked[name] !== "string" || picked[name] === "") {
      throw new TypeError(`${fn}: the JWK has no "${name}"`);
    }
  }
  return { alg, private: isPrivate, kind, format: "jwk", data: picked as JsonWebKey };
}

function pemMaterial(fn: string, pem: string, allowPublic: boolean): KeyMaterial {
  const labels = allowPublic ? [...PRIVATE_LABELS, ...PUBLIC_LABELS] : PRIVATE_LABELS;
  const { label, der } = readPem(fn, pem, labels, "PRIVATE KEY (PKCS#8)");
  try {
    switch (label) {
      case "PRIVATE KEY":
        return pkcs8Material(fn, der);
      case "RSA PRIVATE KEY":
        return {
          ...RSA_PRIVATE,
          format: "pkcs8",
          data: pkcs1ToPkcs8(der) as Uint8Array<ArrayBuffer>,
        };
      case "EC PRIVATE KEY": {
        const curve = sec1Curve(der);
        if (curve === undefined) {
          throw new TypeError(
            `${fn}: the EC PRIVATE KEY names no curve; convert it to PKCS#8 ("openssl pkcs8 -topk8 -nocrypt")`,
          );
        }
        if (curve !== OID_P256) unsupported(fn, curve);
        return {
          ...EC_PRIVATE,
          format: "pkcs8",
          data: sec1ToPkcs8(der) as Uint8Array<ArrayBuffer>,
        };
      }
      case "PUBLIC KEY":
        return spkiMaterial(fn, der);
      default: // RSA PUBLIC KEY
        return {
          alg: "RS256",
          private: false,
          kind: "an RSA public key",
          format: "spki",
          data: pkcs1PublicToSpki(der) as Uint8Array<ArrayBuffer>,
        };
    }
  } catch (err) {
    // Our own messages pass; the DerError of a malformed key is worded here.
    if (err instanceof TypeError) throw err;
    throw new TypeError(`${fn}: the ${label} PEM block is not a valid DER-encoded key`);
  }
}

const RSA_PRIVATE = { alg: "RS256", private: true, kind: "an RSA private key" } as const;
const EC_PRIVATE = { alg: "ES256", private: true, kind: "a P-256 EC private key" } as const;
const ED_PRIVATE = { alg: "EdDSA", private: true, kind: "an Ed25519 private key" } as const;

function pkcs8Material(fn: string, der: Uint8Array<ArrayBuffer>): KeyMaterial {
  const { oid, curve } = pkcs8Algorithm(der);
  if (oid === OID_RSA) return { ...RSA_PRIVATE, format: "pkcs8", data: der };
  if (oid === OID_ED25519) return { ...ED_PRIVATE, format: "pkcs8", data: der };
  if (oid !== OID_EC) unsupported(fn, oid);
  const curveId = curve();
  if (curveId !== OID_P256) unsupported(fn, curveId);
  return { ...EC_PRIVATE, format: "pkcs8", data: der };
}

function spkiMaterial(fn: string, der: Uint8Array<ArrayBuffer>): KeyMaterial {
  const { oid, curve } = spkiAlgorithm(der);
  const base = { private: false, format: "spki", data: der } as const;
  if (oid === OID_RSA) return { ...base, alg: "RS256", kind: "an RSA public key" };
  if (oid === OID_ED25519) return { ...base, alg: "EdDSA", kind: "an Ed25519 public key" };
  if (oid !== OID_EC) unsupported(fn, oid);
  const curveId = curve();
  if (curveId !== OID_P256) unsupported(fn, curveId);
  return { ...base, alg: "ES256", kind: "a P-256 EC public key" };
}

// Keys tokens cannot be signed with, named for the error message (OIDs as hex).
const OID_NAMES: Record<string, string> = {
  "2a864886f70d01010a": "RSA-PSS",
  "2b81040022": "EC P-384",
  "2b81040023": "EC P-521",
  "2b8104000a": "EC secp256k1",
  "2b6571": "Ed448",
  "2b656e": "X25519",
  "2b656f": "X448",
};

function unsupported(fn: string, oid: string): never {
  const name = OID_NAMES[oid] ?? `with algorithm OID ${oid}`;
  throw new TypeError(
    `${fn}: the key is ${name}; tokens are signed with RSA (RS256), EC P-256 (ES256) ` +
      "or Ed25519 (EdDSA) keys",
  );
}

/**
 * Imports `material` as a key that signs, not extractable. A `CryptoKey` is
 * used as it is.
 */
export async function importSigning(fn: string, material: KeyMaterial): Promise<CryptoKey> {
  if (material.format === "key") return material.key;
  if (material.format === "jwk" && material.alg !== "HS256" && material.alg !== "RS256") {
    // Deno and Bun take an EC or OKP private JWK whose public part belongs to
    // another key (and sign with its d), Node refuses it: checked here, so
    // that it is refused everywhere.
    const given = material.data as Record<string, unknown>;
    const derived = await publicMembers(fn, material);
    if (derived.x !== given.x || derived.y !== given.y) {
      throw new TypeError(`${fn}: the JWK's public part (x, y) is not that of its private key d`);
    }
  }
  return await importAs(fn, material, false);
}

/**
 * Imports `material` with WebCrypto: its private half to sign, or its public
 * half to verify.
 */
async function importAs(
  fn: string,
  material: Exclude<KeyMaterial, { format: "key" }>,
  extractable: boolean,
): Promise<CryptoKey> {
  const usages: KeyUsage[] = material.private ? ["sign"] : ["verify"];
  try {
    return material.format === "jwk"
      ? await crypto.subtle.importKey(
        "jwk",
        material.data,
        IMPORT_PARAMS[material.alg],
        extractable,
        usages,
      )
      : await crypto.subtle.importKey(
        material.format,
        material.data,
        IMPORT_PARAMS[material.alg],
        extractable,
        usages,
      );
  } catch (err) {
    // The runtime's message may describe the key; only its error name is kept.
    const name = err instanceof Error ? err.name : "Error";
    if (material.alg === "EdDSA" && name === "NotSupportedError") throw noEd25519(fn);
    const what = material.private ? "signing" : "public";
    throw new TypeError(
      `${fn}: ${material.kind} could not be imported as an ${material.alg} ${what} key (${name})`,
    );
  }
}

/**
 * The public members of `material`'s key as WebCrypto exports them (RSA `n`,
 * `e`; EC `crv`, `x`, `y`; OKP `crv`, `x`), checked by a round trip through
 * WebCrypto. A private `CryptoKey` must be extractable: its public half
 * cannot be had otherwise.
 */
export async function publicMembers(
  fn: string,
  material: KeyMaterial,
): Promise<Record<string, string>> {
  if (material.alg === "HS256") {
    throw new TypeError(
      `${fn}: an HS256 secret has no public half to publish; Centrifugo checks HMAC tokens ` +
        "with its hmac_secret_key (and ignores it once a JWKS endpoint is set)",
    );
  }
  let key: CryptoKey;
  if (material.format === "key") {
    if (!material.key.extractable) {
      throw new TypeError(
        `${fn}: the public key of a non-extractable private CryptoKey cannot be derived; ` +
          "pass the CryptoKeyPair, its publicKey, or the key as PEM or JWK",
      );
    }
    key = material.key;
  } else key = await importAs(fn, material, true);
  let exported: JsonWebKey;
  try {
    exported = await crypto.subtle.exportKey("jwk", key);
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    throw new TypeError(`${fn}: ${material.kind} could not be exported as a JWK (${name})`);
  }
  const members: Record<string, string> = { kty: String(exported.kty) };
  for (const name of JWK_MEMBERS[members.kty!]?.public ?? []) {
    const value = (exported as Record<string, unknown>)[name];
    if (typeof value === "string") members[name] = value;
  }
  return members;
}

/** The error of a runtime whose WebCrypto has no Ed25519. */
function noEd25519(fn: string): Error {
  const error = new Error(
    `${fn}: the WebCrypto of ${runtimeName()} does not support Ed25519, so it cannot sign or ` +
      "publish EdDSA keys; Deno, Node 20 or newer and Bun do, or use an RS256 or ES256 key",
  );
  error.name = "NotSupportedError";
  return error;
}

/** The runtime this runs on, with its version, for error messages. */
export function runtimeName(): string {
  const g = globalThis as {
    Bun?: { version?: string };
    Deno?: { version?: { deno?: string } };
    process?: { versions?: { node?: string } };
    navigator?: { userAgent?: string };
  };
  // Bun and Deno also have a `process`: asked first.
  if (typeof g.Bun?.version === "string") return `Bun ${g.Bun.version}`;
  if (typeof g.Deno?.version?.deno === "string") return `Deno ${g.Deno.version.deno}`;
  if (typeof g.process?.versions?.node === "string") return `Node ${g.process.versions.node}`;
  return g.navigator?.userAgent || "this runtime";
}
