// The compact JWS serialization of a token: base64url(header) "."
// base64url(payload) "." base64url(signature), signed with WebCrypto.

import { b64url, utf8 } from "./base64.ts";
import type { Signer, TokenAlgorithm } from "./keys.ts";

/** WebCrypto's parameters for signing with each algorithm. */
const SIGN_PARAMS: Record<TokenAlgorithm, AlgorithmIdentifier | EcdsaParams> = {
  HS256: { name: "HMAC" },
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
  EdDSA: { name: "Ed25519" },
};

/** Signs `payload` as a compact JWS: header `{alg, typ: "JWT", kid?}`. */
export async function signJws(
  fn: string,
  signer: Signer,
  payload: Record<string, unknown>,
  keyId: string | undefined,
): Promise<string> {
  const header: Record<string, string> = { alg: signer.alg, typ: "JWT" };
  if (keyId !== undefined) header.kid = keyId;
  const input = `${b64url(utf8(JSON.stringify(header)))}.${b64url(utf8(JSON.stringify(payload)))}`;
  const signature = new Uint8Array(
    await crypto.subtle.sign(SIGN_PARAMS[signer.alg], signer.key, utf8(input)),
  );
  // JWS wants ECDSA signatures as r || s (32 bytes each for P-256), which is
  // what WebCrypto returns; Centrifugo rejects any other length. Ed25519
  // signatures are 64 bytes too.
  if ((signer.alg === "ES256" || signer.alg === "EdDSA") && signature.length !== 64) {
    throw new Error(`${fn}: unexpected ${signer.alg} signature of ${signature.length} bytes`);
  }
  return `${input}.${b64url(signature)}`;
}
