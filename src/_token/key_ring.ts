// Signing keys rotated by activation time: every key is published from the
// moment the ring holds it (so ahead of its use), the latest activated key
// signs, and a key its successor replaced stays published until the tokens
// it signed have expired. Tokens signed from a ring cannot outlive that.

import { importSigning, readKey, type Signer, type TokenAlgorithm, type TokenKey } from "./keys.ts";
import { MAX_SECONDS } from "./claims.ts";
import {
  checkKid,
  isCryptoKeyPair,
  type JsonWebKeySet,
  type PublicJwk,
  publicJwk,
} from "./public_jwk.ts";
import { isPlainObject } from "../_validate.ts";

/**
 * A key of a {@linkcode KeyRing}: its ID, the private key, and when it starts
 * signing.
 *
 * @example A key that signs from the first of July
 * ```ts
 * import type { RingKey } from "@aiocent/aiocent/token";
 *
 * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const next: RingKey = { kid: "2025-07", key: pair, activeFrom: new Date("2025-07-01T00:00:00Z") };
 * ```
 */
export interface RingKey {
  /**
   * The key ID written into the tokens' `kid` header and the JWKS. Never give
   * it to another key: Centrifugo caches keys by ID.
   */
  kid: string;
  /**
   * The private key: a PEM or JWK private key, a `CryptoKeyPair`, or an
   * extractable private `CryptoKey` (its public half is derived from it).
   * RSA, P-256 or Ed25519; not an HMAC secret, which has nothing to publish.
   */
  key: TokenKey | CryptoKeyPair;
  /**
   * When the key starts signing: a `Date` or Unix seconds. Without it, the
   * key is active from the start (only one key may lack it).
   */
  activeFrom?: Date | number;
}

/**
 * Options of a {@linkcode KeyRing}.
 *
 * @example Tokens of at most an hour, a controllable clock
 * ```ts
 * import type { KeyRingOptions } from "@aiocent/aiocent/token";
 *
 * const options: KeyRingOptions = { maxTokenLifetime: 3600, now: () => Date.now() };
 * ```
 */
export interface KeyRingOptions {
  /**
   * The longest lifetime, in seconds, of a token signed from the ring: an
   * `expiresIn` or an `exp` further away is refused. A replaced key stays
   * published this long after its successor activates, plus `grace`.
   */
  maxTokenLifetime: number;
  /**
   * Seconds a replaced key stays published on top of `maxTokenLifetime`, for
   * clocks that disagree a little. Default 60.
   */
  grace?: number;
  /**
   * The clock the ring decides by, in Unix milliseconds. Default `Date.now`.
   * Tokens' own times (`iat`, `exp`) always come from `Date.now`.
   */
  now?: () => number;
}

/** A ring key, read and imported. */
interface Entry {
  kid: string;
  /** Unix milliseconds. */
  activeFrom: number;
  signer: Signer;
  jwk: PublicJwk;
}

/** What the ring says of the key signing now. */
export interface ActiveKey {
  /** Its key ID. */
  kid: string;
  /** The algorithm it signs. */
  alg: TokenAlgorithm;
  /** When it started signing. */
  activeFrom: Date;
}

const OPTIONS = ["maxTokenLifetime", "grace", "now"];

/** Reads a ring's active entry; set by the class, which alone sees its fields. */
let activeOf: (ring: KeyRing, fn: string) => Entry;

/** The key signing now in `ring` and its kid, for the token functions. */
export function ringSigner(ring: KeyRing, fn: string): { signer: Signer; kid: string } {
  const { signer, kid } = activeOf(ring, fn);
  return { signer, kid };
}
const KEY_FIELDS = ["kid", "key", "activeFrom"];

/**
 * Signing keys rotated by activation time, for the tokens Centrifugo checks
 * through a JWKS endpoint (`client.token.jwks_public_endpoint`, or PRO's
 * `http_api.jwks.endpoint`):
 *
 * - every key the ring holds is published by {@linkcode KeyRing.jwks} (and
 *   so by {@linkcode jwksHandler}) from the moment it is added, ahead of its
 *   activation time;
 * - the latest key whose activation time has passed signs: pass the ring as
 *   the key of {@linkcode connectionToken}, {@linkcode subscriptionToken} or
 *   {@linkcode apiToken}, which write its `kid`;
 * - a key whose successor has activated stays published for
 *   `maxTokenLifetime` (plus `grace`), the longest any of its tokens can
 *   live, and is dropped after that.
 *
 * To rotate, add the next key with an activation time far enough ahead that
 * every instance of your backend publishes it before any signs with it (and
 * any HTTP cache in front of the JWKS endpoint has refetched). Dropping a key
 * does not revoke its tokens at once: Centrifugo keeps a key it fetched for
 * an hour after its last use, and a restart forgets it.
 *
 * @example Rotate from one Ed25519 key to the next
 * ```ts
 * import { connectionToken, KeyRing } from "@aiocent/aiocent/token";
 *
 * const generate = () =>
 *   crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as Promise<CryptoKeyPair>;
 * const ring = await KeyRing.create([
 *   { kid: "2025-06", key: await generate() },
 *   { kid: "2025-07", key: await generate(), activeFrom: Date.now() / 1000 + 86_400 },
 * ], { maxTokenLifetime: 3600 });
 *
 * console.log(ring.current().kid); // "2025-06": the next key only signs tomorrow
 * console.log(ring.jwks().keys.map((key) => key.kid)); // ["2025-06", "2025-07"]: both published
 * const token = await connectionToken({ sub: "42" }, ring, { expiresIn: 600 });
 * console.log(token);
 * ```
 */
export class KeyRing {
  #entries: Entry[] = [];
  readonly #maxTokenLifetime: number;
  readonly #grace: number;
  readonly #now: () => number;

  private constructor(maxTokenLifetime: number, grace: number, now: () => number) {
    this.#maxTokenLifetime = maxTokenLifetime;
    this.#grace = grace;
    this.#now = now;
  }

  /**
   * Makes a ring of `keys`: each is read, imported and its public half
   * derived now, so that a bad key fails here rather than at signing.
   *
   * @param keys The keys, in any order.
   * @param options `maxTokenLifetime` (required), `grace`, `now`.
   * @returns The ring.
   * @throws {TypeError} A key, a kid, an activation time or an option is invalid (the promise rejects).
   *
   * @example A ring of one RSA key from a PEM
   * ```ts no-run
   * import { KeyRing } from "@aiocent/aiocent/token";
   *
   * const ring = await KeyRing.create(
   *   [{ kid: "rsa-1", key: await Deno.readTextFile("rsa-private.pem") }],
   *   { maxTokenLifetime: 900 },
   * );
   * ```
   */
  static async create(keys: readonly RingKey[], options: KeyRingOptions): Promise<KeyRing> {
    const fn = "KeyRing.create";
    if (!isPlainObject(options)) {
      throw new TypeError(`${fn}: options must be a plain object with maxTokenLifetime`);
    }
    for (const name in options) {
      if (!OPTIONS.includes(name)) {
        throw new TypeError(`${fn}: unknown option ${name}; known options: ${OPTIONS.join(", ")}`);
      }
    }
    const { maxTokenLifetime, grace = 60, now = Date.now } = options;
    if (!Number.isSafeInteger(maxTokenLifetime) || maxTokenLifetime <= 0) {
      throw new TypeError(`${fn}: option maxTokenLifetime must be a positive integer (seconds)`);
    }
    if (!Number.isSafeInteger(grace) || grace < 0) {
      throw new TypeError(`${fn}: option grace must be a non-negative integer (seconds)`);
    }
    if (typeof now !== "function") {
      throw new TypeError(`${fn}: option now must be a function returning Unix milliseconds`);
    }
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new TypeError(`${fn}: keys must be a non-empty array of { kid, key, activeFrom? }`);
    }
    const ring = new KeyRing(maxTokenLifetime, grace, now);
    const entries = await Promise.all(keys.map((key) => readEntry(fn, key)));
    for (const entry of entries) ring.#insert(fn, entry);
    return ring;
  }

  /**
   * Adds a key while the ring is in use (e.g. the next key, loaded from a
   * secret store): it is published at once, and signs from its activation
   * time. Give it an activation time ahead, so that every instance publishes
   * it before any signs with it.
   *
   * @param key The key.
   * @throws {TypeError} The key is invalid, or its kid or activation time is taken (the promise rejects).
   *
   * @example Add next month's key
   * ```ts
   * import { KeyRing } from "@aiocent/aiocent/token";
   *
   * const generate = () =>
   *   crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as Promise<CryptoKeyPair>;
   * const ring = await KeyRing.create([{ kid: "k1", key: await generate() }], {
   *   maxTokenLifetime: 3600,
   * });
   * await ring.add({ kid: "k2", key: await generate(), activeFrom: new Date(Date.now() + 30 * 86_400_000) });
   * console.log(ring.jwks().keys.length); // 2
   * ```
   */
  async add(key: RingKey): Promise<void> {
    const fn = "KeyRing.add";
    this.#insert(fn, await readEntry(fn, key));
  }

  /**
   * The longest lifetime of a token signed from the ring, in seconds.
   *
   * @example Read it
   * ```ts
   * import { KeyRing } from "@aiocent/aiocent/token";
   *
   * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
   * const ring = await KeyRing.create([{ kid: "k1", key: pair }], { maxTokenLifetime: 900 });
   * console.log(ring.maxTokenLifetime); // 900
   * ```
   */
  get maxTokenLifetime(): number {
    return this.#maxTokenLifetime;
  }

  /**
   * The key that signs now: the latest whose activation time has passed.
   *
   * @returns Its kid, algorithm and activation time.
   * @throws {Error} No key is active yet.
   *
   * @example Which key signs
   * ```ts
   * import { KeyRing } from "@aiocent/aiocent/token";
   *
   * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
   * const ring = await KeyRing.create([{ kid: "k1", key: pair }], { maxTokenLifetime: 900 });
   * console.log(ring.current()); // { kid: "k1", alg: "EdDSA", activeFrom: 1970-01-01T00:00:00.000Z }
   * ```
   */
  current(): ActiveKey {
    const { kid, signer, activeFrom } = this.#active("KeyRing.current");
    return { kid, alg: signer.alg, activeFrom: new Date(activeFrom) };
  }

  /**
   * The JWK Set to publish now: the keys not active yet, the key signing,
   * and the keys replaced less than `maxTokenLifetime` (plus `grace`) ago.
   *
   * @returns The public keys, in activation order.
   *
   * @example The JWKS of a ring
   * ```ts
   * import { KeyRing } from "@aiocent/aiocent/token";
   *
   * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
   * const ring = await KeyRing.create([{ kid: "k1", key: pair }], { maxTokenLifetime: 900 });
   * const [jwk] = ring.jwks().keys;
   * console.log(jwk?.kty, jwk?.crv, jwk?.alg, jwk?.use); // OKP Ed25519 EdDSA sig
   * ```
   */
  jwks(): JsonWebKeySet {
    const now = this.#now();
    const keep = (this.#maxTokenLifetime + this.#grace) * 1000;
    const keys = this.#entries.filter((_entry, i) => {
      const successor = this.#entries[i + 1];
      return successor === undefined || successor.activeFrom > now ||
        now < successor.activeFrom + keep;
    });
    return { keys: keys.map((entry) => ({ ...entry.jwk })) };
  }

  static {
    activeOf = (ring, fn) => ring.#active(fn);
  }

  #active(fn: string): Entry {
    const now = this.#now();
    let active: Entry | undefined;
    for (const entry of this.#entries) if (entry.activeFrom <= now) active = entry;
    if (active === undefined) {
      const first = new Date(this.#entries[0]!.activeFrom).toISOString();
      throw new Error(`${fn}: no key of the ring is active yet; the first activates at ${first}`);
    }
    return active;
  }

  #insert(fn: string, entry: Entry): void {
    for (const other of this.#entries) {
      if (other.kid === entry.kid) throw new TypeError(`${fn}: the kid ${entry.kid} is taken`);
      if (other.activeFrom === entry.activeFrom) {
        throw new TypeError(
          `${fn}: keys ${other.kid} and ${entry.kid} activate at the same time; ` +
            "give each its own activeFrom",
        );
      }
    }
    this.#entries = [...this.#entries, entry].sort((a, b) => a.activeFrom - b.activeFrom);
  }
}

/** Reads, imports and derives the public half of a ring key. */
async function readEntry(fn: string, ringKey: unknown): Promise<Entry> {
  if (!isPlainObject(ringKey)) {
    throw new TypeError(`${fn}: each key must be a plain object { kid, key, activeFrom? }`);
  }
  for (const name in ringKey) {
    if (!KEY_FIELDS.includes(name)) {
      throw new TypeError(`${fn}: unknown key field ${name}; known: ${KEY_FIELDS.join(", ")}`);
    }
  }
  const kid = checkKid(fn, ringKey.kid);
  const where = `${fn} (kid ${kid})`;
  const activeFrom = activation(where, ringKey.activeFrom);
  const key = ringKey.key;
  const pair = isCryptoKeyPair(key);
  const material = readKey(where, pair ? key.privateKey : key, undefined, false);
  if (material.alg === "HS256") {
    throw new TypeError(
      `${where}: a KeyRing holds RSA, P-256 or Ed25519 private keys, not HMAC secrets: ` +
        "Centrifugo checks HS256 tokens with its one hmac_secret_key, and a JWKS endpoint " +
        "has nothing to publish for them",
    );
  }
  const published = pair ? readKey(where, key.publicKey, undefined, true) : material;
  if (published.alg !== material.alg) {
    throw new TypeError(`${where}: the key pair's halves are of different algorithms`);
  }
  const [signerKey, jwk] = await Promise.all([
    importSigning(where, material),
    publicJwk(where, kid, published),
  ]);
  return { kid, activeFrom, signer: { alg: material.alg, key: signerKey }, jwk };
}

/** An activation time as Unix milliseconds. */
function activation(fn: string, value: unknown): number {
  if (value === undefined) return 0;
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw new TypeError(`${fn}: activeFrom is an invalid Date`);
    return ms;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${fn}: activeFrom must be a Date or Unix seconds`);
  }
  if (value >= MAX_SECONDS) {
    throw new TypeError(`${fn}: activeFrom must be Unix time in seconds, not milliseconds`);
  }
  return Math.round(value * 1000);
}
