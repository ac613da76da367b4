import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { conflict } from "../core/errors.js";
import { odataString, realmKey } from "../storage/keys.js";
import { updateWithRetry } from "../storage/optimistic.js";
import { isConflict, isNotFound } from "../storage/rest-error.js";
import type { CataloguePackage, CatalogueRecord, ContentInfoBlobs, PublishResult, StoredDependencyGroup } from "./catalogue-record.js";
import { sameContent } from "./catalogue-publish-input.js";
import { bumpGenerationAction, GENERATION_ROW, readGeneration } from "./delivery-generation.js";
import { compactKeyPart, TABLE_KEY_MAX_CHARS } from "../storage/limits.js";
import { MAX_VERSION_LENGTH, tryParseVersion } from "./nuget-version.js";
import { compareVersions } from "./nuget-version-compare.js";
import { normalizePackageId } from "./package-id.js";

interface PackageEntity {
  id: string;
  version: string;
  title: string;
  description: string;
  authors: string;
  tags: string;
  dependencyGroups: string;
  installContext: string;
  size: { value: string; type: "Int64" } | bigint | number | string;
  publishedAt: string;
  sha256?: string;
  blobName?: string;
  sha1?: string;
  legacyHash?: boolean;
  url?: string;
  contentInfoV1?: string;
  contentInfoV2?: string;
}

// One partition per realm: a realm's catalogue is listed with one partition query, and no key of one realm
// can ever fall inside another's (realmKey starts every PartitionKey with the realm id).
const partition = (realmId: string): string => realmKey(realmId, "packages");
// A 100-letter CJK id is 900 characters percent-encoded: an id part or version part that would not fit its share
// of the RowKey is hashed, so id, "|" and version always fit (a valid version is at most 64 characters, a few more
// once normalized and encoded, so versions are never hashed in practice).
const VERSION_PART_MAX = MAX_VERSION_LENGTH + 8;
const ID_PART_MAX = TABLE_KEY_MAX_CHARS - 1 - VERSION_PART_MAX;
const idPrefix = (id: string): string => `${compactKeyPart(normalizePackageId(id), ID_PART_MAX)}|`;
// Versions compare case-insensitively (NuGet labels), so the row key is lower case; the display form is kept in `version`.
const rowKey = (id: string, version: string): string => `${idPrefix(id)}${compactKeyPart(version.toLowerCase(), VERSION_PART_MAX)}`;

function toEntity(r: CatalogueRecord): PackageEntity {
  return {
    id: r.id,
    version: r.version,
    title: r.title,
    description: r.description,
    authors: JSON.stringify(r.authors),
    tags: JSON.stringify(r.tags),
    dependencyGroups: JSON.stringify(r.dependencyGroups),
    installContext: r.installContext,
    // Int64 explicitly: the SDK would type a large safe integer as Int32.
    size: { value: String(r.size), type: "Int64" },
    publishedAt: r.publishedAt,
    ...(r.sha256 === undefined ? {} : { sha256: r.sha256 }),
    ...(r.blobName === undefined ? {} : { blobName: r.blobName }),
    ...(r.sha1 === undefined ? {} : { sha1: r.sha1 }),
    ...(r.legacyHash === true ? { legacyHash: true } : {}),
    ...(r.url === undefined ? {} : { url: r.url }),
    ...(r.contentInfo.v1 === undefined ? {} : { contentInfoV1: r.contentInfo.v1 }),
    ...(r.contentInfo.v2 === undefined ? {} : { contentInfoV2: r.contentInfo.v2 }),
  };
}

const numberOf = (v: PackageEntity["size"]): number => Number(typeof v === "object" && v !== null && "value" in v ? v.value : v);

function toRecord(realmId: string, e: PackageEntity): CatalogueRecord {
  return {
    realmId,
    id: e.id,
    version: e.version,
    title: e.title,
    description: e.description,
    authors: JSON.parse(e.authors) as string[],
    tags: JSON.parse(e.tags) as string[],
    dependencyGroups: JSON.parse(e.dependencyGroups) as StoredDependencyGroup[],
    installContext: e.installContext === "user" ? "user" : "system",
    size: numberOf(e.size),
    publishedAt: e.publishedAt,
    ...(e.sha256 ? { sha256: e.sha256 } : {}),
    ...(e.blobName ? { blobName: e.blobName } : {}),
    ...(e.sha1 ? { sha1: e.sha1 } : {}),
    ...(e.legacyHash === true ? { legacyHash: true as const } : {}),
    ...(e.url ? { url: e.url } : {}),
    contentInfo: { ...(e.contentInfoV1 ? { v1: e.contentInfoV1 } : {}), ...(e.contentInfoV2 ? { v2: e.contentInfoV2 } : {}) },
  };
}

function byVersion(a: CatalogueRecord, b: CatalogueRecord): number {
  const va = tryParseVersion(a.version);
  const vb = tryParseVersion(b.version);
  return va && vb ? compareVersions(va, vb) : a.version.localeCompare(b.version);
}

/** Groups records by case-insensitive id (first spelling kept), ids sorted, versions oldest first. */
export function groupById(records: readonly CatalogueRecord[]): CataloguePackage[] {
  const groups = new Map<string, CatalogueRecord[]>();
  for (const r of records) {
    const key = normalizePackageId(r.id);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [r]);
    else list.push(r);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, versions]) => {
      const sorted = [...versions].sort(byVersion);
      return { id: sorted[0]?.id ?? "", versions: sorted };
    });
}

/** The package catalogue of every realm (Table "Packages"): one row per (realm, id, normalized version). */
export class CatalogueRepository {
  constructor(
    private readonly table: () => Promise<TableClient>,
    /** Called after every stored change that bumps the generation (the composition root bumps the realm's delivery token). */
    private readonly afterChange: (realmId: string) => Promise<void> = async () => {},
  ) {}

  /**
   * Stores the record unless that id and version exist: the same bytes again answer created false and change
   * nothing; other bytes throw AppError conflict "version-exists". A created record bumps the realm's catalogue generation.
   */
  async add(record: CatalogueRecord): Promise<PublishResult> {
    const client = await this.table();
    const pk = partition(record.realmId);
    const rk = rowKey(record.id, record.version);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await client.submitTransaction([["create", { partitionKey: pk, rowKey: rk, ...toEntity(record) }], bumpGenerationAction(pk)]);
        await this.afterChange(record.realmId);
        return { created: true, record };
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      const existing = await this.getVersion(record.realmId, record.id, record.version);
      // Deleted between our create and read: try to create again.
      if (existing === undefined) continue;
      if (sameContent(existing, record)) return { created: false, record: existing };
      throw conflict(`${existing.id} ${existing.version} is already published with other content; publish a new version`, "version-exists");
    }
    throw conflict(`${record.id} ${record.version} changed while publishing; try again`, "concurrent-update");
  }

  /** The record of that version (case-insensitive id and version), or undefined when absent. */
  async getVersion(realmId: string, id: string, version: string): Promise<CatalogueRecord | undefined> {
    const client = await this.table();
    try {
      const e = await client.getEntity<PackageEntity>(partition(realmId), rowKey(id, version));
      return toRecord(realmId, e);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Every version of the id, oldest first; [] when the package does not exist in the realm. */
  async versionsOf(realmId: string, id: string): Promise<CatalogueRecord[]> {
    const prefix = idPrefix(id);
    const filter = `PartitionKey eq ${odataString(partition(realmId))} and RowKey ge ${odataString(prefix)} and RowKey lt ${odataString(`${prefix}\uffff`)}`;
    return (await this.query(realmId, filter)).sort(byVersion);
  }

  /** Every version of every package in the realm (unordered). */
  async listAll(realmId: string): Promise<CatalogueRecord[]> {
    return this.query(realmId, `PartitionKey eq ${odataString(partition(realmId))}`);
  }

  /** Removes one version and bumps the realm's catalogue generation; false (and no bump) when it was not there. */
  async delete(realmId: string, id: string, version: string): Promise<boolean> {
    const client = await this.table();
    const pk = partition(realmId);
    try {
      await client.submitTransaction([["delete", { partitionKey: pk, rowKey: rowKey(id, version) }], bumpGenerationAction(pk)]);
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
    await this.afterChange(realmId);
    return true;
  }

  /** A token that changes with every version added or deleted in the realm (see delivery-generation); "" before the first. */
  async generation(realmId: string): Promise<string> {
    return readGeneration(await this.table(), partition(realmId));
  }

  // No generation bump: the manifest names the content route, never these blobs, so recording them changes no manifest.
  /** Records where content information was stored; undefined when the version is absent. Throws AppError conflict after repeated ETag races. */
  async setContentInfo(realmId: string, id: string, version: string, blobs: ContentInfoBlobs): Promise<CatalogueRecord | undefined> {
    const client = await this.table();
    const stored = await updateWithRetry<PackageEntity>(client, partition(realmId), rowKey(id, version), (current) =>
      current === undefined
        ? undefined
        : {
            ...current,
            // Read back as a bigint, which the SDK cannot serialise: write the Int64 form again.
            size: { value: String(numberOf(current.size)), type: "Int64" },
            ...(blobs.v1 === undefined ? {} : { contentInfoV1: blobs.v1 }),
            ...(blobs.v2 === undefined ? {} : { contentInfoV2: blobs.v2 }),
          },
    );
    return stored === undefined ? undefined : toRecord(realmId, stored);
  }

  private async query(realmId: string, filter: string): Promise<CatalogueRecord[]> {
    const client = await this.table();
    const out: CatalogueRecord[] = [];
    const entities = client.listEntities<PackageEntity>({ queryOptions: { filter } });
    for await (const e of entities as AsyncIterable<TableEntityResult<PackageEntity>>) {
      if (e.rowKey !== GENERATION_ROW) out.push(toRecord(realmId, e));
    }
    return out;
  }
}
