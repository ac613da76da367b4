import { DEMO_REALMS } from "../directory/demo-directory.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant id of a demo realm slug ("contoso", "fabrikam") or of a tenant id given as is (lowercased); throws TypeError otherwise. */
export function resolveRealm(nameOrId: string): string {
  const value = nameOrId.trim();
  if (GUID.test(value)) return value.toLowerCase();
  const realm = DEMO_REALMS.find((r) => r.slug === value.toLowerCase());
  if (realm === undefined) throw new TypeError(`--realm must be ${DEMO_REALMS.map((r) => r.slug).join(", ")} or a tenant id, got "${nameOrId}"`);
  return realm.tenantId;
}
