import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { calculateJwkThumbprint, exportJWK, SignJWT, type JSONWebKeySet, type JWK } from "jose";
import { systemClock, type Clock } from "../core/clock.js";
import { isGuid } from "./guid.js";
import { loadOrCreateFiles } from "./create-once-dir.js";
import { AGENT_SCOPE } from "./principals.js";

/** Path of the key set under the issuer base (Entra serves its keys at `/discovery/v2.0/keys` too). */
export const DEV_IDP_JWKS_PATH = "/discovery/v2.0/keys";
/** Client id the dev provider names as `azp`/`appid` of its tokens. */
export const DEV_IDP_CLIENT_ID = "00000000-0000-0000-0000-0000000de701";

export interface DevIdentityProviderOptions {
  /** Folder under which `dev-idp/` holds the signing key. */
  dataDir: string;
  /** e.g. "http://127.0.0.1:7071/api/dev/idp"; used as the validator's `authority`. */
  issuerBase: string;
  /** v1 issuer base; defaults to `{issuerBase}/sts`. Used as the validator's `v1IssuerBase`. */
  v1IssuerBase?: string;
  clock?: Clock;
}

export interface MintAccessTokenInput {
  tenantId: string;
  oid: string;
  upn?: string;
  name?: string;
  roles?: string[];
  audience: string;
  /** Default 3600. */
  lifetimeSeconds?: number;
  /** Token version: 2 (default) gets the v2 issuer, 1 the v1 issuer. */
  version?: 1 | 2;
  /** Default "access_as_agent". */
  scp?: string;
  /** Issue time in ms; defaults to the clock. nbf equals it unless nbfMs is given. */
  issuedAtMs?: number;
  nbfMs?: number;
}

/** OpenID Connect discovery document as served by the dev provider (the fields validators read). */
export interface DevOpenIdConfiguration {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint: string;
  token_endpoint: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
}

/** A local stand-in for Entra ID: Entra-shaped tokens for any tenant, with metadata and keys the real validator reads. */
export class DevIdentityProvider {
  readonly issuerBase: string;
  readonly v1IssuerBase: string;
  private readonly clock: Clock;

  private constructor(
    options: DevIdentityProviderOptions,
    private readonly privateKey: KeyObject,
    private readonly publicJwk: JWK,
  ) {
    this.issuerBase = options.issuerBase.replace(/\/+$/, "");
    this.v1IssuerBase = (options.v1IssuerBase ?? `${this.issuerBase}/sts`).replace(/\/+$/, "");
    this.clock = options.clock ?? systemClock;
  }

  /** Loads the RSA key from `<dataDir>/dev-idp/`, creating it on first start; throws when the folder cannot be used. */
  static async open(options: DevIdentityProviderOptions): Promise<DevIdentityProvider> {
    const files = await loadOrCreateFiles(join(options.dataDir, "dev-idp"), ["signing-key.pem"] as const, async () => {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      return { "signing-key.pem": privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
    });
    const privateKey = createPrivateKey(files["signing-key.pem"]);
    const jwk = await exportJWK(createPublicKey(privateKey));
    const kid = await calculateJwkThumbprint(jwk);
    const base = options.issuerBase.replace(/\/+$/, "");
    // Like Entra's keys, each names the issuer it may sign for.
    const publicJwk: JWK = { kty: jwk.kty, use: "sig", kid, n: jwk.n, e: jwk.e, issuer: `${base}/{tenantid}/v2.0` } as JWK;
    return new DevIdentityProvider(options, privateKey, publicJwk);
  }

  /** URL of the key set. */
  get jwksUri(): string {
    return `${this.issuerBase}${DEV_IDP_JWKS_PATH}`;
  }

  /** The discovery document for `{issuerBase}/{tenantId}/v2.0/.well-known/openid-configuration`; undefined when tenantId is not a GUID. */
  openIdConfiguration(tenantId: string): DevOpenIdConfiguration | undefined {
    if (!isGuid(tenantId)) return undefined;
    const tid = tenantId.toLowerCase();
    return {
      issuer: `${this.issuerBase}/${tid}/v2.0`,
      jwks_uri: this.jwksUri,
      authorization_endpoint: `${this.issuerBase}/${tid}/oauth2/v2.0/authorize`,
      token_endpoint: `${this.issuerBase}/${tid}/oauth2/v2.0/token`,
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
    };
  }

  /** The key set served at jwksUri. */
  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** Returns an RS256 access token shaped like Entra's v1 or v2 tokens; throws TypeError for a non-GUID tenant or user. */
  async mintAccessToken(input: MintAccessTokenInput): Promise<string> {
    if (!isGuid(input.tenantId) || !isGuid(input.oid)) throw new TypeError("tenantId and oid must be GUIDs");
    const tid = input.tenantId.toLowerCase();
    const oid = input.oid.toLowerCase();
    const iat = Math.floor((input.issuedAtMs ?? this.clock.now()) / 1000);
    const nbf = input.nbfMs === undefined ? iat : Math.floor(input.nbfMs / 1000);
    const v1 = input.version === 1;
    const claims: Record<string, unknown> = {
      aio: randomUUID(),
      name: input.name,
      oid,
      ...(input.roles !== undefined && input.roles.length > 0 ? { roles: input.roles } : {}),
      scp: input.scp ?? AGENT_SCOPE,
      sub: createHash("sha256").update(`${oid}|${input.audience}`).digest("base64url").slice(0, 43),
      tid,
      uti: randomUUID().replace(/-/g, ""),
      ...(v1
        ? { acr: "1", amr: ["pwd"], appid: DEV_IDP_CLIENT_ID, appidacr: "0", upn: input.upn, unique_name: input.upn, ver: "1.0" }
        : { azp: DEV_IDP_CLIENT_ID, azpacl: "0", preferred_username: input.upn, ver: "2.0" }),
    };
    return new SignJWT(JSON.parse(JSON.stringify(claims)) as Record<string, unknown>)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.publicJwk.kid })
      .setIssuer(v1 ? `${this.v1IssuerBase}/${tid}/` : `${this.issuerBase}/${tid}/v2.0`)
      .setAudience(input.audience)
      .setIssuedAt(iat)
      .setNotBefore(nbf)
      .setExpirationTime(iat + (input.lifetimeSeconds ?? 3600))
      .sign(this.privateKey);
  }
}
