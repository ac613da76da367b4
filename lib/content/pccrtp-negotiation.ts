import { acceptEncodingQuality, compareProtocolVersions, parsePeerDistParameters, parseProtocolVersion, type ProtocolVersion } from "./pccrtp-headers.js";

/** Reads a request header by name, case-insensitively (e.g. @azure/functions `request.headers.get`); null or undefined when absent. */
export type HeaderGetter = (name: string) => string | null | undefined;

/** The [MS-PCCRTP] versions we speak; the answer echoes the client's. */
export type PeerDistVersion = "1.0" | "1.1";

/** Why a request gets the ordinary answer. */
export type IdentityReason =
  | "peerdist-not-accepted"
  | "range-request"
  | "http-1.0"
  | "no-peerdist-header"
  | "malformed-peerdist-header"
  | "unsupported-version"
  | "missing-data-request"
  | "malformed-peerdist-ex"
  | "no-common-content-information"
  | "no-validator"
  | "content-info-not-ready";

/** The outcome of negotiation: content information of one version, or the ordinary content. */
export type PeerDistDecision =
  | { readonly kind: "peerdist"; readonly version: PeerDistVersion; readonly contentInfoVersion: 1 | 2 }
  | { readonly kind: "identity"; readonly reason: IdentityReason };

/** What the server knows beyond the headers. */
export interface NegotiationContext {
  /** Whether content information exists for the requested content; if not, answer normally (and compute it). */
  readonly contentInfoReady: boolean;
  /** Whether the answer carries an ETag or Last-Modified; IIS never uses PeerDist without one. Default true. */
  readonly hasValidator?: boolean;
  /** The request's HTTP version; like Windows servers, no PeerDist for "1.0". Default "1.1". */
  readonly httpVersion?: string;
}

const V1_0: ProtocolVersion = { major: 1, minor: 0 };
const V1_1: ProtocolVersion = { major: 1, minor: 1 };
const CONTENT_INFO_1: ProtocolVersion = { major: 1, minor: 0 };
const CONTENT_INFO_2: ProtocolVersion = { major: 2, minor: 0 };

const identity = (reason: IdentityReason): PeerDistDecision => ({ kind: "identity", reason });

const within = (v: ProtocolVersion, min: ProtocolVersion, max: ProtocolVersion): boolean =>
  compareProtocolVersions(min, v) <= 0 && compareProtocolVersions(v, max) <= 0;

/** Chooses the content information version from X-P2P-PeerDistEx: V2 when allowed, else V1, else none; undefined when malformed. */
function chooseContentInfo(exHeader: string): 1 | 2 | "none" | undefined {
  const params = parsePeerDistParameters(exHeader);
  const minText = params?.get("mincontentinformation");
  const maxText = params?.get("maxcontentinformation");
  if (minText === undefined || maxText === undefined) return undefined;
  const min = parseProtocolVersion(minText);
  const max = parseProtocolVersion(maxText);
  if (min === undefined || max === undefined || compareProtocolVersions(min, max) > 0) return undefined;
  if (within(CONTENT_INFO_2, min, max)) return 2;
  if (within(CONTENT_INFO_1, min, max)) return 1;
  return "none";
}

/** Decides, without side effects, whether a GET gets PeerDist content information ([MS-PCCRTP] 3.2.5.1) or the ordinary content. */
export function negotiatePeerDist(header: HeaderGetter, context: NegotiationContext): PeerDistDecision {
  if (acceptEncodingQuality(header("accept-encoding"), "peerdist") <= 0) return identity("peerdist-not-accepted");
  // Ranges are how clients fetch what no peer had; they always get the plain bytes.
  if (header("range") != null) return identity("range-request");
  if ((context.httpVersion ?? "1.1") === "1.0") return identity("http-1.0");

  const peerDist = header("x-p2p-peerdist");
  if (peerDist == null) return identity("no-peerdist-header");
  const params = parsePeerDistParameters(peerDist);
  const versionText = params?.get("version");
  if (params === undefined || versionText === undefined) return identity("malformed-peerdist-header");
  const requested = parseProtocolVersion(versionText);
  if (requested === undefined) return identity("malformed-peerdist-header");
  const missingData = params.get("missingdatarequest")?.toLowerCase();
  if (missingData !== undefined && missingData !== "true" && missingData !== "false") return identity("malformed-peerdist-header");

  let version: PeerDistVersion;
  if (compareProtocolVersions(requested, V1_0) === 0) version = "1.0";
  else if (compareProtocolVersions(requested, V1_1) === 0) version = "1.1";
  else return identity("unsupported-version");
  if (missingData === "true") return identity("missing-data-request");

  let contentInfoVersion: 1 | 2 = 1;
  const ex = header("x-p2p-peerdistex");
  // X-P2P-PeerDistEx belongs to 1.1; a 1.0 client can only read V1.
  if (version === "1.1" && ex != null) {
    const chosen = chooseContentInfo(ex);
    if (chosen === undefined) return identity("malformed-peerdist-ex");
    if (chosen === "none") return identity("no-common-content-information");
    contentInfoVersion = chosen;
  }

  if (context.hasValidator === false) return identity("no-validator");
  if (!context.contentInfoReady) return identity("content-info-not-ready");
  return { kind: "peerdist", version, contentInfoVersion };
}

/** The facts a PeerDist answer's headers carry. */
export interface PeerDistResponse {
  readonly version: PeerDistVersion;
  /** Length of the content information body. */
  readonly contentInfoLength: number;
  /** Length of the package itself (the identity entity). */
  readonly packageSize: number;
  readonly etag?: string;
  readonly lastModified?: string | Date;
  readonly contentType?: string;
}

/** Returns the headers of a PeerDist answer (never compressed further); throws RangeError on a negative or fractional length. */
export function peerDistResponseHeaders(response: PeerDistResponse): Record<string, string> {
  for (const n of [response.contentInfoLength, response.packageSize]) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("lengths must be non-negative integers");
  }
  const headers: Record<string, string> = {
    "Content-Encoding": "peerdist",
    "X-P2P-PeerDist": `Version=${response.version}, ContentLength=${response.packageSize}`,
    "Content-Length": String(response.contentInfoLength),
    Vary: "Accept-Encoding",
  };
  if (response.contentType !== undefined) headers["Content-Type"] = response.contentType;
  if (response.etag !== undefined) headers.ETag = response.etag;
  if (response.lastModified !== undefined) {
    headers["Last-Modified"] = typeof response.lastModified === "string" ? response.lastModified : response.lastModified.toUTCString();
  }
  return headers;
}
