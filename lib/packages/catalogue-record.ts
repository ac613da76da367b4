import type { VersionRange } from "./nuget-range.js";

/** Where a package installs: the machine (SYSTEM) or the signed-in user's profile. */
export type InstallContext = "system" | "user";

/** One declared dependency as stored: the range in NuGet's normalized interval form ("[1.0.0, )", "(, )" for any). */
export interface StoredDependency {
  id: string;
  range: string;
}

/** One nuspec dependency group; no targetFramework means the group applies to every framework. */
export interface StoredDependencyGroup {
  targetFramework?: string;
  dependencies: StoredDependency[];
}

/** Blob names of the package's [MS-PCCRC] content information, each present once it has been built. */
export interface ContentInfoBlobs {
  v1?: string;
  v2?: string;
}

/**
 * One published version of a package in one realm's catalogue. A package uploaded as a .nupkg has sha256 and
 * blobName; a legacy import has legacyHash: true, sha1, optionally an external url, and no blob.
 */
export interface CatalogueRecord {
  realmId: string;
  /** The id as first published (ids compare case-insensitively). */
  id: string;
  /** NuGet's normalized version string. */
  version: string;
  title: string;
  description: string;
  authors: string[];
  tags: string[];
  dependencyGroups: StoredDependencyGroup[];
  installContext: InstallContext;
  size: number;
  publishedAt: string;
  sha256?: string;
  blobName?: string;
  sha1?: string;
  legacyHash?: true;
  url?: string;
  contentInfo: ContentInfoBlobs;
}

/** A nuspec dependency as the upload pipeline reads it: a range string, a parsed range, or nothing (any version). */
export interface MetadataDependency {
  id: string;
  range?: string | VersionRange | undefined;
}

/** The nuspec metadata the upload pipeline produces (structurally NuspecMetadata); list fields may be strings or arrays. */
export interface PackageMetadata {
  id: string;
  version: string;
  title?: string | undefined;
  description?: string | undefined;
  authors?: string | readonly string[] | undefined;
  tags?: string | readonly string[] | undefined;
  dependencyGroups: readonly { targetFramework?: string | undefined; dependencies: readonly MetadataDependency[] }[];
  installContext: InstallContext;
}

/** What publish takes: the validated nuspec metadata plus where finalize put the bytes. */
export interface PublishInput {
  metadata: PackageMetadata;
  /** Lower-case hex SHA-256 of the .nupkg. */
  sha256: string;
  size: number;
  /** The content blob, `sha256/<hex>`. */
  blobName: string;
  contentInfo?: ContentInfoBlobs;
}

/** All versions of one package id in a realm, oldest first by NuGet order. */
export interface CataloguePackage {
  id: string;
  versions: CatalogueRecord[];
}

/** The result of publish or importLegacy: created false when the very same bytes were already published. */
export interface PublishResult {
  created: boolean;
  record: CatalogueRecord;
}

/** True when the record is a legacy import identified only by SHA-1. */
export const isLegacyRecord = (r: CatalogueRecord): boolean => r.legacyHash === true;

/** Where the content route finds the bytes: the blob, an external URL (legacy), or undefined when there is neither. */
export function contentLocation(r: CatalogueRecord): { kind: "blob"; blobName: string } | { kind: "external"; url: string } | undefined {
  if (r.blobName !== undefined) return { kind: "blob", blobName: r.blobName };
  if (r.url !== undefined) return { kind: "external", url: r.url };
  return undefined;
}
