// DER, just enough to read the algorithm of a PKCS#8 private key or an SPKI
// public key, to wrap PKCS#1 and SEC1 private keys into PKCS#8 (the only
// private key format WebCrypto imports) and a PKCS#1 public key into SPKI.
// OIDs are compared as the hex of their encoded bytes, which saves decoding
// them. Malformed input throws a DerError, never a TypeError: the caller words
// it, and lets its own TypeErrors through.

import { hex } from "./base64.ts";

/** rsaEncryption. */
export const OID_RSA = "2a864886f70d010101";
/** id-ecPublicKey. */
export const OID_EC = "2a8648ce3d0201";
/** prime256v1 (P-256). */
export const OID_P256 = "2a8648ce3d030107";
/** Ed25519 (RFC 8410), which signs EdDSA. */
export const OID_ED25519 = "2b6570";

/** The input is not the DER structure expected. */
class DerError extends Error {
  override name = "DerError";
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new DerError();
  const tag = der[pos]!;
  let length = der[pos + 1]!;
  let start = pos + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new DerError();
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start++]!;
  }
  if (start + length > limit) throw new DerError();
  return { tag, start, end: start + length };
}

/** Checks that `der` is one SEQUENCE and nothing else, and returns it. */
function expectSequence(der: Uint8Array): Tlv {
  const top = readTlv(der, 0, der.length);
  if (top.tag !== 0x30 || top.end !== der.length) throw new DerError();
  return top;
}

/** The hex of an OBJECT IDENTIFIER's content. */
function readOid(der: Uint8Array, oid: Tlv): string {
  if (oid.tag !== 0x06) throw new DerError();
  return hex(der.subarray(oid.start, oid.end));
}

/** The algorithm OID of a key, and a reader of its parameters as an OID. */
export interface KeyAlgorithm {
  oid: string;
  /**
   * The parameters as an OID (an EC key's named curve). Read only when asked
   * for, so that a key of an algorithm the caller rejects is reported as such,
   * whatever its parameters.
   */
  curve: () => string;
}

/** Reads the AlgorithmIdentifier SEQUENCE `algorithm`. */
function readAlgorithm(der: Uint8Array, algorithm: Tlv): KeyAlgorithm {
  if (algorithm.tag !== 0x30) throw new DerError();
  const oid = readTlv(der, algorithm.start, algorithm.end);
  const curve = () => {
    if (oid.end >= algorithm.end) throw new DerError();
    return readOid(der, readTlv(der, oid.end, algorithm.end));
  };
  return { oid: readOid(der, oid), curve };
}

/** The algorithm of a PKCS#8 PrivateKeyInfo. */
export function pkcs8Algorithm(der: Uint8Array): KeyAlgorithm {
  const top = expectSequence(der);
  const version = readTlv(der, top.start, top.end);
  if (version.tag !== 0x02) throw new DerError();
  return readAlgorithm(der, readTlv(der, version.end, top.end));
}

/** The algorithm of an X.509 SubjectPublicKeyInfo ("PUBLIC KEY"). */
export function spkiAlgorithm(der: Uint8Array): KeyAlgorithm {
  const top = expectSequence(der);
  const algorithm = readTlv(der, top.start, top.end);
  const key = readTlv(der, algorithm.end, top.end);
  if (key.tag !== 0x03) throw new DerError();
  return readAlgorithm(der, algorithm);
}

/**
 * The named curve OID of a SEC1 ECPrivateKey (its `[0]` parameters), or
 * `undefined` when the key names none.
 */
export function sec1Curve(der: Uint8Array): string | undefined {
  const top = expectSequence(der);
  let pos = top.start;
  while (pos < top.end) {
    const field = readTlv(der, pos, top.end);
    if (field.tag === 0xa0) return readOid(der, readTlv(der, field.start, field.end));
    pos = field.end;
  }
  return undefined;
}

/**
 * A PKCS#1 RSAPrivateKey as PKCS#8. Only its outer SEQUENCE is checked; the
 * rest is WebCrypto's to judge on import.
 */
export function pkcs1ToPkcs8(der: Uint8Array): Uint8Array {
  expectSequence(der);
  return wrapPkcs8(RSA_ALGORITHM, der);
}

/**
 * A PKCS#1 RSAPublicKey ("RSA PUBLIC KEY") as SPKI. Only its outer SEQUENCE
 * is checked; the rest is WebCrypto's to judge on import.
 */
export function pkcs1PublicToSpki(der: Uint8Array): Uint8Array {
  expectSequence(der);
  // The BIT STRING's first byte counts unused bits: none.
  return encodeDer(0x30, RSA_ALGORITHM, encodeDer(0x03, Uint8Array.of(0), der));
}

/** A SEC1 ECPrivateKey as PKCS#8, once {@linkcode sec1Curve} has found it on P-256. */
export function sec1ToPkcs8(der: Uint8Array): Uint8Array {
  return wrapPkcs8(P256_ALGORITHM, der);
}

// AlgorithmIdentifiers: rsaEncryption with NULL parameters; id-ecPublicKey on P-256.
const RSA_ALGORITHM = encodeDer(0x30, encodeDer(0x06, fromHex(OID_RSA)), encodeDer(0x05));
const P256_ALGORITHM = encodeDer(
  0x30,
  encodeDer(0x06, fromHex(OID_EC)),
  encodeDer(0x06, fromHex(OID_P256)),
);

/** A PKCS#8 PrivateKeyInfo (version 0) holding `key` under `algorithm`. */
function wrapPkcs8(algorithm: Uint8Array, key: Uint8Array): Uint8Array {
  return encodeDer(0x30, encodeDer(0x02, Uint8Array.of(0)), algorithm, encodeDer(0x04, key));
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
}

function encodeDer(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const head = [tag];
  if (length < 0x80) head.push(length);
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    head.push(0x80 | bytes.length, ...bytes);
  }
  const out = new Uint8Array(head.length + length);
  out.set(head);
  let offset = head.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
