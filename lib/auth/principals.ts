/** App role that makes a user an administrator of their own realm. */
export const ADMIN_ROLE = "RealmJoin.Admin";
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
export type AuthRequirement = "device" | "device+user" | "user" | "admin" | "operator";
