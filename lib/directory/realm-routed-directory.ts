import type { RealmLookup } from "../realms/realm.js";
import type { AlternativeSecurityId, Directory, DirectoryGroup, DirectoryUser } from "./directory.js";

/**
 * Sends each call to the realm's directory: Graph for realms with Graph consent, the local directory
 * for NoGraph realms (and for every realm when no Graph directory is configured, as on the local host).
 */
export class RealmRoutedDirectory implements Directory {
  constructor(
    private readonly realms: RealmLookup,
    private readonly local: Directory,
    private readonly graph: Directory | undefined,
  ) {}

  private async pick(realmId: string): Promise<Directory> {
    if (this.graph === undefined) return this.local;
    const realm = await this.realms.get(realmId);
    return realm === undefined || realm.noGraph ? this.local : this.graph;
  }

  /** True when the realm has Graph (directory data from Entra ID); false for NoGraph realms. */
  async hasGraph(realmId: string): Promise<boolean> {
    const realm = await this.realms.get(realmId);
    return realm !== undefined && !realm.noGraph;
  }

  async getUser(realmId: string, userIdOrUpn: string): Promise<DirectoryUser | undefined> {
    return (await this.pick(realmId)).getUser(realmId, userIdOrUpn);
  }
  async getGroup(realmId: string, groupId: string): Promise<DirectoryGroup | undefined> {
    return (await this.pick(realmId)).getGroup(realmId, groupId);
  }
  async transitiveGroupIds(realmId: string, userId: string): Promise<string[]> {
    return (await this.pick(realmId)).transitiveGroupIds(realmId, userId);
  }
  async deviceGroupIds(realmId: string, deviceId: string): Promise<string[]> {
    return (await this.pick(realmId)).deviceGroupIds(realmId, deviceId);
  }
  refresh(realmId: string, subjectId?: string): void {
    this.local.refresh(realmId, subjectId);
    this.graph?.refresh(realmId, subjectId);
  }
  async passwordValidityDays(realmId: string, domain: string): Promise<number> {
    return (await this.pick(realmId)).passwordValidityDays(realmId, domain);
  }
  async bitlockerKeyExists(realmId: string, deviceId: string): Promise<boolean> {
    return (await this.pick(realmId)).bitlockerKeyExists(realmId, deviceId);
  }
  async deviceAlternativeSecurityIds(realmId: string, deviceId: string): Promise<AlternativeSecurityId[] | undefined> {
    return (await this.pick(realmId)).deviceAlternativeSecurityIds(realmId, deviceId);
  }
}
