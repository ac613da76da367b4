const MIB = 1024 * 1024;

/** The thresholds a .nupkg must stay within (see NUPKG_LIMITS for the chosen values and why). */
export interface NupkgLimits {
  /** Most entries (files and folders) an archive may declare. */
  readonly maxEntries: number;
  /** Largest root .nuspec, declared and inflated. */
  readonly maxNuspecBytes: number;
  /** Highest declared uncompressed/compressed ratio of one entry larger than entryRatioMinBytes. */
  readonly maxEntryRatio: number;
  /** Entries up to this uncompressed size are never refused for their ratio (small text files compress well). */
  readonly entryRatioMinBytes: number;
  /** Highest ratio of the total declared uncompressed size to the package size, once over totalRatioMinBytes. */
  readonly maxTotalRatio: number;
  /** Totals up to this size are never refused for their ratio (tiny packages of text). */
  readonly totalRatioMinBytes: number;
  /** Absolute ceiling on the total declared uncompressed size. */
  readonly maxTotalBytes: number;
}

/**
 * Defaults. Real packages (installers, scripts, binaries) compress 1x to 10x; the 100x entry and 20x package
 * ratios only catch data made to expand (zip bombs) while leaving a wide margin for text-heavy packages.
 */
export const NUPKG_LIMITS: NupkgLimits = Object.freeze({
  maxEntries: 10_000,
  maxNuspecBytes: MIB,
  maxEntryRatio: 100,
  entryRatioMinBytes: MIB,
  maxTotalRatio: 20,
  totalRatioMinBytes: 16 * MIB,
  maxTotalBytes: 8 * 1024 * MIB,
});
