import type { TableClient } from "@azure/data-tables";
import { systemClock, type Clock } from "../core/clock.js";
import { AppError } from "../core/errors.js";
import { GenerationKeyedCache } from "../storage/generation-keyed-cache.js";
import { keyPart, odataString, realmKey } from "../storage/keys.js";
import { isConflict, isNotFound, isPreconditionFailed } from "../storage/rest-error.js";
import { formatPolicyScope, storedPolicyDocument, type PolicyDocument, type PolicyScope } from "./policy.js";

interface PolicyEntity {
  document: string;
  updatedAt: string;
}

export interface StoredPolicy {
  scope: string;
  document: PolicyDocument;
  etag: string;
  updatedAt: string;
}

/** How agent reads reuse a realm's policies: keyed on the realm's policies generation token (see Realm.generations). */
export interface PolicyGenerationOptions {
  /** The realm's current policies generation token (from the cached realm row). */
  generationOf(realmId: string): Promise<string>;
  /** Called after every stored change, to bump that token. */
  afterChange(realmId: string): Promise<void>;
  clock?: Clock;
  /** Reload after this long even when the token matches (default 5 minutes); bounds a change whose bump failed. */
  maxAgeMs?: number;
  /** Realms held (default 1,000; a realm has a handful of policies). */
  maxRealms?: number;
}

/** Policies per realm: PartitionKey `<realm>|policies`, RowKey the scope ("realm", "group:<id>", "device:<id>"). */
export class PolicyRepository {
  private readonly cache: GenerationKeyedCache<StoredPolicy[]> | undefined;

  constructor(
    private readonly table: () => Promise<TableClient>,
    private readonly generations?: PolicyGenerationOptions,
  ) {
    this.cache =
      generations === undefined
        ? undefined
        : new GenerationKeyedCache({ clock: generations.clock ?? systemClock, maxRealms: generations.maxRealms ?? 1_000, maxAgeMs: generations.maxAgeMs ?? 5 * 60_000 });
  }

  /**
   * Every policy of the realm as agents are served: from this instance's memory while the realm's policies generation
   * is unchanged (no storage request), else read again. Without generation options the same as list().
   */
  async listForAgents(realmId: string): Promise<StoredPolicy[]> {
    if (this.generations === undefined || this.cache === undefined) return await this.list(realmId);
    const key = await this.generations.generationOf(realmId);
    return await this.cache.get(realmId, key, () => this.list(realmId));
  }

  private async changed(realmId: string): Promise<void> {
    this.cache?.forget(realmId);
    await this.generations?.afterChange(realmId);
  }

  /** The policy of one scope, or undefined when none is set. */
  async get(realmId: string, scope: PolicyScope): Promise<StoredPolicy | undefined> {
    const client = await this.table();
    const rowKey = keyPart(formatPolicyScope(scope));
    try {
      const e = await client.getEntity<PolicyEntity>(realmKey(realmId, "policies"), rowKey);
      return { scope: formatPolicyScope(scope), document: storedPolicyDocument(JSON.parse(e.document)), etag: e.etag, updatedAt: e.updatedAt };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Every policy of the realm (a realm has a handful). */
  async list(realmId: string): Promise<StoredPolicy[]> {
    const client = await this.table();
    const out: StoredPolicy[] = [];
    const pk = realmKey(realmId, "policies");
    for await (const e of client.listEntities<PolicyEntity>({ queryOptions: { filter: `PartitionKey eq ${odataString(pk)}` } })) {
      out.push({
        scope: decodeURIComponent(e.rowKey ?? ""),
        document: storedPolicyDocument(JSON.parse(e.document)),
        etag: e.etag,
        updatedAt: e.updatedAt,
      });
    }
    return out;
  }

  /**
   * Writes a scope's policy. With `ifMatch` (one ETag as this repository returned it, or a list of them) the write
   * happens only over a version one of them names; "absent" only creates. Throws AppError precondition-failed
   * "policy-changed" when the condition does not hold, including when a concurrent write wins the race.
   */
  async put(realmId: string, scope: PolicyScope, document: PolicyDocument, updatedAt: string, ifMatch?: string | readonly string[]): Promise<StoredPolicy> {
    const client = await this.table();
    const entity = { partitionKey: realmKey(realmId, "policies"), rowKey: keyPart(formatPolicyScope(scope)), document: JSON.stringify(document), updatedAt };
    try {
      const result =
        ifMatch === undefined
          ? await client.upsertEntity(entity, "Replace")
          : ifMatch === "absent"
            ? await client.createEntity(entity)
            : await client.updateEntity(entity, "Replace", { etag: await matchingEtag(client, entity.partitionKey, entity.rowKey, ifMatch) });
      await this.changed(realmId);
      return { scope: formatPolicyScope(scope), document, etag: result.etag ?? "", updatedAt };
    } catch (error) {
      if (isPreconditionFailed(error) || isConflict(error) || (ifMatch !== undefined && isNotFound(error))) throw policyChanged();
      throw error;
    }
  }

  /**
   * Removes a scope's policy; false when there was none. With `ifMatch` it removes only a version one of the tags
   * names, and throws AppError precondition-failed "policy-changed" otherwise (an absent policy included).
   */
  async delete(realmId: string, scope: PolicyScope, ifMatch?: readonly string[]): Promise<boolean> {
    const client = await this.table();
    const pk = realmKey(realmId, "policies");
    const rk = keyPart(formatPolicyScope(scope));
    try {
      if (ifMatch === undefined) await client.deleteEntity(pk, rk);
      else await client.deleteEntity(pk, rk, { etag: await matchingEtag(client, pk, rk, ifMatch) });
      await this.changed(realmId);
      return true;
    } catch (error) {
      if (ifMatch !== undefined && (isNotFound(error) || isPreconditionFailed(error))) throw policyChanged();
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}

/** True when one of the tags names `etag` (weak comparison, W/ ignored on both sides: the Table's ETags are weak). */
function namesEtag(tags: readonly string[], etag: string): boolean {
  const bare = etag.replace(/^W\//, "");
  return tags.some((t) => t.replace(/^W\//, "") === bare);
}

const policyChanged = (): AppError =>
  new AppError("precondition-failed", "The policy changed since you read it; read it again and retry", { code: "policy-changed" });

/**
 * The stored ETag when one of `tags` names it. The Table service refuses (400) an ETag not in its own format,
 * so a client's tag is compared here and only the stored one is sent back with the conditional write.
 */
async function matchingEtag(client: TableClient, partitionKey: string, rowKey: string, tags: string | readonly string[]): Promise<string> {
  const current = await client.getEntity(partitionKey, rowKey, { queryOptions: { select: ["PartitionKey"] } });
  if (current.etag === undefined || !namesEtag(typeof tags === "string" ? [tags] : tags, current.etag)) throw policyChanged();
  return current.etag;
}
