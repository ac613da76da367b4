import type { Clock } from "../core/clock.js";
import { AppError, notFound } from "../core/errors.js";
import type { AssignmentRepository } from "./assignment-repository.js";
import { DELIVERING_INTENTS, type Assignment } from "./assignment-schema.js";
import type { CataloguePackage, CatalogueRecord, ContentInfoBlobs, PackageMetadata, PublishInput, PublishResult } from "./catalogue-record.js";
import { groupById, type CatalogueRepository } from "./catalogue-repository.js";
import { recordFromLegacy, recordFromUpload } from "./catalogue-publish-input.js";
import { parseRange, satisfies } from "./nuget-range.js";
import { contentBlobName } from "./blob-finalize.js";
import { parseVersion, parseVersionInput, type NuGetVersion } from "./nuget-version.js";
import { packageIdsEqual, validatePackageId } from "./package-id.js";
import type { IngestedPackage } from "./upload-ingest.js";

/** True when the assignment names the id with a delivering intent and its range (or no range) admits the version. */
export function assignmentCouldSelect(a: Assignment, id: string, version: NuGetVersion): boolean {
  if (!packageIdsEqual(a.packageId, id) || !DELIVERING_INTENTS.has(a.intent)) return false;
  return a.range === undefined || satisfies(parseRange(a.range), version);
}

/** Admin use-cases of the package catalogue. */
export class CatalogueService {
  constructor(
    private readonly catalogue: CatalogueRepository,
    private readonly assignments: AssignmentRepository,
    private readonly clock: Clock,
  ) {}

  /** Publishes an uploaded package: created false for the same bytes again; throws AppError validation, or conflict "version-exists" for other bytes. */
  async publish(realmId: string, input: PublishInput): Promise<PublishResult> {
    return this.catalogue.add(recordFromUpload(realmId, input, this.now()));
  }

  /** Publishes what ingestNupkg stored (see publish). */
  async publishIngested(realmId: string, ingested: IngestedPackage): Promise<PublishResult> {
    return this.publish(realmId, { metadata: ingested.metadata, sha256: ingested.sha256Hex, size: ingested.size, blobName: ingested.contentBlobName });
  }

  /**
   * For ingestNupkg's beforeFinalize: everything publish would refuse is refused here, before the content blob is
   * written. Throws AppError validation (id, version, dependencies, metadata too large to store), or conflict
   * "version-exists" when the realm already has that id and version with other bytes; resolves when absent or the same bytes.
   */
  async assertPublishable(realmId: string, metadata: PackageMetadata, sha256: string, size = 0): Promise<void> {
    const record = recordFromUpload(realmId, { metadata, sha256, size, blobName: contentBlobName(sha256) }, this.now());
    const existing = await this.catalogue.getVersion(realmId, record.id, record.version);
    if (existing !== undefined && existing.sha256 !== sha256) {
      throw new AppError("conflict", `${existing.id} ${existing.version} is already published with other content; publish a new version`, { code: "version-exists" });
    }
  }

  /** Imports legacy metadata (SHA-1 only, external url); same idempotence and conflicts as publish; throws AppError validation on a bad body. */
  async importLegacy(realmId: string, body: unknown): Promise<PublishResult> {
    return this.catalogue.add(recordFromLegacy(realmId, body, this.now()));
  }

  /** Every package of the realm grouped by id (ids sorted, versions oldest first); [] when none. */
  async list(realmId: string): Promise<CataloguePackage[]> {
    return groupById(await this.catalogue.listAll(realmId));
  }

  /** One package with its versions; throws AppError not-found when the realm has no version of it. */
  async get(realmId: string, id: string): Promise<CataloguePackage> {
    validatePackageId(id);
    const [found] = groupById(await this.catalogue.versionsOf(realmId, id));
    if (found === undefined) throw notFound(`No package "${id}" in this realm`);
    return found;
  }

  /** One version ("1.0" finds "1.0.0"); throws AppError validation for a malformed version, not-found when absent. */
  async getVersion(realmId: string, id: string, version: string): Promise<CatalogueRecord> {
    validatePackageId(id);
    const record = await this.catalogue.getVersion(realmId, id, parseVersionInput(version).toNormalizedString());
    if (record === undefined) throw notFound(`No version ${version} of package "${id}" in this realm`);
    return record;
  }

  /**
   * Deletes one version. Throws AppError not-found when absent, conflict "assigned" (extensions.assignmentIds) while an
   * assignment with a delivering intent names the id and admits the version. The content blob is left in place (it is
   * content-addressed and may be shared).
   */
  async delete(realmId: string, id: string, version: string): Promise<void> {
    const record = await this.getVersion(realmId, id, version);
    const parsed = parseVersion(record.version);
    const blocking = (await this.assignments.list(realmId)).filter((a) => assignmentCouldSelect(a, record.id, parsed));
    if (blocking.length > 0) {
      const ids = blocking.map((a) => a.assignmentId);
      throw new AppError("conflict", `${record.id} ${record.version} is assigned (${ids.join(", ")}); remove or narrow those assignments first`, {
        code: "assigned",
        extensions: { assignmentIds: ids },
      });
    }
    if (!(await this.catalogue.delete(realmId, record.id, record.version))) throw notFound(`No version ${version} of package "${id}" in this realm`);
  }

  /** Records built content information blobs; throws AppError not-found when the version is absent. */
  async setContentInfo(realmId: string, id: string, version: string, blobs: ContentInfoBlobs): Promise<CatalogueRecord> {
    const record = await this.catalogue.setContentInfo(realmId, id, parseVersion(version).toNormalizedString(), blobs);
    if (record === undefined) throw notFound(`No version ${version} of package "${id}" in this realm`);
    return record;
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
