// Standard base64 (RFC 4648 §4, with padding, as Go's base64.StdEncoding
// reads and writes it) on every runtime: the built-in Uint8Array methods
// where the runtime has them, else atob/btoa.

interface Base64Uint8Array {
  fromBase64?: (text: string) => Uint8Array;
}
interface Base64Bytes {
  toBase64?: () => string;
}

const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether `text` is padded standard base64, as Go's StdEncoding decodes it. */
export function isBase64(text: string): boolean {
  return STRICT.test(text);
}

/** The bytes of padded standard base64 `text`, or undefined if it is not that. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!STRICT.test(text)) return undefined;
  const native = (Uint8Array as unknown as Base64Uint8Array).fromBase64;
  if (native) return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `bytes` as padded standard base64. */
export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Base64Bytes).toBase64;
  if (typeof native === "function") return native.call(bytes);
  let binary = "";
  // Chunks keep String.fromCharCode's argument list short.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
