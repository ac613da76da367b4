import { odata, RestError, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import { validationError } from "../core/errors.js";
import { SIGNATURE_FIELDS } from "./signature-template.js";
import {
  DEFAULT_PASSWORD_VALIDITY_DAYS,
  type AlternativeSecurityId,
  type Directory,
  type DirectoryUser,
} from "./directory.js";

/** A user of the local directory: the Graph fields, with expiry expressed as a flag. */
export type LocalDirectoryUser = Omit<DirectoryUser, "passwordPolicies" | "businessPhones"> & {
  businessPhones?: string[];
  passwordNeverExpires?: boolean;
};

/** A group of the local directory. */
export interface LocalDirectoryGroup {
  id: string;
  displayName: string;
}

// The signature fields kept as plain strings (businessPhones is a list, stored apart), plus the password date.
const PROFILE_FIELDS = [...SIGNATURE_FIELDS.filter((f) => f !== "businessPhones"), "lastPasswordChangeDateTime"] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_GROUPS_VISITED = 5_000;

const userEntitySchema = z.object({
  userId: z.string(),
  userPrincipalName: z.string(),
  businessPhones: z.string().optional(),
  passwordNeverExpires: z.boolean().optional(),
  ...Object.fromEntries(PROFILE_FIELDS.map((f) => [f, z.string().optional()])),
});
const upnEntitySchema = z.object({ userId: z.string() });
const memberOfEntitySchema = z.object({ groupId: z.string() });
const altIdsSchema = z.array(
  z.object({ type: z.number().int(), identityProvider: z.string().optional(), key: z.string() }),
);
const domainEntitySchema = z.object({ passwordValidityPeriodInDays: z.number().int().optional() });

/**
 * The Directory for NoGraph realms and the local host, in one Table. Every PartitionKey starts with
 * the realm id: "{realm}|user", "|upn" (UPN -> user id), "|group", "|memberof" (RowKey
 * "{member}|{group}", one row per direct membership of a user, device or group), "|bitlocker",
 * "|device", "|domain". Reads are always fresh, so refresh() has nothing to forget.
 */
export class LocalDirectory implements Directory {
  constructor(private readonly table: TableClient) {}

  /** Creates the table when missing. Throws on storage errors. */
  async init(): Promise<void> {
    await this.table.createTable();
  }

  async getUser(realmId: string, userIdOrUpn: string): Promise<DirectoryUser | undefined> {
    const realm = realmKey(realmId);
    let userId = userIdOrUpn;
    if (!GUID.test(userIdOrUpn)) {
      const index = await this.read(`${realm}|upn`, key(userIdOrUpn), upnEntitySchema);
      if (index === undefined) return undefined;
      userId = index.userId;
    }
    const entity = await this.read(`${realm}|user`, key(userId), userEntitySchema);
    if (entity === undefined) return undefined;
    const user: DirectoryUser = {
      id: entity.userId,
      userPrincipalName: entity.userPrincipalName,
      businessPhones: parsePhones(entity.businessPhones),
    };
    const fields = entity as Record<string, unknown>;
    for (const field of PROFILE_FIELDS) {
      const value = fields[field];
      if (typeof value === "string") user[field] = value;
    }
    if (entity.passwordNeverExpires === true) user.passwordPolicies = "DisablePasswordExpiration";
    return user;
  }

  async transitiveGroupIds(realmId: string, userId: string): Promise<string[]> {
    const user = await this.getUser(realmId, userId);
    return user === undefined ? [] : this.closure(realmId, user.id);
  }

  deviceGroupIds(realmId: string, deviceId: string): Promise<string[]> {
    return this.closure(realmId, deviceId);
  }

  refresh(): void {}

  async passwordValidityDays(realmId: string, domain: string): Promise<number> {
    const entity = await this.read(`${realmKey(realmId)}|domain`, key(domain), domainEntitySchema);
    return entity?.passwordValidityPeriodInDays ?? DEFAULT_PASSWORD_VALIDITY_DAYS;
  }

  async bitlockerKeyExists(realmId: string, deviceId: string): Promise<boolean> {
    const rows = this.table.listEntities({
      queryOptions: { filter: prefixFilter(`${realmKey(realmId)}|bitlocker`, `${key(deviceId)}|`), select: ["RowKey"] },
    });
    for await (const _row of rows) return true;
    return false;
  }

  async deviceAlternativeSecurityIds(realmId: string, deviceId: string): Promise<AlternativeSecurityId[] | undefined> {
    const entity = await this.read(`${realmKey(realmId)}|device`, key(deviceId), z.object({ alternativeSecurityIds: z.string() }));
    if (entity === undefined) return undefined;
    return altIdsSchema.parse(JSON.parse(entity.alternativeSecurityIds));
  }

  /** Creates or replaces a user and its UPN index. Throws AppError "validation" on a non-GUID id or an empty UPN. */
  async putUser(realmId: string, user: LocalDirectoryUser): Promise<void> {
    if (!GUID.test(user.id)) throw validationError(`User id must be a GUID: ${user.id}`);
    if (user.userPrincipalName.trim() === "") throw validationError("userPrincipalName is required");
    const realm = realmKey(realmId);
    const previous = await this.read(`${realm}|user`, key(user.id), userEntitySchema);
    const entity: TableEntity<Record<string, unknown>> = {
      partitionKey: `${realm}|user`,
      rowKey: key(user.id),
      userId: user.id.toLowerCase(),
      userPrincipalName: user.userPrincipalName,
      businessPhones: JSON.stringify(user.businessPhones ?? []),
      passwordNeverExpires: user.passwordNeverExpires === true,
    };
    for (const field of PROFILE_FIELDS) {
      const value = user[field];
      if (value !== undefined) entity[field] = value;
    }
    await this.table.upsertEntity(entity, "Replace");
    await this.table.upsertEntity(
      { partitionKey: `${realm}|upn`, rowKey: key(user.userPrincipalName), userId: user.id.toLowerCase() },
      "Replace",
    );
    if (previous !== undefined && key(previous.userPrincipalName) !== key(user.userPrincipalName)) {
      await this.deleteIfPresent(`${realm}|upn`, key(previous.userPrincipalName));
    }
  }

  /** Creates or renames a group. Throws AppError "validation" on a non-GUID id. */
  async putGroup(realmId: string, group: LocalDirectoryGroup): Promise<void> {
    if (!GUID.test(group.id)) throw validationError(`Group id must be a GUID: ${group.id}`);
    await this.table.upsertEntity(
      { partitionKey: `${realmKey(realmId)}|group`, rowKey: key(group.id), displayName: group.displayName },
      "Replace",
    );
  }

  /** Adds a user, device (Entra deviceId) or group as a direct member of a group; idempotent. Throws AppError "validation" on non-GUID ids. */
  async addMember(realmId: string, groupId: string, memberId: string): Promise<void> {
    if (!GUID.test(groupId) || !GUID.test(memberId)) throw validationError("Group and member ids must be GUIDs");
    await this.table.upsertEntity(
      {
        partitionKey: `${realmKey(realmId)}|memberof`,
        rowKey: `${key(memberId)}|${key(groupId)}`,
        groupId: groupId.toLowerCase(),
      },
      "Replace",
    );
    // The reverse row ("|members", RowKey "{group}|{member}") lists a group's members without scanning "|memberof".
    await this.table.upsertEntity(
      { partitionKey: `${realmKey(realmId)}|members`, rowKey: `${key(groupId)}|${key(memberId)}`, memberId: memberId.toLowerCase() },
      "Replace",
    );
  }

  /** Removes a direct membership; absent memberships are ignored. */
  async removeMember(realmId: string, groupId: string, memberId: string): Promise<void> {
    await this.deleteIfPresent(`${realmKey(realmId)}|memberof`, `${key(memberId)}|${key(groupId)}`);
    await this.deleteIfPresent(`${realmKey(realmId)}|members`, `${key(groupId)}|${key(memberId)}`);
  }

  /** A group, or undefined. */
  async getGroup(realmId: string, groupId: string): Promise<LocalDirectoryGroup | undefined> {
    const entity = await this.read(`${realmKey(realmId)}|group`, key(groupId), z.object({ displayName: z.string() }));
    return entity === undefined ? undefined : { id: groupId.toLowerCase(), displayName: entity.displayName };
  }

  /** The direct members of a group (users, devices, groups), as recorded by addMember; at most `limit`. */
  async groupMembers(realmId: string, groupId: string, limit = MAX_GROUPS_VISITED): Promise<string[]> {
    const rows = this.table.listEntities({ queryOptions: { filter: prefixFilter(`${realmKey(realmId)}|members`, `${key(groupId)}|`), select: ["memberId"] } });
    const out: string[] = [];
    for await (const row of rows) {
      out.push(z.object({ memberId: z.string() }).parse(row).memberId);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The groups a subject is a direct member of. */
  async directGroups(realmId: string, memberId: string): Promise<string[]> {
    const rows = this.table.listEntities({ queryOptions: { filter: prefixFilter(`${realmKey(realmId)}|memberof`, `${key(memberId)}|`), select: ["groupId"] } });
    const out: string[] = [];
    for await (const row of rows) out.push(memberOfEntitySchema.parse(row).groupId);
    return out;
  }

  /** One page of users (by id), after the given id. */
  async listUsers(realmId: string, pageSize: number, afterId?: string): Promise<{ users: DirectoryUser[]; next?: string }> {
    const ids = await this.pageOfRows(`${realmKey(realmId)}|user`, pageSize, afterId);
    const users: DirectoryUser[] = [];
    for (const id of ids.rows) {
      const user = await this.getUser(realmId, decodeURIComponent(id));
      if (user !== undefined) users.push(user);
    }
    return { users, ...(ids.next === undefined ? {} : { next: decodeURIComponent(ids.next) }) };
  }

  /** One page of groups (by id), after the given id. */
  async listGroups(realmId: string, pageSize: number, afterId?: string): Promise<{ groups: LocalDirectoryGroup[]; next?: string }> {
    const partitionKey = `${realmKey(realmId)}|group`;
    const filter =
      afterId === undefined ? odata`PartitionKey eq ${partitionKey}` : odata`PartitionKey eq ${partitionKey} and RowKey gt ${key(afterId)}`;
    const groups: LocalDirectoryGroup[] = [];
    for await (const row of this.table.listEntities({ queryOptions: { filter } })) {
      groups.push({ id: decodeURIComponent(row.rowKey ?? ""), displayName: z.object({ displayName: z.string() }).parse(row).displayName });
      if (groups.length === pageSize) return { groups, next: groups[groups.length - 1]?.id ?? "" };
    }
    return { groups };
  }

  /** Deletes a user, its UPN index and its memberships; false when absent. */
  async deleteUser(realmId: string, userId: string): Promise<boolean> {
    const realm = realmKey(realmId);
    const entity = await this.read(`${realm}|user`, key(userId), userEntitySchema);
    if (entity === undefined) return false;
    for (const groupId of await this.directGroups(realmId, userId)) await this.removeMember(realmId, groupId, userId);
    await this.deleteIfPresent(`${realm}|upn`, key(entity.userPrincipalName));
    await this.deleteIfPresent(`${realm}|user`, key(userId));
    return true;
  }

  /** Deletes a group, its members' memberships and its own memberships in other groups; false when absent. */
  async deleteGroup(realmId: string, groupId: string): Promise<boolean> {
    if ((await this.getGroup(realmId, groupId)) === undefined) return false;
    for (const member of await this.groupMembers(realmId, groupId)) await this.removeMember(realmId, groupId, member);
    for (const parent of await this.directGroups(realmId, groupId)) await this.removeMember(realmId, parent, groupId);
    await this.deleteIfPresent(`${realmKey(realmId)}|group`, key(groupId));
    return true;
  }

  private async pageOfRows(partitionKey: string, pageSize: number, afterId?: string): Promise<{ rows: string[]; next?: string }> {
    const filter =
      afterId === undefined ? odata`PartitionKey eq ${partitionKey}` : odata`PartitionKey eq ${partitionKey} and RowKey gt ${key(afterId)}`;
    const rows: string[] = [];
    for await (const row of this.table.listEntities({ queryOptions: { filter, select: ["RowKey"] } })) {
      rows.push(row.rowKey ?? "");
      if (rows.length === pageSize) return { rows, next: rows[rows.length - 1] ?? "" };
    }
    return { rows };
  }

  /** Records that a BitLocker recovery key (by protector/key id) was escrowed for the device, as Entra would; idempotent. Throws AppError "validation" on a non-GUID deviceId or an empty or over-long keyId. */
  async recordBitlockerKey(realmId: string, deviceId: string, keyId: string): Promise<void> {
    if (!GUID.test(deviceId)) throw validationError(`deviceId must be a GUID: ${deviceId}`);
    if (keyId.trim() === "" || keyId.length > 128) throw validationError("keyId must have 1 to 128 characters");
    await this.table.upsertEntity(
      {
        partitionKey: `${realmKey(realmId)}|bitlocker`,
        rowKey: `${key(deviceId)}|${key(keyId)}`,
        deviceId: deviceId.toLowerCase(),
        keyId,
      },
      "Replace",
    );
  }

  /** Sets the device's alternativeSecurityIds (replacing earlier ones). Throws AppError "validation" on a non-GUID deviceId. */
  async setDeviceAlternativeSecurityIds(realmId: string, deviceId: string, ids: AlternativeSecurityId[]): Promise<void> {
    if (!GUID.test(deviceId)) throw validationError(`deviceId must be a GUID: ${deviceId}`);
    await this.table.upsertEntity(
      {
        partitionKey: `${realmKey(realmId)}|device`,
        rowKey: key(deviceId),
        alternativeSecurityIds: JSON.stringify(altIdsSchema.parse(ids)),
      },
      "Replace",
    );
  }

  /**
   * An admin's pre-registration of a device id (pinned-trust realms pin only known devices): adds the device
   * with no certificate bindings; a device already present keeps its bindings. Returns "created" or "exists".
   * Throws AppError "validation" on a non-GUID deviceId.
   */
  async registerDevice(realmId: string, deviceId: string): Promise<"created" | "exists"> {
    if (!GUID.test(deviceId)) throw validationError(`deviceId must be a GUID: ${deviceId}`);
    try {
      await this.table.createEntity({ partitionKey: `${realmKey(realmId)}|device`, rowKey: key(deviceId), alternativeSecurityIds: "[]" });
      return "created";
    } catch (e) {
      if (e instanceof RestError && e.statusCode === 409) return "exists";
      throw e;
    }
  }

  /** Sets a domain's password validity (undefined: Entra's default applies; 2147483647: never expires). */
  async setDomainPasswordValidity(realmId: string, domain: string, days: number | undefined): Promise<void> {
    const entity: TableEntity<Record<string, unknown>> = { partitionKey: `${realmKey(realmId)}|domain`, rowKey: key(domain) };
    if (days !== undefined) entity["passwordValidityPeriodInDays"] = days;
    await this.table.upsertEntity(entity, "Replace");
  }

  /** Breadth-first walk up the memberof rows; cycles and runaway nesting are bounded. */
  private async closure(realmId: string, subjectId: string): Promise<string[]> {
    const partition = `${realmKey(realmId)}|memberof`;
    const found = new Set<string>();
    let frontier = [subjectId.toLowerCase()];
    while (frontier.length > 0 && found.size < MAX_GROUPS_VISITED) {
      const next: string[] = [];
      for (const member of frontier) {
        const rows = this.table.listEntities({
          queryOptions: { filter: prefixFilter(partition, `${key(member)}|`), select: ["groupId"] },
        });
        for await (const row of rows) {
          const { groupId } = memberOfEntitySchema.parse(row);
          if (!found.has(groupId)) {
            found.add(groupId);
            next.push(groupId);
          }
        }
      }
      frontier = next;
    }
    return [...found];
  }

  private async read<T>(partitionKey: string, rowKey: string, schema: z.ZodType<T>): Promise<T | undefined> {
    try {
      return schema.parse(await this.table.getEntity(partitionKey, rowKey));
    } catch (e) {
      if (e instanceof RestError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  private async deleteIfPresent(partitionKey: string, rowKey: string): Promise<void> {
    try {
      await this.table.deleteEntity(partitionKey, rowKey);
    } catch (e) {
      if (!(e instanceof RestError && e.statusCode === 404)) throw e;
    }
  }
}

// Table keys forbid / \ # ? and control characters; UPNs may contain '#', so every key part is URI-encoded.
function key(value: string): string {
  return encodeURIComponent(value.trim().toLowerCase());
}

function realmKey(realmId: string): string {
  return key(realmId);
}

function prefixFilter(partitionKey: string, rowKeyPrefix: string): string {
  // '}' sorts right after '|', the last character of every prefix used here.
  const upper = rowKeyPrefix.slice(0, -1) + "}";
  return odata`PartitionKey eq ${partitionKey} and RowKey ge ${rowKeyPrefix} and RowKey lt ${upper}`;
}

function parsePhones(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const parsed = z.array(z.string()).safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : [];
}
