import { z } from "zod";
import { AppError, validationError } from "../core/errors.js";
import type { CatalogueRecord, PublishInput, StoredDependencyGroup } from "./catalogue-record.js";
import { normalizeDependencyRange } from "./catalogue-dependencies.js";
import { MAX_VERSION_LENGTH, parseVersionInput } from "./nuget-version.js";
import { assertPublishableId, isValidPackageId, validatePackageId } from "./package-id.js";
import { TABLE_STRING_MAX_CHARS } from "../storage/limits.js";

const MAX_TEXT = TABLE_STRING_MAX_CHARS;

const list = (value: string | readonly string[] | undefined): string[] => {
  if (value === undefined) return [];
  const items = typeof value === "string" ? value.split(/[,\s]+/) : value;
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
};

function checkLength(name: string, text: string): void {
  if (text.length > MAX_TEXT) throw new AppError("validation", `The package's ${name} is too long to store (${text.length} characters; at most ${MAX_TEXT})`, { code: "metadata-too-large" });
}

/** Stored dependency groups with ids validated and ranges normalized. Throws AppError validation on a bad id or range. */
export function storeDependencyGroups(groups: PublishInput["metadata"]["dependencyGroups"]): StoredDependencyGroup[] {
  return groups.map((g) => ({
    ...(g.targetFramework !== undefined && g.targetFramework.trim() !== "" ? { targetFramework: g.targetFramework.trim() } : {}),
    dependencies: g.dependencies.map((d) => ({ id: validatePackageId(d.id), range: normalizeDependencyRange(d) })),
  }));
}

/** The catalogue record for an uploaded package. Throws AppError validation when id, version, hash, size or metadata are unusable. */
export function recordFromUpload(realmId: string, input: PublishInput, publishedAt: string): CatalogueRecord {
  const m = input.metadata;
  validatePackageId(m.id);
  assertPublishableId(m.id);
  if (!/^[0-9a-f]{64}$/.test(input.sha256)) throw validationError("sha256 must be 64 lower-case hex digits", "invalid-hash");
  if (!Number.isSafeInteger(input.size) || input.size < 0) throw validationError("size must be a non-negative integer", "invalid-size");
  if (input.blobName.length === 0) throw validationError("blobName is required", "invalid-blob");
  const dependencyGroups = storeDependencyGroups(m.dependencyGroups);
  const record: CatalogueRecord = {
    realmId,
    id: m.id,
    version: parseVersionInput(m.version).toNormalizedString(),
    title: m.title?.trim() ?? "",
    description: m.description?.trim() ?? "",
    authors: list(m.authors),
    tags: list(m.tags),
    dependencyGroups,
    installContext: m.installContext,
    size: input.size,
    publishedAt,
    sha256: input.sha256,
    blobName: input.blobName,
    contentInfo: { ...input.contentInfo },
  };
  checkStorable(record);
  return record;
}

/** Every text the catalogue stores as one Table property must fit one; throws AppError validation "metadata-too-large". */
function checkStorable(record: CatalogueRecord): void {
  checkLength("title", record.title);
  checkLength("description", record.description);
  checkLength("author list", JSON.stringify(record.authors));
  checkLength("tag list", JSON.stringify(record.tags));
  checkLength("dependency list", JSON.stringify(record.dependencyGroups));
}

const packageIdSchema = z.string().refine(isValidPackageId, "not a valid package id");

/** The admin's legacy import body: strict, unknown fields refused. */
export const legacyImportSchema = z
  .object({
    id: packageIdSchema,
    version: z.string().min(1).max(MAX_VERSION_LENGTH),
    sha1: z
      .string()
      .regex(/^[0-9a-fA-F]{40}$/, "sha1 must be 40 hex digits")
      .transform((s) => s.toLowerCase()),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    url: z
      .url()
      .max(2048)
      .refine((u) => u.startsWith("https://"), "url must use https")
      .optional(),
    installContext: z.enum(["system", "user"]),
    title: z.string().max(256).optional(),
    description: z.string().max(4000).optional(),
    dependencies: z
      .array(z.object({ id: packageIdSchema, range: z.string().max(256).optional() }).strict())
      .max(1000)
      .default([]),
  })
  .strict();

export type LegacyImportInput = z.input<typeof legacyImportSchema>;

/** The catalogue record for a legacy import (SHA-1 only, no blob). Throws AppError validation naming the first problem. */
export function recordFromLegacy(realmId: string, body: unknown, publishedAt: string): CatalogueRecord {
  const parsed = legacyImportSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") ?? "";
    throw validationError(`Invalid legacy package: ${where ? `${where}: ` : ""}${issue?.message ?? "invalid"}`, "invalid-legacy-package");
  }
  const b = parsed.data;
  assertPublishableId(b.id);
  const record: CatalogueRecord = {
    realmId,
    id: b.id,
    version: parseVersionInput(b.version).toNormalizedString(),
    title: b.title?.trim() ?? "",
    description: b.description?.trim() ?? "",
    authors: [],
    tags: [],
    dependencyGroups: [{ dependencies: b.dependencies.map((d) => ({ id: d.id, range: normalizeDependencyRange(d) })) }],
    installContext: b.installContext,
    size: b.size,
    publishedAt,
    sha1: b.sha1,
    legacyHash: true,
    ...(b.url === undefined ? {} : { url: b.url }),
    contentInfo: {},
  };
  checkStorable(record);
  return record;
}

/** True when two records carry the same bytes (same SHA-256, or for legacy imports the same SHA-1 and size). */
export function sameContent(a: CatalogueRecord, b: CatalogueRecord): boolean {
  if (a.sha256 !== undefined || b.sha256 !== undefined) return a.sha256 === b.sha256;
  return a.sha1 !== undefined && a.sha1 === b.sha1 && a.size === b.size;
}
