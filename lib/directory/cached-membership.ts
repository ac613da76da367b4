import type { Clock } from "../core/clock.js";
import type { AlternativeSecurityId, Directory, DirectoryGroup, DirectoryUser } from "./directory.js";
import { TtlCache } from "./ttl-cache.js";

/**
 * A directory whose group memberships are reused for a time-to-live, as the Graph directory does, so a
 * 15-minute poll does not re-read nested groups from Table Storage. refresh() forgets them.
 */
export class CachedMembershipDirectory implements Directory {
  private readonly memberships: TtlCache<string[]>;

  constructor(
    private readonly inner: Directory,
    ttlMs: number,
    clock: Clock,
  ) {
    this.memberships = new TtlCache(ttlMs, clock);
  }

  getUser(realmId: string, userIdOrUpn: string): Promise<DirectoryUser | undefined> {
    return this.inner.getUser(realmId, userIdOrUpn);
  }
  getGroup(realmId: string, groupId: string): Promise<DirectoryGroup | undefined> {
    return this.inner.getGroup(realmId, groupId);
  }
  transitiveGroupIds(realmId: string, userId: string): Promise<string[]> {
    return this.memberships.get(`${realmId}|user|${userId.toLowerCase()}`, () => this.inner.transitiveGroupIds(realmId, userId));
  }
  deviceGroupIds(realmId: string, deviceId: string): Promise<string[]> {
    return this.memberships.get(`${realmId}|device|${deviceId.toLowerCase()}`, () => this.inner.deviceGroupIds(realmId, deviceId));
  }
  refresh(realmId: string, subjectId?: string): void {
    if (subjectId === undefined) this.memberships.deletePrefix(`${realmId}|`);
    else for (const kind of ["user", "device"]) this.memberships.delete(`${realmId}|${kind}|${subjectId.toLowerCase()}`);
    this.inner.refresh(realmId, subjectId);
  }
  passwordValidityDays(realmId: string, domain: string): Promise<number> {
    return this.inner.passwordValidityDays(realmId, domain);
  }
  bitlockerKeyExists(realmId: string, deviceId: string): Promise<boolean> {
    return this.inner.bitlockerKeyExists(realmId, deviceId);
  }
  deviceAlternativeSecurityIds(realmId: string, deviceId: string): Promise<AlternativeSecurityId[] | undefined> {
    return this.inner.deviceAlternativeSecurityIds(realmId, deviceId);
  }
}
