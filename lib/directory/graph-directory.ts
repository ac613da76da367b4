import type { TokenCredential } from "@azure/identity";
import type { Client } from "@microsoft/microsoft-graph-client";
import { systemClock, type Clock } from "../core/clock.js";
import {
  DEFAULT_PASSWORD_VALIDITY_DAYS,
  type AlternativeSecurityId,
  type Directory,
  type DirectoryGroup,
  type DirectoryUser,
} from "./directory.js";
import { GraphCaller, type GraphCallLimits } from "./graph-caller.js";
import { createGraphClient } from "./graph-client.js";
import {
  GRAPH_USER_SELECT,
  graphDevicePageSchema,
  graphDomainSchema,
  graphGroupSchema,
  graphRecoveryKeyPageSchema,
  graphUserSchema,
} from "./graph-schemas.js";
import { TtlCache } from "./ttl-cache.js";

/** Settings of the Graph directory (the lead's settings schema supplies them). */
export interface GraphDirectorySettings extends GraphCallLimits {
  /** Graph service root without version; https only. */
  baseUrl: string;
  /** How long transitive memberships are reused before Graph is asked again. */
  membershipCacheTtlMs: number;
  /** $top for membership pages (Graph allows up to 999). */
  pageSize: number;
}

/** Production defaults. */
export const DEFAULT_GRAPH_DIRECTORY_SETTINGS: GraphDirectorySettings = {
  baseUrl: "https://graph.microsoft.com",
  timeoutMs: 10_000,
  maxRetries: 3,
  retryDelaySeconds: 3,
  maxPages: 50,
  membershipCacheTtlMs: 15 * 60_000,
  pageSize: 999,
};

export interface GraphDirectoryDeps {
  /** The app's credential in one customer tenant (client secret, certificate, or managed identity + federated credential). Called once per realm. */
  credentialFor: (tenantId: string) => TokenCredential;
  settings?: Partial<GraphDirectorySettings>;
  clock?: Clock;
  /** Sends the HTTP requests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The BitLocker recovery-key API asks callers to identify themselves.
const OCP_CLIENT = { "ocp-client-name": "RealmJoin", "ocp-client-version": "1.0" };

/** The Directory over Microsoft Graph, one lazily made client per realm (tenant). */
export class GraphDirectory implements Directory {
  private readonly settings: GraphDirectorySettings;
  private readonly callers = new Map<string, GraphCaller>();
  private readonly memberships: TtlCache<string[]>;

  constructor(private readonly deps: GraphDirectoryDeps) {
    this.settings = { ...DEFAULT_GRAPH_DIRECTORY_SETTINGS, ...deps.settings };
    this.memberships = new TtlCache(this.settings.membershipCacheTtlMs, deps.clock ?? systemClock);
  }

  async getUser(realmId: string, userIdOrUpn: string): Promise<DirectoryUser | undefined> {
    if (userIdOrUpn.trim() === "") return undefined;
    const user = await this.caller(realmId).get(
      "user lookup",
      (c) => c.api(`/users/${encodeURIComponent(userIdOrUpn)}`).select(GRAPH_USER_SELECT),
      graphUserSchema,
    );
    if (user === undefined) return undefined;
    const result: DirectoryUser = { id: user.id, userPrincipalName: user.userPrincipalName, businessPhones: user.businessPhones ?? [] };
    for (const [key, value] of Object.entries(user)) {
      if (typeof value === "string" && key !== "id" && key !== "userPrincipalName") {
        (result as unknown as Record<string, string>)[key] = value;
      }
    }
    return result;
  }

  async getGroup(realmId: string, groupId: string): Promise<DirectoryGroup | undefined> {
    if (!GUID.test(groupId)) return undefined;
    const group = await this.caller(realmId).get(
      "group lookup",
      (c) => c.api(`/groups/${encodeURIComponent(groupId)}`).select(["id", "displayName"]),
      graphGroupSchema,
    );
    return group === undefined ? undefined : { id: group.id, ...(group.displayName ? { displayName: group.displayName } : {}) };
  }

  transitiveGroupIds(realmId: string, userId: string): Promise<string[]> {
    if (userId.trim() === "") return Promise.resolve([]);
    return this.memberships.get(cacheKey(realmId, userId), async () => {
      const ids = await this.caller(realmId).getAllIds("user group membership", (c) =>
        c.api(`/users/${encodeURIComponent(userId)}/transitiveMemberOf/microsoft.graph.group`).select("id").top(this.settings.pageSize),
      );
      return ids ?? [];
    });
  }

  deviceGroupIds(realmId: string, deviceId: string): Promise<string[]> {
    if (!GUID.test(deviceId)) return Promise.resolve([]);
    return this.memberships.get(cacheKey(realmId, deviceId), async () => {
      const device = await this.findDevice(realmId, deviceId, ["id"]);
      if (device === undefined) return [];
      const ids = await this.caller(realmId).getAllIds("device group membership", (c) =>
        c.api(`/devices/${encodeURIComponent(device.id)}/transitiveMemberOf/microsoft.graph.group`).select("id").top(this.settings.pageSize),
      );
      return ids ?? [];
    });
  }

  refresh(realmId: string, subjectId?: string): void {
    if (subjectId === undefined) this.memberships.deletePrefix(`${realmId.toLowerCase()}|`);
    else this.memberships.delete(cacheKey(realmId, subjectId));
  }

  async passwordValidityDays(realmId: string, domain: string): Promise<number> {
    if (domain.trim() === "") return DEFAULT_PASSWORD_VALIDITY_DAYS;
    const found = await this.caller(realmId).get(
      "domain lookup",
      (c) => c.api(`/domains/${encodeURIComponent(domain)}`).select(["id", "passwordValidityPeriodInDays"]),
      graphDomainSchema,
    );
    return found?.passwordValidityPeriodInDays ?? DEFAULT_PASSWORD_VALIDITY_DAYS;
  }

  async bitlockerKeyExists(realmId: string, deviceId: string): Promise<boolean> {
    if (!GUID.test(deviceId)) return false;
    // Never $select=key: reading the key itself is audited and needs a stronger permission.
    const page = await this.caller(realmId).get(
      "BitLocker recovery key lookup",
      (c) =>
        c
          .api("/informationProtection/bitlocker/recoveryKeys")
          .filter(`deviceId eq '${deviceId}'`)
          .headers(OCP_CLIENT),
      graphRecoveryKeyPageSchema,
    );
    return (page?.value.length ?? 0) > 0;
  }

  async deviceAlternativeSecurityIds(realmId: string, deviceId: string): Promise<AlternativeSecurityId[] | undefined> {
    if (!GUID.test(deviceId)) return undefined;
    const device = await this.findDevice(realmId, deviceId, ["id", "deviceId", "alternativeSecurityIds"]);
    if (device === undefined) return undefined;
    return (device.alternativeSecurityIds ?? []).map((alt) => ({
      type: alt.type,
      key: alt.key,
      ...(alt.identityProvider == null ? {} : { identityProvider: alt.identityProvider }),
    }));
  }

  /** The device object (object id differs from the Entra deviceId the agent knows). deviceId must already be a GUID. */
  private async findDevice(realmId: string, deviceId: string, select: string[]) {
    const page = await this.caller(realmId).get(
      "device lookup",
      (c) => c.api("/devices").filter(`deviceId eq '${deviceId}'`).select(select),
      graphDevicePageSchema,
    );
    return page?.value[0];
  }

  private caller(realmId: string): GraphCaller {
    const key = realmId.toLowerCase();
    let caller = this.callers.get(key);
    if (caller === undefined) {
      const client: Client = createGraphClient(this.deps.credentialFor(key), {
        baseUrl: this.settings.baseUrl,
        ...(this.deps.fetch === undefined ? {} : { fetch: this.deps.fetch }),
      });
      caller = new GraphCaller(client, this.settings.baseUrl, this.settings);
      this.callers.set(key, caller);
    }
    return caller;
  }
}

function cacheKey(realmId: string, subjectId: string): string {
  return `${realmId.toLowerCase()}|${subjectId.toLowerCase()}`;
}
