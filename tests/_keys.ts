// Throwaway signing keys for token tests, made with WebCrypto at test time:
// the private key in the forms the token helpers accept, and the public key
// as the SPKI PEM that Centrifugo's config takes.

export function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** PEM text of DER bytes under `label`. */
export function pem(label: string, der: Uint8Array): string {
  const lines = base64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** A generated key pair in every form the tests need. */
export interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** PKCS#8 "PRIVATE KEY". */
  pkcs8Pem: string;
  /** The private key as a JWK. */
  jwk: JsonWebKey;
  /** SPKI "PUBLIC KEY", the form Centrifugo's config takes. */
  publicPem: string;
}

export async function keyPair(
  algorithm: RsaHashedKeyGenParams | EcKeyGenParams | "Ed25519",
): Promise<KeyPair> {
  const pair = await crypto.subtle.generateKey(algorithm, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  return {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    pkcs8Pem: pem("PRIVATE KEY", pkcs8),
    jwk: await crypto.subtle.exportKey("jwk", pair.privateKey),
    publicPem: pem(
      "PUBLIC KEY",
      new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)),
    ),
  };
}

export const rsaParams: RsaHashedKeyGenParams = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};
export const ecParams: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };

const hex = (bytes: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** HMAC-SHA-256 of `message` under `secret`, with WebCrypto: the test oracles' signing. */
export async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}

/**
 * The signature a backend gives a subscriber for the shared-poll keys it may
 * track, written from Centrifugo's check (internal/client/track_signature.go),
 * independently of the library: `iat:exp:` and the hex HMAC-SHA256 under
 * `secret` of iat, exp, user, channel and the hex SHA-256 of the keys,
 * NUL-separated; valid for an hour.
 */
export async function trackSignature(
  secret: string,
  user: string,
  channel: string,
  keys: string[],
): Promise<string> {
  const encoder = new TextEncoder();
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 3600;
  const keysHash = hex(await crypto.subtle.digest("SHA-256", encoder.encode(keys.join("\0"))));
  const message = `${iat}\0${exp}\0${user}\0${channel}\0${keysHash}`;
  return `${iat}:${exp}:${hex(await hmacSha256(secret, message))}`;
}
