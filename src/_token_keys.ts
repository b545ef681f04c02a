// Turning a TokenKey into a WebCrypto signing key and its algorithm: an HMAC
// secret, a JWK, a PEM private key or a CryptoKey. Errors name the kind of key
// and what was expected, never the key itself: they end up in logs.

import type { TokenAlgorithm } from "./token.ts";
import { BASE64, checkAlgorithm } from "./_token_claims.ts";
import { describe, isPlainObject } from "./_validate.ts";
import {
  OID_EC,
  OID_P256,
  OID_RSA,
  pkcs1ToPkcs8,
  pkcs8Algorithm,
  sec1Curve,
  sec1ToPkcs8,
} from "./_der.ts";

/** A key ready to sign, and the algorithm it signs. */
export interface Signer {
  alg: TokenAlgorithm;
  key: CryptoKey;
}

const SIGN_PARAMS = {
  HS256: { name: "HMAC", hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
} as const;

const encoder = new TextEncoder();

/**
 * The signing key for `key`, checked against `algorithm` when given (otherwise
 * the key decides). `fn` names the public function in error messages.
 */
export async function signer(fn: string, key: unknown, algorithm: unknown): Promise<Signer> {
  const wanted = algorithm === undefined ? undefined : checkAlgorithm(fn, algorithm);
  if (isCryptoKey(key)) return { alg: cryptoKeyAlgorithm(fn, key, wanted), key };
  if (key instanceof Uint8Array) return await hmacKey(fn, key, wanted);
  if (typeof key === "string") {
    if (/-----BEGIN [A-Z0-9 ]+-----/.test(key)) {
      if (wanted === "HS256") {
        throw new TypeError(`${fn}: HS256 needs the shared secret, but the key is a PEM block`);
      }
      return await pemKey(fn, key, wanted);
    }
    return await hmacKey(fn, encoder.encode(key), wanted);
  }
  if (isPlainObject(key) && typeof key.kty === "string") return await jwkKey(fn, key, wanted);
  // Bytes never get here (they are a secret), so the shared describe fits.
  throw new TypeError(
    `${fn}: key must be a secret (string or Uint8Array), a PEM private key, a JWK or a CryptoKey, ` +
      `got ${describe(key)}`,
  );
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return typeof CryptoKey === "function" && key instanceof CryptoKey;
}

function mismatch(fn: string, kind: string, alg: TokenAlgorithm, wanted: TokenAlgorithm): never {
  throw new TypeError(`${fn}: the key is ${kind}, which signs ${alg}, not ${wanted}`);
}

function cryptoKeyAlgorithm(
  fn: string,
  key: CryptoKey,
  wanted: TokenAlgorithm | undefined,
): TokenAlgorithm {
  const algorithm = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
  let alg: TokenAlgorithm;
  let kind: string;
  if (algorithm.name === "HMAC" && algorithm.hash?.name === "SHA-256") {
    [alg, kind] = ["HS256", "an HMAC SHA-256 CryptoKey"];
  } else if (algorithm.name === "RSASSA-PKCS1-v1_5" && algorithm.hash?.name === "SHA-256") {
    [alg, kind] = ["RS256", "an RSASSA-PKCS1-v1_5 SHA-256 CryptoKey"];
  } else if (algorithm.name === "ECDSA" && algorithm.namedCurve === "P-256") {
    [alg, kind] = ["ES256", "an ECDSA P-256 CryptoKey"];
  } else {
    const detail = algorithm.hash?.name ?? algorithm.namedCurve;
    throw new TypeError(
      `${fn}: a CryptoKey for ${algorithm.name}${detail ? ` ${detail}` : ""} cannot sign tokens; ` +
        "use HMAC SHA-256 (HS256), RSASSA-PKCS1-v1_5 SHA-256 (RS256) or ECDSA P-256 (ES256)",
    );
  }
  if (wanted !== undefined && wanted !== alg) mismatch(fn, kind, alg, wanted);
  if (key.type === "public") {
    throw new TypeError(
      `${fn}: the CryptoKey is a public key; tokens are signed with the private key`,
    );
  }
  if (!key.usages.includes("sign")) {
    throw new TypeError(`${fn}: the CryptoKey cannot sign (its usages lack "sign")`);
  }
  return alg;
}

async function hmacKey(
  fn: string,
  secret: Uint8Array,
  wanted: TokenAlgorithm | undefined,
): Promise<Signer> {
  if (wanted !== undefined && wanted !== "HS256") {
    throw new TypeError(
      `${fn}: ${wanted} needs a private key (PEM, JWK or CryptoKey); the key given is a secret`,
    );
  }
  if (secret.length === 0) throw new TypeError(`${fn}: the HMAC secret is empty`);
  const key = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(secret),
    SIGN_PARAMS.HS256,
    false,
    ["sign"],
  );
  return { alg: "HS256", key };
}

async function jwkKey(
  fn: string,
  jwk: Record<string, unknown>,
  wanted: TokenAlgorithm | undefined,
): Promise<Signer> {
  const fields = (names: string[]) => {
    const picked: Record<string, unknown> = { kty: jwk.kty };
    for (const name of names) if (jwk[name] !== undefined) picked[name] = jwk[name];
    return picked as JsonWebKey;
  };
  let alg: TokenAlgorithm;
  let picked: JsonWebKey;
  let secret: "d" | "k" = "d";
  if (jwk.kty === "RSA") {
    alg = "RS256";
    picked = fields(["n", "e", "d", "p", "q", "dp", "dq", "qi"]);
  } else if (jwk.kty === "EC") {
    if (jwk.crv !== "P-256") {
      throw new TypeError(
        `${fn}: the JWK is an EC key on curve ${
          typeof jwk.crv === "string" ? jwk.crv : "(none)"
        }; ES256 needs P-256`,
      );
    }
    alg = "ES256";
    picked = fields(["crv", "x", "y", "d"]);
  } else if (jwk.kty === "oct") {
    alg = "HS256";
    secret = "k";
    picked = fields(["k"]);
  } else {
    throw new TypeError(
      `${fn}: a JWK of kty ${String(jwk.kty)} cannot sign tokens; use RSA, EC or oct`,
    );
  }
  const kind = `a JWK of kty ${jwk.kty}`;
  if (wanted !== undefined && wanted !== alg) mismatch(fn, kind, alg, wanted);
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new TypeError(`${fn}: the JWK is for alg ${String(jwk.alg)}, not ${alg}`);
  }
  if (typeof jwk[secret] !== "string" || jwk[secret] === "") {
    throw new TypeError(
      alg === "HS256"
        ? `${fn}: the oct JWK has no secret (k)`
        : `${fn}: the JWK is a public key (no "d"); tokens are signed with the private key`,
    );
  }
  return { alg, key: await importOrFail(fn, "jwk", picked, alg, kind) };
}

async function importOrFail(
  fn: string,
  format: "jwk" | "pkcs8",
  data: JsonWebKey | Uint8Array,
  alg: TokenAlgorithm,
  kind: string,
): Promise<CryptoKey> {
  try {
    return format === "jwk"
      ? await crypto.subtle.importKey("jwk", data as JsonWebKey, SIGN_PARAMS[alg], false, ["sign"])
      : await crypto.subtle.importKey(
        "pkcs8",
        new Uint8Array(data as Uint8Array),
        SIGN_PARAMS[alg],
        false,
        ["sign"],
      );
  } catch (err) {
    // The runtime's message may describe the key; only its error name is kept.
    const name = err instanceof Error ? err.name : "Error";
    throw new TypeError(`${fn}: ${kind} could not be imported as an ${alg} signing key (${name})`);
  }
}

const PRIVATE_LABELS = [
  "PRIVATE KEY",
  "RSA PRIVATE KEY",
  "EC PRIVATE KEY",
  "ENCRYPTED PRIVATE KEY",
];

async function pemKey(
  fn: string,
  pem: string,
  wanted: TokenAlgorithm | undefined,
): Promise<Signer> {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  const keys = blocks.filter((m) => PRIVATE_LABELS.includes(m[1]!));
  if (keys.length === 0) {
    const label = blocks[0]?.[1];
    if (label === undefined) throw new TypeError(`${fn}: the key is not a well-formed PEM block`);
    if (/PUBLIC KEY|CERTIFICATE/.test(label)) {
      throw new TypeError(
        `${fn}: the PEM block is a ${label}; tokens are signed with the private key ` +
          "(the public key goes into Centrifugo's config)",
      );
    }
    throw new TypeError(`${fn}: unsupported PEM block ${label}; expected PRIVATE KEY (PKCS#8)`);
  }
  if (keys.length > 1) throw new TypeError(`${fn}: the PEM text holds more than one private key`);
  const [, label, body] = keys[0] as RegExpMatchArray & [string, string, string];
  if (label === "ENCRYPTED PRIVATE KEY" || body.includes(":")) {
    throw new TypeError(`${fn}: the PEM private key is encrypted; decrypt it first`);
  }
  const base64 = body.replace(/\s+/g, "");
  if (!BASE64.test(base64) || base64 === "") {
    throw new TypeError(`${fn}: the ${label} PEM block is not valid base64`);
  }
  const der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  let pkcs8: Uint8Array;
  let alg: TokenAlgorithm;
  try {
    if (label === "PRIVATE KEY") {
      [alg, pkcs8] = [pkcs8TokenAlgorithm(fn, der), der];
    } else if (label === "RSA PRIVATE KEY") {
      [alg, pkcs8] = ["RS256", pkcs1ToPkcs8(der)];
    } else {
      checkSec1Curve(fn, der);
      [alg, pkcs8] = ["ES256", sec1ToPkcs8(der)];
    }
  } catch (err) {
    // Our own messages pass; the DerError of a malformed key is worded here.
    if (err instanceof TypeError) throw err;
    throw new TypeError(`${fn}: the ${label} PEM block is not a valid DER-encoded key`);
  }
  const kind = `${alg === "RS256" ? "an RSA" : "a P-256 EC"} private key`;
  if (wanted !== undefined && wanted !== alg) mismatch(fn, kind, alg, wanted);
  return { alg, key: await importOrFail(fn, "pkcs8", pkcs8, alg, `the ${label} PEM key`) };
}

// Keys tokens cannot be signed with, named for the error message (OIDs as hex).
const OID_NAMES: Record<string, string> = {
  "2a864886f70d01010a": "RSA-PSS",
  "2b81040022": "EC P-384",
  "2b81040023": "EC P-521",
  "2b8104000a": "EC secp256k1",
  "2b6570": "Ed25519",
  "2b6571": "Ed448",
  "2b656e": "X25519",
  "2b656f": "X448",
};

function unsupported(fn: string, oid: string): never {
  const name = OID_NAMES[oid] ?? `with algorithm OID ${oid}`;
  throw new TypeError(
    `${fn}: the private key is ${name}; tokens are signed with RSA (RS256) or EC P-256 (ES256) keys`,
  );
}

function pkcs8TokenAlgorithm(fn: string, der: Uint8Array): TokenAlgorithm {
  const { oid, curve } = pkcs8Algorithm(der);
  if (oid === OID_RSA) return "RS256";
  if (oid !== OID_EC) unsupported(fn, oid);
  const curveId = curve();
  if (curveId !== OID_P256) unsupported(fn, curveId);
  return "ES256";
}

function checkSec1Curve(fn: string, der: Uint8Array): void {
  const curve = sec1Curve(der);
  if (curve === undefined) {
    throw new TypeError(
      `${fn}: the EC PRIVATE KEY names no curve; convert it to PKCS#8 ("openssl pkcs8 -topk8 -nocrypt")`,
    );
  }
  if (curve !== OID_P256) unsupported(fn, curve);
}
