/** A protocol version "major.minor", each part compared as an integer ("1.23" > "1.3"). */
export interface ProtocolVersion {
  readonly major: number;
  readonly minor: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
const VERSION = /^(\d{1,9})\.(\d{1,9})$/;

/** Parses "major.minor" (digits only); returns undefined when malformed. */
export function parseProtocolVersion(text: string): ProtocolVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (m === null) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** Returns a negative number, 0 or a positive number as a is below, equal to or above b. */
export function compareProtocolVersions(a: ProtocolVersion, b: ProtocolVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/**
 * Returns the q-value an Accept-Encoding value gives a content coding (case-insensitive, first listing wins);
 * 0 when not listed, when listed with q=0 or with a malformed q. A "*" does not count: PeerDist must be named.
 */
export function acceptEncodingQuality(headerValue: string | null | undefined, coding: string): number {
  if (headerValue === null || headerValue === undefined) return 0;
  const wanted = coding.toLowerCase();
  for (const element of headerValue.split(",")) {
    const [name = "", ...params] = element.split(";").map((p) => p.trim());
    if (name.toLowerCase() !== wanted) continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) return 0;
      if (param.slice(0, eq).trim().toLowerCase() !== "q") continue;
      const value = param.slice(eq + 1).trim();
      if (!QVALUE.test(value)) return 0;
      q = Number(value);
    }
    return q;
  }
  return 0;
}

/**
 * Parses a comma-separated "Name=Value" list (X-P2P-PeerDist, X-P2P-PeerDistEx) into lower-cased names; returns
 * undefined when an element is not a name=value pair of tokens or a name repeats. Empty elements are allowed.
 */
export function parsePeerDistParameters(headerValue: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const element of headerValue.split(",")) {
    const trimmed = element.trim();
    if (trimmed === "") continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) return undefined;
    const name = trimmed.slice(0, eq).trim().toLowerCase();
    const value = trimmed.slice(eq + 1).trim();
    if (!TOKEN.test(name) || !TOKEN.test(value) || params.has(name)) return undefined;
    params.set(name, value);
  }
  return params;
}
