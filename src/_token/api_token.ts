// Tokens for Centrifugo PRO's server API protected by a JWKS
// (`http_api.jwks`): sent as `Authorization: Bearer <token>` instead of an
// API key. PRO verifies them with the public keys of its JWKS endpoint, so
// they are signed with a private key and carry its kid; and since a token
// that passes can call every API method, it must carry an audience or a
// scope that no client token carries.

import { API_CLAIMS } from "./claims.ts";
import type { KeyRing } from "./key_ring.ts";
import type { TokenAlgorithm, TokenKey } from "./keys.ts";
import { signToken } from "./sign.ts";

/**
 * The claims of a Centrifugo PRO server API token. Times are Unix seconds
 * (integers). Any other claim name is rejected; `aud` or `scope` is
 * required.
 *
 * @example A token for the API audience and scope
 * ```ts
 * import type { ApiTokenClaims } from "@aiocent/aiocent/token";
 *
 * const claims: ApiTokenClaims = { sub: "billing-service", aud: "centrifugo-api", scope: "centrifugo:api" };
 * ```
 */
export interface ApiTokenClaims {
  /** Who calls (a service name), for your logs; PRO does not read it. */
  sub?: string;
  /**
   * The audience, checked when `http_api.jwks.audience` is set: set both to a
   * value only API tokens carry.
   */
  aud?: string | string[];
  /** The issuer, checked when `http_api.jwks.issuer` is set. */
  iss?: string;
  /**
   * The scope, checked when `http_api.jwks.scope` is set: one scope, or
   * several (written space-separated, as OAuth does). Scopes are printable
   * ASCII without spaces.
   */
  scope?: string | string[];
  /** A unique token ID. */
  jti?: string;
  /** When the token expires; or use the `expiresIn` option. */
  exp?: number;
  /** When the token was issued; defaults to now. */
  iat?: number;
  /** The token is not valid before this time. */
  nbf?: number;
}

/**
 * How an API token is signed, besides its claims.
 *
 * @example Five minutes, under a key ID
 * ```ts
 * import type { ApiTokenOptions } from "@aiocent/aiocent/token";
 *
 * const options: ApiTokenOptions = { expiresIn: 300, keyId: "api-2025-06" };
 * ```
 */
export interface ApiTokenOptions {
  /** RS256, ES256 or EdDSA; by default it follows from the key. */
  algorithm?: Exclude<TokenAlgorithm, "HS256">;
  /** Sets `exp` to now plus this many seconds; or give the `exp` claim. */
  expiresIn?: number;
  /** The `kid` header: required with a key, written by a {@linkcode KeyRing} itself. */
  keyId?: string;
}

const OPTIONS = ["algorithm", "expiresIn", "keyId"];

/**
 * Signs a token for Centrifugo PRO's server API protected by a JWKS
 * (`http_api.jwks`, PRO v6.3.2 or newer): the API accepts it as
 * `Authorization: Bearer <token>` instead of the API key, if it verifies
 * with a key of `http_api.jwks.endpoint` and carries what `audience`,
 * `issuer` and `scope` there ask for.
 *
 * The token is `{"alg", "typ": "JWT", "kid"}` over the claims (scopes
 * space-separated), signed with an RSA, P-256 or Ed25519 private key whose
 * public half that endpoint publishes ({@linkcode jwks},
 * {@linkcode jwksHandler}). Since a token PRO accepts can call every API
 * method, keep API keys apart from client token keys (another ring, another
 * JWKS endpoint), and require an audience or scope that only API tokens
 * carry: the function refuses claims with neither, HMAC keys (PRO has no
 * secret to check them with), a key without a `kid`, and a token without an
 * expiry.
 *
 * @param claims The claims: `aud` or `scope`, and optionally `sub`, `iss`, `jti`, times.
 * @param key The private key (with the `keyId` option), or a {@linkcode KeyRing}.
 * @param options `expiresIn` (or the `exp` claim), `keyId`, `algorithm`.
 * @returns The compact JWT.
 * @throws {TypeError} A claim, option or the key is invalid (the promise rejects).
 *
 * @example A five-minute token from a key ring
 * ```ts
 * import { apiToken, KeyRing } from "@aiocent/aiocent/token";
 *
 * const pair = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const apiKeys = await KeyRing.create([{ kid: "api-1", key: pair }], { maxTokenLifetime: 600 });
 * const token = await apiToken({ sub: "billing", aud: "centrifugo-api", scope: "centrifugo:api" }, apiKeys, {
 *   expiresIn: 300,
 * });
 * // Send it as "Authorization: Bearer <token>" to a PRO server API whose
 * // http_api.jwks.endpoint serves jwksHandler(apiKeys).
 * console.log(token.split(".").length); // 3
 * ```
 */
export async function apiToken(
  claims: ApiTokenClaims,
  key: TokenKey | KeyRing,
  options?: ApiTokenOptions,
): Promise<string> {
  const fn = "apiToken";
  return await signToken(fn, API_CLAIMS, claims, key, options, {
    options: OPTIONS,
    finish(fn, payload, opts) {
      if (opts.expiresIn === "never") {
        throw new TypeError(`${fn}: an API token must expire; give expiresIn in seconds`);
      }
      if (payload.aud === undefined && payload.scope === undefined) {
        throw new TypeError(
          `${fn}: give an aud or a scope claim (and require it in http_api.jwks): ` +
            "otherwise a client's connection token signed with the same keys could call the API",
        );
      }
      if (Array.isArray(payload.scope)) return { ...payload, scope: payload.scope.join(" ") };
      return payload;
    },
    check(fn, signer, kid) {
      if (signer.alg === "HS256") {
        throw new TypeError(
          `${fn}: API tokens are signed with an RSA, P-256 or Ed25519 private key: Centrifugo ` +
            "PRO verifies them with the public keys of its JWKS endpoint, not a secret",
        );
      }
      if (kid === undefined) {
        throw new TypeError(
          `${fn}: give the keyId option: Centrifugo PRO picks the key from its JWKS by kid`,
        );
      }
    },
  });
}
