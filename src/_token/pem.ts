// PEM text: finds the one key block in it (text around it, as openssl pkcs12
// writes, is skipped) and decodes its body. Errors name the block's label,
// never its content.

import { BASE64, fromBase64 } from "./base64.ts";

/** Labels of private key blocks. */
export const PRIVATE_LABELS: readonly string[] = [
  "PRIVATE KEY",
  "RSA PRIVATE KEY",
  "EC PRIVATE KEY",
  "ENCRYPTED PRIVATE KEY",
  "OPENSSH PRIVATE KEY",
];

/** Labels of public key blocks. */
export const PUBLIC_LABELS: readonly string[] = ["PUBLIC KEY", "RSA PUBLIC KEY"];

/** Whether `text` holds a PEM block, and so is not a secret. */
export function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

/** A decoded PEM block. */
export interface PemBlock {
  label: string;
  der: Uint8Array<ArrayBuffer>;
}

/**
 * The one block of `pem` whose label is in `labels`. `wanted` words what was
 * expected for the error of a text holding none.
 */
export function readPem(
  fn: string,
  pem: string,
  labels: readonly string[],
  wanted: string,
): PemBlock {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  const keys = blocks.filter((m) => labels.includes(m[1]!));
  if (keys.length === 0) {
    const label = blocks[0]?.[1];
    if (label === undefined) throw new TypeError(`${fn}: the key is not a well-formed PEM block`);
    if (/PUBLIC KEY|CERTIFICATE/.test(label)) {
      throw new TypeError(
        `${fn}: the PEM block is a ${label}; tokens are signed with the private key ` +
          "(the public key goes into Centrifugo's config or a JWKS)",
      );
    }
    throw new TypeError(`${fn}: unsupported PEM block ${label}; expected ${wanted}`);
  }
  if (keys.length > 1) throw new TypeError(`${fn}: the PEM text holds more than one key`);
  const [, label, body] = keys[0] as RegExpMatchArray & [string, string, string];
  if (label === "ENCRYPTED PRIVATE KEY" || body.includes(":")) {
    throw new TypeError(`${fn}: the PEM private key is encrypted; decrypt it first`);
  }
  if (label === "OPENSSH PRIVATE KEY") {
    throw new TypeError(
      `${fn}: the key is in OpenSSH's own format; convert it to PKCS#8 ` +
        '("ssh-keygen -p -m PKCS8 -f <file>", which rewrites the file in place)',
    );
  }
  const base64 = body.replace(/\s+/g, "");
  if (!BASE64.test(base64) || base64 === "") {
    throw new TypeError(`${fn}: the ${label} PEM block is not valid base64`);
  }
  return { label, der: fromBase64(base64) };
}
