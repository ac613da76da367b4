import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWSHeaderParameters, type FlattenedJWSInput } from "jose";
import { forbidden, unauthorized } from "../core/errors.js";
import type { Clock } from "../core/clock.js";
import type { Realm, RealmLookup } from "../realms/realm.js";
import { isGuid } from "./guid.js";
import { JwksRegistry } from "./jwks-registry.js";
import { KeySourceUnavailable, toAuthFailure } from "./jose-failure.js";
import { HttpOpenIdMetadataSource, type OpenIdMetadataSource } from "./openid-metadata.js";
import { ADMIN_ROLE, AGENT_SCOPE, highestRealmRole, OPERATOR_ROLE, type AuthRequirement, type UserPrincipal } from "./principals.js";
import { assertRealmEnabled, findLiveRealm } from "./realm-gate.js";

/** Algorithms accepted for access tokens and device assertions: asymmetric only. */
export const ALLOWED_ALGORITHMS = ["RS256", "PS256", "ES256"] as const;
/** The largest clock skew ever tolerated, in seconds. */
export const MAX_CLOCK_SKEW_SECONDS = 300;
const MAX_TOKEN_LENGTH = 16 * 1024;
/** Requirements of agent routes, whose user tokens must carry the delegated scope AGENT_SCOPE. */
const AGENT_REQUIREMENTS: ReadonlySet<AuthRequirement> = new Set<AuthRequirement>(["device", "device+user"]);

export interface AccessTokenSettings {
  /** v2 issuer base: tokens carry `{authority}/{tid}/v2.0`; metadata at `{authority}/{tid}/v2.0/.well-known/openid-configuration`. */
  authority: string;
  /** v1 issuer base: tokens carry `{v1IssuerBase}/{tid}/`. */
  v1IssuerBase: string;
  /** Accepted `aud` values (the app id URI and the client id). */
  audiences: string[];
  /** Tenant whose RealmJoin.Operator role holders are operators; none means no operators. */
  operatorTenantId?: string;
  /** Tolerated clock skew in seconds; default and maximum 300. */
  clockSkewSeconds?: number;
}

export interface AccessTokenValidatorDeps {
  settings: AccessTokenSettings;
  realms: RealmLookup;
  clock: Clock;
  /** Defaults to HTTP metadata under settings.authority. */
  metadata?: OpenIdMetadataSource;
  /** Defaults to a registry with 24 h cache and 60 s cooldown; share one across validators. */
  jwks?: JwksRegistry;
}

/** Validates Entra ID (or dev identity provider) access tokens of registered realms. */
export class AccessTokenValidator {
  private readonly authority: string;
  private readonly v1Base: string;
  private readonly metadata: OpenIdMetadataSource;
  private readonly jwks: JwksRegistry;
  private readonly skew: number;
  private readonly operatorTenant: string | undefined;

  constructor(private readonly deps: AccessTokenValidatorDeps) {
    const s = deps.settings;
    if (s.audiences.length === 0) throw new Error("AccessTokenValidator needs at least one audience");
    this.authority = s.authority.replace(/\/+$/, "");
    this.v1Base = s.v1IssuerBase.replace(/\/+$/, "");
    this.metadata = deps.metadata ?? new HttpOpenIdMetadataSource({ authority: this.authority, clock: deps.clock });
    this.jwks = deps.jwks ?? new JwksRegistry();
    this.skew = Math.min(s.clockSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS, MAX_CLOCK_SKEW_SECONDS);
    this.operatorTenant = s.operatorTenantId?.toLowerCase();
  }

  /**
   * Returns the user of a valid token; throws AppError unauthorized (bad token, unknown realm), forbidden "realm-disabled",
   * or unavailable (keys unreachable). The operator tenant need not be a realm: unregistered, only its RealmJoin.Operator
   * holders pass (never as admins), and when `requirement` is given and is not "operator" they are 401 like any unknown tenant.
   */
  async validate(token: string, options: { requirement?: AuthRequirement } = {}): Promise<UserPrincipal> {
    const { header, claims } = decodeUnverified(token);
    const alg = header.alg;
    if (alg === undefined || !(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) throw unauthorized("Token algorithm not allowed");
    if (typeof header.kid !== "string") throw unauthorized("Token has no key id");
    const rawTid = claims.tid;
    if (!isGuid(rawTid)) throw unauthorized("Token has no valid tenant");
    const tid = rawTid.toLowerCase();
    const v2Issuer = `${this.authority}/${rawTid}/v2.0`;
    const v1Issuer = `${this.v1Base}/${rawTid}/`;
    if (claims.iss !== v2Issuer && claims.iss !== v1Issuer) throw unauthorized("Token issuer does not match its tenant");
    // Unknown tenants are refused before any network call, so forged tids cannot make us fetch metadata.
    const realm = tid === this.operatorTenant ? await this.operatorRealm(tid) : await findLiveRealm(this.deps.realms, tid);

    let verified: JWTPayload;
    try {
      const jwksUri = await this.metadata.jwksUriFor(tid);
      const keys = this.jwks.resolverFor(jwksUri);
      const resolver = async (h: JWSHeaderParameters, t: FlattenedJWSInput) => {
        try {
          return await keys(h, t);
        } catch (e) {
          if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) throw e;
          throw new KeySourceUnavailable(e);
        }
      };
      ({ payload: verified } = await jwtVerify(token, resolver, {
        algorithms: [...ALLOWED_ALGORITHMS],
        audience: this.deps.settings.audiences,
        issuer: [v2Issuer, v1Issuer],
        currentDate: new Date(this.deps.clock.now()),
        clockTolerance: this.skew,
        requiredClaims: ["exp", "tid", "oid"],
      }));
      this.checkKeyIssuer(jwksUri, header.kid, rawTid, v2Issuer);
    } catch (e) {
      throw toAuthFailure(e, "Token");
    }

    const oid = verified.oid;
    if (!isGuid(oid)) throw unauthorized("Token has no valid object id");
    // jose checks iat's type only; a token minted "later" than now (beyond the skew) comes from a wrong clock or a forger.
    if (typeof verified.iat === "number" && verified.iat * 1000 > this.deps.clock.now() + this.skew * 1000) throw unauthorized("Token is issued in the future");
    // Delegated user tokens carry scp; ID tokens (same aud as the client id) and app-only tokens do not.
    if (typeof verified.scp !== "string" || verified.scp.trim() === "") throw unauthorized("Token is not a delegated user token");
    const scopes = verified.scp.trim().split(/\s+/);
    // Agent routes need the agent's delegated scope; admin and operator routes go by app roles.
    if (options.requirement !== undefined && AGENT_REQUIREMENTS.has(options.requirement) && !scopes.includes(AGENT_SCOPE)) {
      throw forbidden(`Token lacks the delegated scope ${AGENT_SCOPE}`, "insufficient-scope");
    }
    const roles = readRoles(verified.roles);
    if (realm !== undefined) assertRealmEnabled(realm);
    else if (!roles.includes(OPERATOR_ROLE) || (options.requirement !== undefined && options.requirement !== "operator")) {
      throw unauthorized("Tenant is not registered");
    }

    const upn = stringClaim(verified.upn) ?? stringClaim(verified.preferred_username);
    const name = stringClaim(verified.name);
    return {
      kind: "user",
      realmId: tid,
      userId: oid.toLowerCase(),
      ...(upn === undefined ? {} : { upn }),
      ...(name === undefined ? {} : { name }),
      roles,
      isAdmin: realm !== undefined && roles.includes(ADMIN_ROLE),
      ...(realm !== undefined && highestRealmRole(roles) !== undefined ? { realmRole: highestRealmRole(roles) } : {}),
      isOperator: roles.includes(OPERATOR_ROLE) && this.operatorTenant !== undefined && tid === this.operatorTenant,
    };
  }

  // The operator tenant's realm when it is also a live customer realm; undefined when it is the operators' home only.
  private async operatorRealm(tid: string): Promise<Realm | undefined> {
    const realm = await this.deps.realms.get(tid);
    return realm === undefined || realm.status === "deleted" ? undefined : realm;
  }

  // Entra's keys carry `issuer` with a {tenantid} placeholder: a key may only sign for the issuer it names.
  // v1 tokens are checked against their tenant's v2 issuer, which is the form the key names.
  private checkKeyIssuer(jwksUri: string, kid: string, rawTid: string, v2Issuer: string): void {
    const jwk = this.jwks.cachedKeys(jwksUri)?.keys.find((k) => k.kid === kid);
    const keyIssuer: unknown = jwk === undefined ? undefined : (jwk as Record<string, unknown>).issuer;
    if (keyIssuer === undefined) return;
    if (typeof keyIssuer !== "string" || keyIssuer.replace(/\{tenantid\}/gi, rawTid) !== v2Issuer) {
      throw unauthorized("Token signing key belongs to another issuer");
    }
  }
}

/** Splits a compact JWS without verifying it; throws unauthorized when malformed or too large. */
export function decodeUnverified(token: string): { header: JWSHeaderParameters; claims: JWTPayload } {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw unauthorized("Malformed token");
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    throw unauthorized("Malformed token");
  }
}

function readRoles(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((r): r is string => typeof r === "string")) throw unauthorized("Token roles are malformed");
  return value;
}

const stringClaim = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
