import { AppError } from "../core/errors.js";

const INT32_MAX = 2147483647;

/**
 * A parsed NuGet version (NuGet.Versioning's NuGetVersion): Major.Minor.Patch[.Revision],
 * optional release labels and build metadata. Immutable; compare with compareVersions.
 */
export class NuGetVersion {
  /** Prerelease labels in their original case; empty for a release version. */
  readonly releaseLabels: readonly string[];

  constructor(
    readonly major: number,
    readonly minor: number,
    readonly patch: number,
    readonly revision: number,
    releaseLabels: readonly string[] = [],
    /** Build metadata without the "+"; "" when there is none. */
    readonly metadata: string = "",
    /** The text the version was parsed from, spaces removed; undefined when built in code. */
    readonly originalString?: string,
  ) {
    this.releaseLabels = Object.freeze([...releaseLabels]);
  }

  /** True when the version has at least one release label. */
  get isPrerelease(): boolean {
    return this.releaseLabels.length > 0;
  }

  /** True when the version carries build metadata. */
  get hasMetadata(): boolean {
    return this.metadata.length > 0;
  }

  /** The release labels joined by "."; "" for a release version. */
  get release(): string {
    return this.releaseLabels.join(".");
  }

  /** NuGet's normalized form: at least three parts, a fourth only when non-zero, labels kept, metadata dropped ("2.0.0.0" -> "2.0.0"). */
  toNormalizedString(): string {
    const numbers = `${this.major}.${this.minor}.${this.patch}${this.revision > 0 ? `.${this.revision}` : ""}`;
    return this.isPrerelease ? `${numbers}-${this.release}` : numbers;
  }

  /** The normalized form plus "+metadata" when there is metadata. */
  toFullString(): string {
    return this.hasMetadata ? `${this.toNormalizedString()}+${this.metadata}` : this.toNormalizedString();
  }

  /** The original text when parsed (as NuGet's ToString does), else the normalized form. */
  toString(): string {
    return this.originalString ?? this.toNormalizedString();
  }

  /** Serialises as the normalized string, so JSON output never depends on how the input was spelt. */
  toJSON(): string {
    return this.toNormalizedString();
  }
}

interface Sections {
  numbers: string;
  labels: string[] | undefined;
  metadata: string | undefined;
}

// Mirrors NuGet's ParseSections: the first "-" or "+" ends the numbers, the first "+" after a "-" ends the
// labels. A separator in the very last position stays inside the preceding section (so "1.0-" fails later).
function parseSections(value: string): Sections {
  let numbers = "";
  let labels: string[] | undefined;
  let metadata: string | undefined;
  let dashPos = -1;
  let plusPos = -1;
  for (let i = 0; i < value.length; i++) {
    const end = i === value.length - 1;
    const c = value[i];
    if (dashPos < 0) {
      if (end || c === "-" || c === "+") {
        numbers = value.substring(0, i + (end ? 1 : 0));
        dashPos = i;
        if (c === "+") plusPos = i;
      }
    } else if (plusPos < 0) {
      if (end || c === "+") {
        labels = value.substring(dashPos + 1, i + (end ? 1 : 0)).split(".");
        plusPos = i;
      }
    } else if (end) {
      metadata = value.substring(plusPos + 1, i + 1);
    }
  }
  return { numbers, labels, metadata };
}

const isAllowedChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;

/** NuGet's IsValidPart: non-empty, [0-9A-Za-z-] only, and (unless allowed) no leading zero on an all-digit part. */
function isValidPart(part: string, allowLeadingZeros: boolean): boolean {
  if (part.length === 0) return false;
  if (!allowLeadingZeros && part.length > 1 && part[0] === "0" && /^\d+$/.test(part)) return false;
  for (let i = 0; i < part.length; i++) {
    if (!isAllowedChar(part.charCodeAt(i))) return false;
  }
  return true;
}

// .NET int.TryParse(NumberStyles.Integer) tolerates whitespace around the digits; signs cannot reach here
// because "-" and "+" already split the sections.
const COMPONENT = /^[\t\n\v\f\r ]*(\d+)[\t\n\v\f\r ]*$/;

/** System.Version.TryParse semantics: 2 to 4 dot-separated non-negative Int32 components. */
function parseNumbers(text: string): [number, number, number, number] | undefined {
  const parts = text.split(".");
  if (parts.length < 2 || parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    const digits = COMPONENT.exec(part)?.[1];
    if (digits === undefined) return undefined;
    const value = Number(digits);
    if (!Number.isSafeInteger(value) || value > INT32_MAX) return undefined;
    values.push(value);
  }
  return [values[0] ?? 0, values[1] ?? 0, values[2] ?? 0, values[3] ?? 0];
}

function labelsAndMetadataValid(sections: Sections): boolean {
  if (sections.labels !== undefined && !sections.labels.every((l) => isValidPart(l, false))) return false;
  if (sections.metadata !== undefined && !sections.metadata.split(".").every((m) => isValidPart(m, true))) return false;
  return true;
}

/** Lenient NuGet parse (NuGetVersion.TryParse): trims, accepts 1-4 numeric parts and leading zeros; undefined when invalid. */
export function tryParseVersion(value: string): NuGetVersion | undefined {
  const sections = parseSections(value.trim());
  if (sections.numbers.length === 0) return undefined;
  const numbersText = sections.numbers.includes(".") ? sections.numbers : `${sections.numbers}.0`;
  const numbers = parseNumbers(numbersText);
  if (numbers === undefined || !labelsAndMetadataValid(sections)) return undefined;
  return new NuGetVersion(...numbers, sections.labels ?? [], sections.metadata ?? "", value.replaceAll(" ", ""));
}

/** nuget.org's limit on a version string; it also keeps every Table key built from a version short. */
export const MAX_VERSION_LENGTH = 64;

/** A version from the network (nuspec, body, path), parsed leniently; throws AppError validation when longer than 64 characters or not a NuGet version. */
export function parseVersionInput(value: string): NuGetVersion {
  if (value.length > MAX_VERSION_LENGTH) {
    throw new AppError("validation", `The version is ${value.length} characters long; the maximum is ${MAX_VERSION_LENGTH}`, { code: "invalid-version" });
  }
  return parseVersion(value);
}

/** Lenient NuGet parse; throws AppError("validation") naming the input when it is not a NuGet version. */
export function parseVersion(value: string): NuGetVersion {
  const version = tryParseVersion(value);
  if (version === undefined) {
    throw new AppError("validation", `"${value}" is not a valid NuGet version (expected e.g. 1.2.3, 1.2.3.4, 1.2.3-beta.1+build)`, {
      code: "invalid-version",
    });
  }
  return version;
}

/** Strict SemVer 2.0 parse (NuGet's SemanticVersion.TryParse): exactly three parts, no leading zeros, no trimming; undefined when invalid. */
export function tryParseStrictSemVer(value: string): NuGetVersion | undefined {
  const sections = parseSections(value);
  const parts = sections.numbers.split(".");
  if (parts.length !== 3 || !parts.every((p) => isValidPart(p, false))) return undefined;
  const numbers = parseNumbers(sections.numbers);
  if (numbers === undefined || !labelsAndMetadataValid(sections)) return undefined;
  return new NuGetVersion(...numbers, sections.labels ?? [], sections.metadata ?? "", value);
}

/** Strict SemVer 2.0 parse; throws AppError("validation") when the input is not strict SemVer 2.0. */
export function parseStrictSemVer(value: string): NuGetVersion {
  const version = tryParseStrictSemVer(value);
  if (version === undefined) {
    throw new AppError("validation", `"${value}" is not a valid SemVer 2.0 version (expected MAJOR.MINOR.PATCH[-labels][+metadata])`, {
      code: "invalid-version",
    });
  }
  return version;
}
