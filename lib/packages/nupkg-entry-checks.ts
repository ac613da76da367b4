import { AppError } from "../core/errors.js";
import type { NupkgLimits } from "./nupkg-limits.js";

/** A 400 for an archive that could harm whoever extracts it (paths escaping the target, bombs, floods). */
export const unsafePackage = (detail: string): AppError => new AppError("validation", detail, { code: "unsafe-package" });

/** A 400 for an archive that is not a readable NuGet package. */
export const invalidPackage = (detail: string): AppError => new AppError("validation", detail, { code: "invalid-package" });

// Entry names are attacker-chosen; keep them short and printable in messages.
const shown = (name: string): string => JSON.stringify(name.length > 120 ? `${name.slice(0, 117)}...` : name);

/** Returns normally for a safe relative entry name; throws unsafe-package for "..", absolute paths, drive letters, backslashes, NUL. */
export function checkEntryName(name: string): void {
  if (name.length === 0) throw unsafePackage("The package has an entry with an empty name");
  if (name.includes("\\")) throw unsafePackage(`Entry ${shown(name)} contains a backslash`);
  if (name.includes("\0")) throw unsafePackage(`Entry ${shown(name)} contains a NUL character`);
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) throw unsafePackage(`Entry ${shown(name)} is an absolute path`);
  if (name.split("/").includes("..")) throw unsafePackage(`Entry ${shown(name)} contains a ".." path segment`);
}

/** Returns normally unless one entry's declared sizes look like a zip bomb (ratio over the limit on a large entry). */
export function checkEntrySizes(name: string, compressedSize: number, uncompressedSize: number, limits: NupkgLimits): void {
  if (uncompressedSize <= limits.entryRatioMinBytes) return;
  if (uncompressedSize > limits.maxEntryRatio * compressedSize) {
    throw unsafePackage(
      `Entry ${shown(name)} expands from ${compressedSize} to ${uncompressedSize} bytes (over ${limits.maxEntryRatio}x): refused as a possible zip bomb`,
    );
  }
}

/** Returns normally unless the total declared uncompressed size is over the ceiling or too many times the package size. */
export function checkTotalSize(totalUncompressed: number, packageSize: number, limits: NupkgLimits): void {
  if (totalUncompressed > limits.maxTotalBytes) {
    throw unsafePackage(`The package declares ${totalUncompressed} uncompressed bytes; the maximum is ${limits.maxTotalBytes}`);
  }
  if (totalUncompressed > limits.totalRatioMinBytes && totalUncompressed > limits.maxTotalRatio * packageSize) {
    throw unsafePackage(
      `The package expands from ${packageSize} to ${totalUncompressed} bytes (over ${limits.maxTotalRatio}x): refused as a possible zip bomb`,
    );
  }
}

/** True for a .nuspec file at the archive root (case-insensitive, as NuGet matches it). */
export const isRootNuspec = (name: string): boolean => !name.includes("/") && name.toLowerCase().endsWith(".nuspec");
