/** App role that makes a user an administrator of their own realm (everything in the realm). */
export const ADMIN_ROLE = "RealmJoin.Admin";
/** App role: helpdesk of the realm (reader plus retries, device actions and audited recovery-key reads). */
export const HELPDESK_ROLE = "RealmJoin.Helpdesk";
/** App role: reads everything of the realm but recovery keys. */
export const READER_ROLE = "RealmJoin.Reader";

/** The realm roles, lowest first: each includes what the ones before it may do. */
export const REALM_ROLES = ["reader", "helpdesk", "admin"] as const;
export type RealmRole = (typeof REALM_ROLES)[number];

/** The app role (token `roles` value) of each realm role. */
export const REALM_ROLE_CLAIMS: Record<RealmRole, string> = { reader: READER_ROLE, helpdesk: HELPDESK_ROLE, admin: ADMIN_ROLE };

/** The highest realm role among a token's app roles; undefined when it holds none. */
export function highestRealmRole(roles: readonly string[]): RealmRole | undefined {
  return [...REALM_ROLES].reverse().find((r) => roles.includes(REALM_ROLE_CLAIMS[r]));
}

/** True when `held` includes what `needed` may do. */
export function roleSatisfies(held: RealmRole | undefined, needed: RealmRole): boolean {
  return held !== undefined && REALM_ROLES.indexOf(held) >= REALM_ROLES.indexOf(needed);
}
/** App role that makes a user an operator, honoured only in the configured operator tenant. */
export const OPERATOR_ROLE = "RealmJoin.Operator";

/** The delegated scope the agent requests for the signed-in user; agent routes require it in `scp`. */
export const AGENT_SCOPE = "access_as_agent";

/** A signed-in user, taken from a validated Entra ID access token. */
export interface UserPrincipal {
  kind: "user";
  /** The token's `tid`, lowercase. */
  realmId: string;
  /** The token's `oid`, lowercase. */
  userId: string;
  upn?: string;
  name?: string;
  roles: string[];
  isAdmin: boolean;
  /** The highest realm role held (only for users of a registered realm). */
  realmRole?: RealmRole;
  /** True only when the token carries RealmJoin.Operator and comes from the operator tenant. */
  isOperator?: boolean;
}

/** A device, taken from a validated device assertion. */
export interface DevicePrincipal {
  kind: "device";
  realmId: string;
  /** The assertion's `sub` (Entra device id), lowercase. */
  deviceId: string;
  /** Lowercase hex SHA-256 of the certificate's DER. */
  thumbprint: string;
  certificatePem?: string;
}

/** What an authenticated request may act as; `realmId` always comes from a principal. */
export interface AuthContext {
  realmId: string;
  user?: UserPrincipal;
  device?: DevicePrincipal;
}

/** Which identities a route needs. */
export type AuthRequirement = "device" | "device+user" | "user" | RealmRole | "operator";
