import type { Assignment } from "./assignment-schema.js";
import type { DeliveryAudience } from "./assignment-effective.js";
import type { CatalogueRecord, InstallContext, StoredDependency } from "./catalogue-record.js";
import type { UndeliverableReason } from "./resolver-types.js";

/** The intent of a delivered entry: its own assignment's, or "dependency" when only another package needs it. */
export type DeliveredIntent = "required" | "available" | "preview" | "update" | "dependency";

/** A package version to download and install (API.md manifest entry). Exactly one of sha256 / sha1 (legacy) is present. */
export type ManifestPackage = {
  id: string;
  version: string;
  sha256?: string;
  sha1?: string;
  /** Present on packages imported with only a SHA-1 (older packages); delivered only when the policy accepts legacy hashes. */
  legacyHash?: true;
  size: number;
  installContext: InstallContext;
  intent: DeliveredIntent;
  dependencies: StoredDependency[];
  downloadUrl: string;
  contentInfoUrl: string;
};

/** A package to remove: no download; range limits which installed versions (absent: all); installContext when the catalogue knows it. */
export type ManifestUninstall = {
  id: string;
  intent: "uninstall";
  range?: string;
  installContext?: InstallContext;
};

export type ManifestEntry = ManifestPackage | ManifestUninstall;

/** Why a package cannot be delivered: the resolver's reasons plus the policy's and the admin's. */
export type ManifestUndeliverableReason = UndeliverableReason | "legacy-hash-refused" | "excluded-dependency";

export type ManifestUndeliverable = {
  id: string;
  reason: ManifestUndeliverableReason;
  detail: string;
};

/** The body of GET /api/agent/v1/packages before signing (a type alias, so it is a Record<string, unknown>). */
export type ManifestBody = {
  realm: string;
  deviceId: string;
  /** Uninstall entries first, then deliveries in install order (dependencies first). */
  packages: ManifestEntry[];
  /** Sorted by case-insensitive id. */
  undeliverable: ManifestUndeliverable[];
};

/** Everything buildManifest needs, preloaded. */
export interface ManifestInput {
  realmId: string;
  audience: DeliveryAudience;
  /** The realm's assignments (any order; those not reaching the audience are ignored). */
  assignments: readonly Assignment[];
  /** At least every version of every package id the closure can reach (more is harmless). */
  catalogue: readonly CatalogueRecord[];
  /** The effective policy's acceptLegacyHashes. */
  acceptLegacyHashes: boolean;
  /** The back-end's public base URL, e.g. "https://rj.example.com" (a trailing "/" is ignored). */
  baseUrl: string;
}
