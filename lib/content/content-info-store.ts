import type { ContainerClient } from "@azure/storage-blob";
import type { BranchCacheSecret } from "./branchcache-secret.js";
import { deriveBranchCacheSecret } from "./branchcache-secret.js";
import { contentHashesFromInfo, contentInfoV1FromHashes, contentInfoV2FromHashes, type ContentHashes } from "./content-info-hashes.js";
import { parseContentInfoV1, serializeContentInfoV1 } from "./pccrc-v1.js";
import { parseContentInfoV2, serializeContentInfoV2 } from "./pccrc-v2.js";

/**
 * The secret content information is first computed with. Stored information is content-addressed and
 * shared by every realm; each realm's answer is re-keyed with its own secret (HMACs only, no re-read of
 * the package), so a changed passphrase takes effect at once without recomputing anything.
 */
export const NEUTRAL_SECRET: BranchCacheSecret = deriveBranchCacheSecret("realmjoin-content-information");

export interface StoredContentInfo {
  v1: string;
  v2: string;
}

const MAX_CACHED = 256;

/** Content information blobs by package SHA-256, and their per-realm serialisations. */
export class ContentInfoStore {
  private readonly hashes = new Map<string, ContentHashes>();

  /** `container` is created on first use (the content-info container of ContainerStore). */
  constructor(private readonly container: () => Promise<ContainerClient>) {}

  /** Stores both versions (computed with NEUTRAL_SECRET) and returns their blob names. */
  async save(sha256Hex: string, v1: Uint8Array, v2: Uint8Array): Promise<StoredContentInfo> {
    const names = { v1: `${sha256Hex}.v1`, v2: `${sha256Hex}.v2` };
    const container = await this.container();
    await container.getBlockBlobClient(names.v1).uploadData(v1);
    await container.getBlockBlobClient(names.v2).uploadData(v2);
    return names;
  }

  /** The serialised content information of `version` for a realm secret; throws the storage error when the blobs are gone. */
  async forRealm(stored: StoredContentInfo, version: 1 | 2, secret: BranchCacheSecret): Promise<Buffer> {
    const hashes = await this.load(stored);
    return version === 1 ? serializeContentInfoV1(contentInfoV1FromHashes(hashes, secret.v1)) : serializeContentInfoV2(contentInfoV2FromHashes(hashes, secret.v2));
  }

  private async load(stored: StoredContentInfo): Promise<ContentHashes> {
    const cached = this.hashes.get(stored.v1);
    if (cached !== undefined) return cached;
    const container = await this.container();
    const [v1, v2] = await Promise.all([
      container.getBlockBlobClient(stored.v1).downloadToBuffer(),
      container.getBlockBlobClient(stored.v2).downloadToBuffer(),
    ]);
    const hashes = contentHashesFromInfo(parseContentInfoV1(v1), parseContentInfoV2(v2));
    if (this.hashes.size >= MAX_CACHED) this.hashes.delete(this.hashes.keys().next().value ?? "");
    this.hashes.set(stored.v1, hashes);
    return hashes;
  }
}
