/** What a route demands of its caller (API.md "Identities"). */
export type AuthRequirement =
  | "none"
  /** Device assertion required, user token optional. */
  | "device"
  /** Device assertion and user token, same realm. */
  | "device+user"
  | "user"
  /** A user of the realm holding at least this realm role (RealmJoin.Reader < Helpdesk < Admin). */
  | "reader"
  | "helpdesk"
  | "admin"
  | "operator";

const REALM_ROLE_REQUIREMENTS = new Set<AuthRequirement>(["reader", "helpdesk", "admin"]);

/** The realm role a requirement names, or undefined for the other requirements. */
export function realmRoleOf(requirement: AuthRequirement): "reader" | "helpdesk" | "admin" | undefined {
  return REALM_ROLE_REQUIREMENTS.has(requirement) ? (requirement as "reader" | "helpdesk" | "admin") : undefined;
}
