// Checks a Client's address and options once, at construction, and turns
// them into what the request path uses: every mistake is a TypeError here,
// before anything is sent, and nothing is re-checked per call.

import type { AutoBatchOptions, ClientOptions, FetchLike } from "./options.ts";
import { type RetryPolicy, retryPolicy } from "./_retry.ts";
import type { TlsSettings } from "./_transport/select.ts";
import { legacyFormat, v6Format, type WireFormat } from "./_format.ts";
import { isPro } from "./_request.ts";
import { Secrets } from "./_secrets.ts";
import { BearerAuth } from "./_auth.ts";
import { describe, MAX_TIMER_MS, timeoutArg } from "./_validate.ts";
import { strictStringify } from "./_json.ts";

const DEFAULT_TIMEOUT = 1000;
/** The options a Client takes (the README's table lists exactly these; a test checks). */
export const OPTION_NAMES: ReadonlySet<string> = new Set([
  "apiKey",
  "timeout",
  "fetch",
  "jsonEncoder",
  "headers",
  "verify",
  "caCerts",
  "cert",
  "key",
  "format",
  "retry",
  "autoBatch",
  "maxResponseBytes",
  "bearerToken",
]);

/** The default bound of an answer's body: far above any reply Centrifugo sends in practice. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A Client's checked settings. */
export interface ClientConfig {
  /** The API prefix without a trailing slash. */
  base: string;
  headers: Readonly<Record<string, string>>;
  format: WireFormat;
  timeout: number;
  retry: RetryPolicy | undefined;
  encoder: (value: unknown) => string;
  /** The caller's fetch, if any. */
  fetch: FetchLike | undefined;
  /** TLS settings that need a transport of their own, if any. */
  tls: TlsSettings | undefined;
  autoBatch: Required<AutoBatchOptions> | undefined;
  maxResponseBytes: number;
  /** What errors must never show. */
  secrets: Secrets;
  /** The bearer token source, when the client has one. */
  auth: BearerAuth | undefined;
}

/** Checks `address` and `options`; throws a TypeError for the first mistake. */
export function clientConfig(address: string | URL, options: ClientOptions): ClientConfig {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Client: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) {
      throw new TypeError(
        `Client: unknown option ${key}; known options: ${[...OPTION_NAMES].join(", ")}`,
      );
    }
  }
  const { apiKey, timeout = DEFAULT_TIMEOUT, fetch, jsonEncoder, headers, format = "v6" } = options;
  if (format !== "v6" && format !== "legacy") {
    throw new TypeError(`Client: format must be "v6" or "legacy", got ${describe(format)}`);
  }
  if (fetch !== undefined && typeof fetch !== "function") {
    throw new TypeError(`Client: fetch must be a function, got ${describe(fetch)}`);
  }
  if (jsonEncoder !== undefined && typeof jsonEncoder !== "function") {
    throw new TypeError(`Client: jsonEncoder must be a function, got ${describe(jsonEncoder)}`);
  }
  const tls = tlsSettings(options);
  if (tls && fetch) {
    throw new TypeError(
      "Client: verify, caCerts, cert and key cannot be combined with a custom fetch; " +
        "configure TLS in that fetch instead",
    );
  }
  const legacy = format === "legacy";
  const wire = (legacy ? legacyFormat : v6Format)(proHint);
  const { bearerToken, maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES } = options;
  if (bearerToken !== undefined) {
    if (typeof bearerToken !== "function" && (typeof bearerToken !== "string" || !bearerToken)) {
      // Only the type: the value is a secret.
      throw new TypeError(
        "Client: bearerToken must be a non-empty string or a function returning one, got " +
          (bearerToken === "" ? "an empty string" : `a value of type ${typeof bearerToken}`),
      );
    }
    if (apiKey !== undefined) {
      throw new TypeError("Client: give apiKey or bearerToken, not both");
    }
    if (legacy) throw new TypeError('Client: bearerToken needs the "v6" format');
    if (typeof bearerToken === "string" && /[\r\n]/.test(bearerToken)) {
      throw new TypeError("Client: bearerToken contains characters not allowed in an HTTP header");
    }
  }
  if (
    typeof maxResponseBytes !== "number" || !Number.isSafeInteger(maxResponseBytes) ||
    maxResponseBytes < 1
  ) {
    throw new TypeError(
      `Client: maxResponseBytes must be a positive integer, got ${describe(maxResponseBytes)}`,
    );
  }
  const base = buildHeaders(apiKey, headers, wire);
  const secrets = new Secrets([
    typeof apiKey === "string" ? apiKey : undefined,
    typeof bearerToken === "string" ? bearerToken : undefined,
    ...Object.values(headers ?? {}),
  ]);
  return {
    timeout: timeoutArg("Client", timeout),
    retry: retryPolicy("Client", options.retry),
    encoder: jsonEncoder ?? strictStringify,
    base: parseAddress(address),
    headers: base,
    format: wire,
    fetch,
    tls,
    autoBatch: autoBatchSettings(options.autoBatch, legacy),
    maxResponseBytes,
    secrets,
    auth: bearerToken === undefined ? undefined : new BearerAuth(bearerToken, base, secrets),
  };
}

function autoBatchSettings(
  option: ClientOptions["autoBatch"],
  legacy: boolean,
): Required<AutoBatchOptions> | undefined {
  if (option === undefined || option === false) return undefined;
  if (
    option !== true && (typeof option !== "object" || option === null || Array.isArray(option))
  ) {
    throw new TypeError(
      `Client: autoBatch must be true or { maxSize?, maxDelayMs? }, got ${describe(option)}`,
    );
  }
  const { maxSize = 256, maxDelayMs = 0, ...rest } = option === true ? {} : option;
  if (Object.keys(rest).length > 0) {
    throw new TypeError(`Client: autoBatch has unknown option ${Object.keys(rest)[0]}`);
  }
  if (!Number.isInteger(maxSize) || maxSize < 1 || maxSize > 10_000) {
    throw new TypeError(
      `Client: autoBatch.maxSize must be an integer from 1 to 10000, got ${describe(maxSize)}`,
    );
  }
  if (typeof maxDelayMs !== "number" || !(maxDelayMs >= 0 && maxDelayMs <= MAX_TIMER_MS)) {
    throw new TypeError(
      `Client: autoBatch.maxDelayMs must be a number of ms from 0 to ${MAX_TIMER_MS}, got ${
        describe(maxDelayMs)
      }`,
    );
  }
  if (legacy) {
    throw new TypeError(
      "Client: autoBatch needs the v6 format (legacy batches cannot run in parallel)",
    );
  }
  return { maxSize, maxDelayMs };
}

function parseAddress(address: string | URL): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new TypeError(
      `Client: address must be an absolute http(s) URL such as http://localhost:8000/api, got ${
        describe(address)
      }`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Client: address must use http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new TypeError("Client: address must not contain credentials; use the apiKey option");
  }
  if (url.search || url.hash) {
    throw new TypeError(
      "Client: address must not contain a query or fragment; use the apiKey option for the key",
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** What an error 104 of a PRO method adds to its message. */
function proHint(method: string): string | undefined {
  return isPro(method) ? `${method} needs Centrifugo PRO` : undefined;
}

function buildHeaders(
  apiKey: unknown,
  extra: unknown,
  format: WireFormat,
): Readonly<Record<string, string>> {
  if (apiKey !== undefined && (typeof apiKey !== "string" || apiKey === "")) {
    // Only the type: the value is (or contains) a secret.
    const got = apiKey === "" ? "an empty string" : `a value of type ${typeof apiKey}`;
    throw new TypeError(`Client: apiKey must be a non-empty string, got ${got}`);
  }
  const headers = new Headers({ "Content-Type": "application/json" });
  if (extra !== undefined) {
    if (typeof extra !== "object" || extra === null || Array.isArray(extra)) {
      throw new TypeError(`Client: headers must be an object of strings, got ${describe(extra)}`);
    }
    for (const [name, value] of Object.entries(extra)) {
      if (typeof value !== "string") {
        throw new TypeError(`Client: header ${name} must be a string, got ${describe(value)}`);
      }
      try {
        headers.set(name, value);
      } catch (err) {
        throw new TypeError(`Client: invalid header ${name}`, { cause: err });
      }
    }
  }
  if (apiKey !== undefined) {
    try {
      // Centrifugo v3/v4, which only speak the legacy format, only read its form.
      headers.set(...format.keyHeader(apiKey));
    } catch {
      // The message of the underlying error could echo the key.
      throw new TypeError("Client: apiKey contains characters not allowed in an HTTP header");
    }
  }
  // A plain object: fetch reads it faster than a Headers instance, and
  // node:http takes it as it is. Headers has checked and lower-cased the names.
  return Object.freeze(Object.fromEntries(headers));
}

function tlsSettings(options: ClientOptions): TlsSettings | undefined {
  const { verify = true, caCerts, cert, key } = options;
  if (typeof verify !== "boolean") {
    throw new TypeError(`Client: verify must be a boolean, got ${describe(verify)}`);
  }
  if (
    caCerts !== undefined &&
    (!Array.isArray(caCerts) || !caCerts.every((pem) => typeof pem === "string" && isPem(pem)))
  ) {
    throw new TypeError("Client: caCerts must be an array of PEM certificates");
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw new TypeError("Client: cert and key go together (a client certificate and its key)");
  }
  if (cert !== undefined && (typeof cert !== "string" || !isPem(cert))) {
    throw new TypeError("Client: cert must be a PEM certificate");
  }
  if (key !== undefined && (typeof key !== "string" || !isPem(key))) {
    // Never echo key material.
    throw new TypeError("Client: key must be a PEM private key");
  }
  if (verify && caCerts === undefined && cert === undefined) return undefined;
  return { verify, caCerts, cert, key };
}

function isPem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}
