import { AppError } from "../core/errors.js";

/** NuGet's PackageIdValidator.MaxPackageIdLength. */
export const MAX_PACKAGE_ID_LENGTH = 100;

// NuGet's pattern ^\w+([.-]\w+)*$ with .NET's \w (letters, Mn marks, decimal digits, connector punctuation
// such as "_"). So "_" is a word character, not a separator: "Hello__World" and "_x" are valid ids, while
// "." and "-" may not start, end, or follow another separator.
const ID_PATTERN = /^[\p{L}\p{Mn}\p{Nd}\p{Pc}]+(?:[.-][\p{L}\p{Mn}\p{Nd}\p{Pc}]+)*$/u;

/** True when the id matches NuGet's id pattern and is at most 100 characters (NuGet checks the length separately; we fold it in). */
export const isValidPackageId = (id: string): boolean => id.length <= MAX_PACKAGE_ID_LENGTH && ID_PATTERN.test(id);

/** Returns the id unchanged when valid; throws AppError("validation") saying whether it is too long or malformed. */
export function validatePackageId(id: string): string {
  if (id.length > MAX_PACKAGE_ID_LENGTH) {
    throw new AppError("validation", `Package id is ${id.length} characters long; the maximum is ${MAX_PACKAGE_ID_LENGTH}`, {
      code: "invalid-package-id",
    });
  }
  if (!ID_PATTERN.test(id)) {
    throw new AppError(
      "validation",
      `"${id}" is not a valid package id: use letters, digits and "_", with single "." or "-" between them (not at the start or end)`,
      { code: "invalid-package-id" },
    );
  }
  return id;
}

/**
 * Ids no package may be published under: literal segments of admin routes beside `packages/{id}`
 * (`GET packages/undeliverable`), which the Functions host routes first, so such a package could never be read.
 */
export const RESERVED_PACKAGE_IDS: readonly string[] = ["undeliverable"];

/** Throws AppError validation "reserved-package-id" for an id a route of the admin API takes for itself. */
export function assertPublishableId(id: string): void {
  if (RESERVED_PACKAGE_IDS.includes(id.toLowerCase())) {
    throw new AppError("validation", `"${id}" is reserved by the admin API (packages/${id.toLowerCase()}); choose another package id`, { code: "reserved-package-id" });
  }
}

/** The id's comparison key: NuGet ids compare case-insensitively, so this is the invariant lower case. */
export const normalizePackageId = (id: string): string => id.toLowerCase();

/** True when two ids name the same package (case-insensitive). */
export const packageIdsEqual = (a: string, b: string): boolean => normalizePackageId(a) === normalizePackageId(b);
