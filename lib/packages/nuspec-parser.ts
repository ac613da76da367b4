import { isAppError } from "../core/errors.js";
import { parseVersion } from "./nuget-version.js";
import { parseDependencyGroups } from "./nuspec-dependencies.js";
import type { InstallContext, NuspecMetadata } from "./nuspec-metadata.js";
import { invalidNuspec, only, parseNuspecXml, textOf, type XmlNode } from "./nuspec-xml.js";
import { validatePackageId } from "./package-id.js";

/** Length caps (characters), as nuget.org applies them. */
export const NUSPEC_FIELD_LIMITS = Object.freeze({ title: 256, description: 4000, authors: 4000, tags: 4000 });

/** Tags that choose the install context; matched case-insensitively. */
export const USER_CONTEXT_TAG = "realmjoin:user";
export const SYSTEM_CONTEXT_TAG = "realmjoin:system";

function field(metadata: XmlNode, name: keyof typeof NUSPEC_FIELD_LIMITS | "id" | "version", required: boolean): string | undefined {
  const node = only(metadata, name, name);
  const text = node === undefined ? "" : textOf(node, name);
  if (text.length === 0) {
    if (required) throw invalidNuspec(name, "is required");
    return undefined;
  }
  const limit = name === "id" || name === "version" ? undefined : NUSPEC_FIELD_LIMITS[name];
  if (limit !== undefined && text.length > limit) throw invalidNuspec(name, `is ${text.length} characters long; the maximum is ${limit}`);
  return text;
}

function checked<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (isAppError(error)) throw invalidNuspec(name, error.message);
    throw error;
  }
}

function installContextOf(tags: readonly string[]): InstallContext {
  const lower = new Set(tags.map((t) => t.toLowerCase()));
  const user = lower.has(USER_CONTEXT_TAG);
  if (user && lower.has(SYSTEM_CONTEXT_TAG)) throw invalidNuspec("tags", `has both ${USER_CONTEXT_TAG} and ${SYSTEM_CONTEXT_TAG}`);
  return user ? "user" : "system";
}

/**
 * Parses and validates a nuspec (any schema namespace, or none) into NuspecMetadata. Throws AppError("validation",
 * code "invalid-nuspec", extensions.field naming the field) for a DTD or entity declaration, malformed XML, a
 * missing or repeated required field (id, version, description, authors), an invalid id, version or dependency,
 * or a field over its length cap.
 */
export function parseNuspec(xml: string): NuspecMetadata {
  const root = parseNuspecXml(xml);
  const metadata = only(root, "metadata", "metadata");
  if (metadata === undefined) throw invalidNuspec("metadata", "the <metadata> element is required");
  const id = checked("id", () => validatePackageId(field(metadata, "id", true) ?? ""));
  const originalVersion = field(metadata, "version", true) ?? "";
  const version = checked("version", () => parseVersion(originalVersion)).toNormalizedString();
  const description = field(metadata, "description", true) ?? "";
  const authors = (field(metadata, "authors", true) ?? "").split(",").map((a) => a.trim()).filter((a) => a.length > 0);
  if (authors.length === 0) throw invalidNuspec("authors", "names no author");
  const tags = (field(metadata, "tags", false) ?? "").split(/[\s,]+/).filter((t) => t.length > 0);
  return {
    id,
    version,
    originalVersion,
    title: field(metadata, "title", false),
    description,
    authors,
    tags,
    installContext: installContextOf(tags),
    dependencyGroups: parseDependencyGroups(metadata, id),
  };
}
