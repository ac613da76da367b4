import { DEMO_REALMS, type DemoRealm } from "./demo-directory.js";
import type { LocalDirectory } from "./local-directory.js";

/** Writes the realms' users, groups, memberships and domain policy into the local directory (creating its table); idempotent. Throws on storage errors. */
export async function seedLocalDirectory(dir: LocalDirectory, realms: readonly DemoRealm[] = DEMO_REALMS): Promise<void> {
  await dir.init();
  for (const realm of realms) {
    await dir.setDomainPasswordValidity(realm.tenantId, realm.domain, realm.passwordValidityDays);
    for (const user of realm.users) await dir.putUser(realm.tenantId, user);
    for (const group of realm.groups) {
      await dir.putGroup(realm.tenantId, { id: group.id, displayName: group.displayName });
      for (const memberId of group.memberIds) await dir.addMember(realm.tenantId, group.id, memberId);
    }
  }
}
