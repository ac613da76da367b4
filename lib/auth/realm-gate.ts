import { AppError, unauthorized } from "../core/errors.js";
import type { Realm, RealmLookup } from "../realms/realm.js";

/** Returns the registered, non-deleted realm of this tenant id; throws unauthorized when none. Disabled realms are returned (see assertRealmEnabled). */
export async function findLiveRealm(realms: RealmLookup, tenantId: string): Promise<Realm> {
  const realm = await realms.get(tenantId.toLowerCase());
  if (realm === undefined || realm.status === "deleted") throw unauthorized("Tenant is not registered");
  return realm;
}

/** Throws forbidden "realm-disabled" when the realm is disabled; call only after the credential was verified. */
export function assertRealmEnabled(realm: Realm): void {
  if (realm.status === "disabled") {
    throw new AppError("forbidden", "Realm is disabled", { code: "realm-disabled" });
  }
}
