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
   * Writes a scope's policy. With `ifMatch` the write happens only over that version (412 otherwise);
   * `ifMatch: "*"`-less creates never overwrite a concurrent create (409 -> 412).
   */
  async put(realmId: string, scope: PolicyScope, document: PolicyDocument, updatedAt: string, ifMatch?: string): Promise<StoredPolicy> {
    const client = await this.table();
    const entity = { partitionKey: realmKey(realmId, "policies"), rowKey: keyPart(formatPolicyScope(scope)), document: JSON.stringify(document), updatedAt };
    try {
      const result =
        ifMatch === undefined
          ? await client.upsertEntity(entity, "Replace")
          : ifMatch === "absent"
            ? await client.createEntity(entity)
            : await client.updateEntity(entity, "Replace", { etag: ifMatch });
      await this.changed(realmId);
      return { scope: formatPolicyScope(scope), document, etag: result.etag ?? "", updatedAt };
    } catch (error) {
      if (isPreconditionFailed(error) || isConflict(error) || (ifMatch !== undefined && isNotFound(error))) {
        throw new AppError("precondition-failed", "The policy changed since you read it; read it again and retry", { code: "policy-changed" });
      }
      throw error;
    }
  }

  /** Removes a scope's policy; false when there was none. */
  async delete(realmId: string, scope: PolicyScope): Promise<boolean> {
    const client = await this.table();
    try {
      await client.deleteEntity(realmKey(realmId, "policies"), keyPart(formatPolicyScope(scope)));
      await this.changed(realmId);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}
