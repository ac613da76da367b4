import { v5 as uuidv5 } from "uuid";
import { DEMO_REALMS } from "../directory/demo-directory.js";

/** Namespace for object ids of users that are not in the demo directory (third realms at home). */
const DEV_USER_NAMESPACE = "0f6d3b8a-52c1-4d6e-9a3f-7b0e5c2d1a94";

/** "contoso", "fabrikam" or a tenant id -> the tenant id (lowercase); throws on anything else. */
export function resolveRealm(value: string): string {
  const demo = DEMO_REALMS.find((r) => r.slug === value.toLowerCase());
  if (demo !== undefined) return demo.tenantId;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return value.toLowerCase();
  throw new Error(`--realm must be contoso, fabrikam or a tenant id, got ${value}`);
}

export interface DevUser {
  oid: string;
  upn: string;
  name: string;
}

/**
 * A demo user of the realm (by UPN, or its first user). In a realm outside the demo directory the
 * object id is derived from tenant and UPN, so the same command always signs in the same user.
 */
export function resolveUser(tenantId: string, upn: string | undefined): DevUser {
  const demo = DEMO_REALMS.find((r) => r.tenantId === tenantId);
  if (demo !== undefined) {
    const user = upn === undefined ? demo.users[0] : demo.users.find((u) => u.userPrincipalName.toLowerCase() === upn.toLowerCase());
    if (user === undefined) throw new Error(`no demo user ${upn ?? ""} in ${demo.slug}; known: ${demo.users.map((u) => u.userPrincipalName).join(", ")}`);
    return { oid: user.id, upn: user.userPrincipalName, name: user.displayName ?? user.userPrincipalName };
  }
  const name = upn ?? `user@${tenantId}`;
  return { oid: uuidv5(`${tenantId}\n${name.toLowerCase()}`, DEV_USER_NAMESPACE), upn: name, name };
}
