import { decodeJwt } from "jose";
import { DevIdentityProvider } from "../auth/dev-identity-provider.js";
import { DEMO_REALMS } from "../directory/demo-directory.js";
import { AGENT_SCOPE } from "../auth/principals.js";

/** The user signed in on a simulated device. */
export interface SignedInUser {
  /** Entra object id, when known. */
  oid?: string;
  upn?: string;
  /** A currently valid access token for the back-end's audience; throws when none can be had. */
  token(): Promise<string>;
}

/** A user whose token was given on the command line (`--token`); oid and upn are read from the token, unverified. */
export function staticUser(token: string): SignedInUser {
  let claims: Record<string, unknown> = {};
  try {
    claims = decodeJwt(token);
  } catch {
    // Not a JWT we can read: the back-end will judge it.
  }
  const oid = typeof claims["oid"] === "string" ? claims["oid"] : undefined;
  const upnClaim = claims["preferred_username"] ?? claims["upn"];
  const upn = typeof upnClaim === "string" ? upnClaim : undefined;
  return { ...(oid === undefined ? {} : { oid }), ...(upn === undefined ? {} : { upn }), token: async () => token };
}

/** A directory user the dev identity provider can mint tokens for. */
export interface DemoUser {
  id: string;
  userPrincipalName: string;
  displayName?: string;
}

/** The demo users of a realm (lib/directory/demo-directory.ts); empty for a realm that is not a demo realm. */
export function demoUsersOf(tenantId: string): DemoUser[] {
  const realm = DEMO_REALMS.find((r) => r.tenantId.toLowerCase() === tenantId.toLowerCase());
  return realm === undefined ? [] : realm.users.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName }));
}

export interface DevUserTokensOptions {
  /** The local host's data folder (its `dev-idp/` holds the signing key). */
  dataDir: string;
  /** Must equal the back-end's dev authority, e.g. "http://localhost:7071/api/dev/idp". */
  issuerBase: string;
  audience: string;
  /** Token lifetime; re-minted 5 minutes before expiry. Default 3600. */
  lifetimeSeconds?: number;
  now?: () => number;
}

const REFRESH_MARGIN_MS = 5 * 60_000;

/** Mints Entra-shaped user tokens with the local host's dev identity provider. */
export class DevUserTokens {
  private constructor(
    private readonly idp: DevIdentityProvider,
    private readonly options: DevUserTokensOptions,
  ) {}

  /** Opens the dev identity provider key under `<dataDir>/dev-idp/` (creating it when absent); throws when the folder is unusable. */
  static async open(options: DevUserTokensOptions): Promise<DevUserTokens> {
    return new DevUserTokens(await DevIdentityProvider.open({ dataDir: options.dataDir, issuerBase: options.issuerBase }), options);
  }

  /** A signed-in user whose token is minted on first use and re-minted before it expires. */
  forUser(tenantId: string, user: DemoUser): SignedInUser {
    const lifetimeSeconds = this.options.lifetimeSeconds ?? 3600;
    const now = this.options.now ?? Date.now;
    let cached: { token: string; expiresAtMs: number } | undefined;
    return {
      oid: user.id,
      upn: user.userPrincipalName,
      token: async () => {
        if (cached === undefined || cached.expiresAtMs - REFRESH_MARGIN_MS <= now()) {
          const token = await this.idp.mintAccessToken({
            tenantId,
            oid: user.id,
            upn: user.userPrincipalName,
            ...(user.displayName === undefined ? {} : { name: user.displayName }),
            audience: this.options.audience,
            scp: AGENT_SCOPE,
            lifetimeSeconds,
          });
          cached = { token, expiresAtMs: now() + lifetimeSeconds * 1000 };
        }
        return cached.token;
      },
    };
  }
}
