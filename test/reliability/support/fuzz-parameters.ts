import fc from "fast-check";
import type { AuthRequirement } from "../../../lib/http/auth-requirement.js";
import type { HttpFunctionEntry } from "../../../lib/registry/types.js";
import { stateReport } from "../../support/host-identities.js";
import type { CredentialKind } from "./fuzz-requests.js";

/** Where a fuzzed value goes. */
export type ParameterPlace = "header" | "query" | "path";

/** Which values of a parameter a known failure covers. */
const INPUT_CLASSES = {
  "any value": (_value: string) => true,
  "longer than 1 KiB": (value: string) => value.length > 1024,
} as const;
type InputClass = keyof typeof INPUT_CLASSES;

/** One input known to answer 5xx today: the generators and edge cases leave exactly it out (see KNOWN_5XX). */
export interface KnownFailure {
  /** Registry entry name. */
  route: string;
  place: ParameterPlace;
  /** Header name (lower case), query parameter name, or path parameter name as in the route template. */
  name: string;
  /** Which of its values fail (as sent on the wire). */
  input: InputClass;
  /** What fails and which change fixes it. */
  why: string;
}

/**
 * Inputs known to answer 5xx: the fuzzer sends no value of the named class to exactly these (route, place, name)
 * triples and fuzzes everything else. Empty: a malformed continuation token, a malformed If-Match and an id over
 * 1 KiB were fixed at the edge; an entry here is a bug with a name, never a place to leave a 500.
 */
export const KNOWN_5XX: readonly KnownFailure[] = [];

/** True when every value at (route, place, name) is a KNOWN_5XX input: the parameter is left out, not filtered (a filter rejecting everything never ends). */
function whollyKnown5xx(route: string, place: ParameterPlace, name: string): boolean {
  return KNOWN_5XX.some((k) => k.route === route && k.place === place && k.name === name && k.input === "any value");
}

/** True when `value` at (route, place, name) is a KNOWN_5XX input. */
function isKnown5xx(route: string, place: ParameterPlace, name: string, value: string): boolean {
  return KNOWN_5XX.some((k) => k.route === route && k.place === place && k.name === name && INPUT_CLASSES[k.input](value));
}

/** The headers this fuzzer varies (values are fuzzed; other headers come from the identities). */
export const FUZZED_HEADERS = ["if-match", "if-none-match", "range", "accept-encoding", "x-p2p-peerdist", "x-p2p-peerdistex", "content-type"] as const;
type FuzzedHeader = (typeof FUZZED_HEADERS)[number];

/** Query parameters the routes read (the rest of the query is random names). */
const QUERY_PARAMETERS: Record<string, string[]> = {
  adminListDevices: ["pageSize", "continuationToken"],
  agentKeys: ["realm"],
  agentClientUpdate: ["current"],
};

/** Ids that exist on the fuzz host, so GET/HEAD requests reach handlers with real records (never sent with other methods, which could delete them). */
export interface ExistingIds {
  deviceId: string;
  tenantId: string;
}

/** Characters Node's HTTP client accepts in a header value (tab, printable ASCII, Latin-1). */
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09)).map((c) => String.fromCharCode(c));
const headerText = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: headerChar, maxLength });
// Long values stay below Node's 16 KiB header limit, which answers 431 before the app sees anything.
const longHeader = fc.tuple(fc.constantFrom('"', "a", "W/", ",", "bytes=0-1,", "Version=1.1, ", "\u00ff"), fc.integer({ min: 200, max: 6000 })).map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

const etag = fc.oneof(
  fc.constantFrom("*", '"x"', 'W/"x"', '""', '"', "W/", "W/x", "unquoted", '"a", "b"', '"a",,"b"', ", ,", "*, \"x\"", '"\\"', '"\u00e9"', "  ", '"' + "0".repeat(64) + '"'),
  fc.uint8Array({ maxLength: 32 }).map((b) => `"${Buffer.from(b).toString("hex")}"`),
  fc.base64String({ maxLength: 80 }).map((b) => `W/"datetime'${b}'"`),
  fc.base64String({ maxLength: 80 }),
);
const range = fc.oneof(
  fc.constantFrom("bytes=0-99", "bytes=-5", "bytes=5-", "bytes=99-0", "bytes=0-0,5-9", "bytes=", "bytes=-", "bytes=0-", "items=0-1", "bytes 0-1", "bytes=99999999999999999999-", "bytes=-0", "bytes=1-2-3", "bytes=a-b"),
  fc.tuple(fc.integer(), fc.integer()).map(([a, b]) => `bytes=${a}-${b}`),
  fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 300 }).map((xs) => "bytes=" + xs.map(([a, b]) => `${a}-${b}`).join(",")),
);
const acceptEncoding = fc.oneof(
  fc.constantFrom("peerdist", "peerdist, gzip", "gzip", "*", "identity;q=0", "peerdist;q=0", "peerdist;q=1.5", "peerdist;q=abc", "PEERDIST", "peerdist,,", ";q=1", "br, deflate, peerdist;q=0.5", ""),
  fc.array(fc.constantFrom("peerdist", "gzip", "br", "identity", "*", "x"), { maxLength: 40 }).map((xs) => xs.join(", ")),
);
const peerDist = fc.oneof(
  fc.constantFrom(
    "Version=1.0",
    "Version=1.1",
    "Version=1.1, MinContentInformation=2.0",
    "Version=1.1, MinContentInformation=9.9",
    "Version=1.0, ContentLength=-1",
    "Version=",
    "Version",
    "=1.0",
    "Version=1.0;Version=2.0",
    "Version=1.0, Version=1.1",
    "MinContentInformation=1.0",
    "MissingDataRequest=true",
    "Version=1e999",
    "Version=0x1",
    "",
  ),
  fc
    .array(fc.tuple(fc.constantFrom("Version", "MinContentInformation", "MaxContentInformation", "ContentLength", "X"), headerText(8)), { maxLength: 8 })
    .map((xs) => xs.map(([k, v]) => `${k}=${v}`).join(", ")),
);
const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "application/json;charset=UTF-8",
    'application/json; charset="utf-8"',
    "application/json; charset=utf-16",
    "application/json; charset=latin1",
    "application/json; charset=",
    "application/json;;",
    "application/json; a=b; a=c",
    "APPLICATION/JSON",
    "application/problem+json",
    "application/json-patch+json",
    "application/octet-stream",
    "text/json",
    "multipart/form-data; boundary=",
    "*/*",
    "/",
    ";",
    "",
  ),
  headerText(60),
  fc.tuple(fc.constantFrom("application/json; ", "text/plain; "), headerText(40)).map(([a, b]) => a + b),
);

const HEADER_VALUES: Record<FuzzedHeader, fc.Arbitrary<string>> = {
  "if-match": etag,
  "if-none-match": etag,
  range,
  "accept-encoding": acceptEncoding,
  "x-p2p-peerdist": peerDist,
  "x-p2p-peerdistex": peerDist,
  "content-type": contentType,
};

const anyHeaderValue = (name: FuzzedHeader): fc.Arbitrary<string> =>
  fc.oneof({ weight: 6, arbitrary: HEADER_VALUES[name] }, { weight: 2, arbitrary: headerText(80) }, { weight: 1, arbitrary: longHeader });

function encodeSafely(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    // A lone surrogate: send its (ill-formed) CESU-8 bytes as the raw percent-encoding a client could.
    return [...s].map((ch) => (/[\ud800-\udfff]/.test(ch) ? "%ED%A0%80" : encodeURIComponent(ch))).join("");
  }
}

/** Text a parameter may hold, already percent-encoded for the wire. */
const encodedText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }).map(encodeSafely) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map(encodeSafely) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCharCode(c)), minLength: 90, maxLength: 400 }).map(encodeSafely) },
  { weight: 1, arbitrary: fc.integer({ min: 1025, max: 8000 }).map((n) => "a".repeat(n)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "%ED%A0%80",
      "a%ED%B0%80b",
      "%C0%80",
      "%FF",
      "%",
      "%zz",
      "%00",
      "%0A",
      "%2F",
      "..%2F..%2F",
      "%23",
      "%3F",
      "%5C",
      "'",
      "%27%20or%201%3D1",
      "PartitionKey%20eq%20'x'",
      "",
      "0",
      "-1",
      "1e309",
      "NaN",
      "501",
      "1.5",
      "0x10",
      "%20",
      "+",
      "null",
    ),
  },
);

/** Azure Tables continuation tokens: base64 JSON with nextPartitionKey/nextRowKey, near-valid and broken. */
const continuationToken: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 })).map(([pk, rk]) => Buffer.from(JSON.stringify({ nextPartitionKey: pk, nextRowKey: rk })).toString("base64")),
  fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null").toString("base64")),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("base64")),
  fc.constantFrom("e30=", "bnVsbA==", "W10=", "not base64 !", "====", "eyJuZXh0UGFydGl0aW9uS2V5IjpudWxsfQ=="),
).map(encodeURIComponent);

function queryValue(name: string): fc.Arbitrary<string> {
  if (name === "continuationToken") return fc.oneof(continuationToken, encodedText);
  if (name === "pageSize") return fc.oneof(fc.integer({ min: -10, max: 1000 }).map(String), encodedText);
  if (name === "current") return fc.oneof(fc.constantFrom("1.0.0", "9999.9999.9999.9999", "1.0.0-beta+x", "01.0", "1..0", "v1"), encodedText);
  if (name === "realm") return fc.oneof(fc.uuid(), encodedText);
  return encodedText;
}

function queryFor(entry: HttpFunctionEntry): fc.Arbitrary<string> {
  const all = QUERY_PARAMETERS[entry.name] ?? [];
  const known = all.filter((n) => !whollyKnown5xx(entry.name, "query", n));
  const param = fc.oneof(
    { weight: known.length > 0 ? 4 : 0, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant("x") },
    { weight: 1, arbitrary: encodedText.filter((n) => !all.includes(n) && n.length < 200) },
  );
  const pair = fc
    .tuple(param, fc.boolean())
    .chain(([name, bare]) => (bare ? fc.constant({ name, value: "" }) : queryValue(name).map((value) => ({ name, value }))))
    .filter(({ name, value }) => !isKnown5xx(entry.name, "query", name, value))
    .map(({ name, value }) => (value === "" ? name : `${name}=${value}`));
  return fc
    .array(pair, { maxLength: 5 })
    .map((pairs) => (pairs.length === 0 ? "" : `?${pairs.join("&")}`));
}

/** A value the route accepts for a path parameter, by its name: real records for reads, unused valid ids for writes. */
function validPathValue(name: string, existing: ExistingIds, readOnly: boolean): fc.Arbitrary<string> {
  const pick = (read: fc.Arbitrary<string>, write: fc.Arbitrary<string>): fc.Arbitrary<string> => (readOnly ? fc.oneof(read, write) : write);
  switch (name) {
    case "scope":
      return fc.oneof(fc.constant("realm"), fc.uuid().map((u) => `group:${u}`), fc.uuid().map((u) => `device:${u}`));
    case "channel":
      return fc.constantFrom("stable", "beta", "canary");
    case "tenantId":
      return pick(fc.constant(existing.tenantId), fc.uuid());
    case "id":
      return pick(fc.constantFrom(existing.deviceId, "PSini", "Contoso.PrinterSetup"), fc.oneof(fc.uuid(), fc.constant("Fuzz.Package")));
    case "packageId":
      return pick(fc.constantFrom("PSini", "Contoso.PrinterSetup"), fc.constant("Fuzz.Package"));
    case "version":
      return pick(fc.constantFrom("2.0.5", "1.4.0"), fc.constant("1.0.0"));
    case "assignmentId":
      return pick(fc.constant("printers-for-everyone"), fc.constant("fuzz-assignment"));
    case "name":
      return fc.constant("Fuzz template");
    case "runId":
    case "stepId":
      return fc.oneof(fc.uuid(), fc.constantFrom("security-checks", "bitlocker"));
    default:
      return encodedText;
  }
}

function pathValue(name: string, existing: ExistingIds, readOnly: boolean): fc.Arbitrary<string> {
  const valid = validPathValue(name, existing, readOnly);
  return fc.oneof(
    { weight: 4, arbitrary: valid.map(encodeSafely) },
    { weight: 4, arbitrary: encodedText.filter((s) => s.length > 0) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("group:", "device:"), encodedText).map(([p, s]) => p + s) },
    // A valid value with something appended: NUL, a lone surrogate, a separator, traversal, a key over 1 KiB.
    { weight: 2, arbitrary: fc.tuple(valid.map(encodeSafely), fc.constantFrom("%00", "%ED%A0%80", "/", "%2F", "..", "%23", "a".repeat(1100))).map(([v, x]) => v + x) },
  );
}

/** A valid body per route, so that requests get past body validation to the code that reads headers and parameters. */
function validBody(entry: HttpFunctionEntry): Record<string, unknown> | undefined {
  switch (entry.name) {
    case "agentState":
      return stateReport(Math.floor(Date.now() / 1000));
    case "adminPutPolicy":
      return { reportIntervalSeconds: 900 };
    case "adminPutRelease":
      return { version: "4.2.1", url: "https://example.invalid/agent.msi", sha256: "0".repeat(64) };
    case "adminPutPrimaryUser":
      return { userId: "6b1b6a0e-4a65-4f55-9b1a-0b8b5a7d0e11" };
    case "adminPutAssignment":
      return { packageId: "PSini", target: { type: "all" }, intent: "available" };
    case "adminPutSignatureTemplate":
      return { html: "<p>{displayName}</p>", text: "{displayName}" };
    case "agentOnboardingStepResult":
      return { outcome: "succeeded" };
    case "operatorPutRealm":
      return { name: "Fuzz", deviceTrust: "pinned", noGraph: true };
    case "adminPutBranchCache":
      return { passphrase: "a fuzz passphrase that is long enough" };
    default:
      return undefined;
  }
}

const CREDENTIALS_FOR: Record<AuthRequirement, CredentialKind> = {
  none: "none",
  device: "device",
  "device+user": "device+user",
  user: "user",
  admin: "admin",
  // An admin holds every lower realm role too.
  reader: "admin",
  helpdesk: "admin",
  operator: "operator",
};

/** One request whose headers, query and path parameters are fuzzed, with the route's own credentials and a valid body. */
export interface ParameterCase {
  method: string;
  path: string;
  credentials: CredentialKind;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}

/** Names of the route's path parameters, in template order. */
function pathParameters(route: string): string[] {
  return [...route.matchAll(/\{\*?([A-Za-z][A-Za-z0-9_]*)(:[^}]*)?\}/g)].map((m) => m[1] ?? "");
}

/** Checks that every KNOWN_5XX entry names a real route and parameter, so a stale entry cannot hide anything. */
export function unknownExclusions(routes: readonly HttpFunctionEntry[]): KnownFailure[] {
  return KNOWN_5XX.filter((k) => {
    const entry = routes.find((r) => r.name === k.route);
    if (entry === undefined) return true;
    if (k.place === "path") return !pathParameters(entry.route).includes(k.name);
    if (k.place === "header") return !(FUZZED_HEADERS as readonly string[]).includes(k.name);
    return !(QUERY_PARAMETERS[entry.name] ?? []).includes(k.name);
  });
}

/** Fuzzed headers, query and path parameters for one route (minus its KNOWN_5XX entries). */
export function parameterCase(entry: HttpFunctionEntry, auth: AuthRequirement, existing: ExistingIds): fc.Arbitrary<ParameterCase> {
  const headers = FUZZED_HEADERS.filter((h) => !whollyKnown5xx(entry.name, "header", h));
  const headerRecord = Object.fromEntries(headers.map((h) => [h, anyHeaderValue(h).filter((v) => !isKnown5xx(entry.name, "header", h, v))])) as Record<
    string,
    fc.Arbitrary<string>
  >;
  const body = validBody(entry);
  return fc.constantFrom(...entry.methods).chain((method) => {
    const readOnly = method === "GET" || method === "HEAD";
    const parts = entry.route.split("/").map((p): fc.Arbitrary<string> => {
      const name = /^\{\*?([A-Za-z][A-Za-z0-9_]*)/.exec(p)?.[1];
      if (name === undefined) return fc.constant(p);
      if (whollyKnown5xx(entry.name, "path", name)) return fc.constant(fixedPathValue(name, existing, readOnly));
      if (p.startsWith("{*")) return fc.array(pathValue(name, existing, false), { maxLength: 3 }).map((xs) => xs.join("/"));
      return pathValue(name, existing, readOnly).filter((v) => !isKnown5xx(entry.name, "path", name, v));
    });
    return fc.record({
      method: fc.constant(method),
      path: fc.tuple(fc.tuple(...parts), queryFor(entry)).map(([xs, q]) => `/api/${xs.join("/")}${q}`),
      credentials: fc.oneof({ weight: 9, arbitrary: fc.constant(CREDENTIALS_FOR[auth]) }, { weight: 1, arbitrary: fc.constantFrom<CredentialKind>("none", "device", "admin", "operator") }),
      headers: fc
        .record(headerRecord, { requiredKeys: [] })
        .map((h) => Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined))),
      body: fc.constant(body === undefined || readOnly ? undefined : new TextEncoder().encode(JSON.stringify(body))),
    });
  });
}

/** Hostile values every path parameter gets deterministically (on top of the random runs): the classes issue 15 names. */
const EDGE_PATH_VALUES = [
  "a".repeat(1100),
  "a".repeat(8000),
  encodeURIComponent("漢".repeat(100)),
  "a%ED%A0%80b",
  "a%00b",
  "a%01b",
  "a%2Fb",
  "a%23b",
  "a%5Cb",
  "a%3Fb",
  "%C0%80",
];
const EDGE_HEADER_VALUES = ["garbage", '"a", "b"', "\u00ff\u00fe", "W/", "", "x".repeat(6000)];
const EDGE_QUERY_VALUES = ["abc", "VxDk0SK349%2Bo", "%ED%A0%80", "a".repeat(3000), "-1", "1e309", "%00"];
const FIXED_ID = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f";

/** A deterministic valid value per path parameter (a real record for reads, an unused id for writes). */
function fixedPathValue(name: string, existing: ExistingIds, readOnly: boolean): string {
  const values: Record<string, [string, string]> = {
    scope: ["realm", `group:${FIXED_ID}`],
    channel: ["stable", "canary"],
    tenantId: [existing.tenantId, FIXED_ID],
    id: [existing.deviceId, FIXED_ID],
    packageId: ["PSini", "Fuzz.Package"],
    version: ["2.0.5", "1.0.0"],
    assignmentId: ["printers-for-everyone", "fuzz-assignment"],
    name: ["Fuzz%20template", "Fuzz%20template"],
    runId: [FIXED_ID, FIXED_ID],
    stepId: ["security-checks", "security-checks"],
  };
  const pair = values[name] ?? ["x", "x"];
  return readOnly ? pair[0] : pair[1];
}

/**
 * Deterministic cases run before the random ones (fast-check examples): every path parameter with each edge value,
 * every fuzzed header set to each malformed value at once, every known query parameter with each edge value;
 * the rest of the request valid. KNOWN_5XX inputs are left out here too.
 */
export function edgeCases(entry: HttpFunctionEntry, auth: AuthRequirement, existing: ExistingIds): ParameterCase[] {
  const cases: ParameterCase[] = [];
  const body = validBody(entry);
  const template = entry.route.split("/");
  for (const method of entry.methods) {
    const readOnly = method === "GET" || method === "HEAD";
    const encoded = body === undefined || readOnly ? undefined : new TextEncoder().encode(JSON.stringify(body));
    const base = { method, credentials: CREDENTIALS_FOR[auth], body: encoded };
    const path = (override?: { name: string; value: string }, query = ""): string =>
      "/api/" +
      template
        .map((p) => {
          const name = /^\{\*?([A-Za-z][A-Za-z0-9_]*)/.exec(p)?.[1];
          if (name === undefined) return p;
          return override?.name === name ? override.value : fixedPathValue(name, existing, readOnly);
        })
        .join("/") +
      query;
    for (const name of pathParameters(entry.route)) {
      for (const value of EDGE_PATH_VALUES) {
        if (!isKnown5xx(entry.name, "path", name, value)) cases.push({ ...base, path: path({ name, value }), headers: {} });
      }
    }
    for (const value of EDGE_HEADER_VALUES) {
      const headers = Object.fromEntries(FUZZED_HEADERS.filter((h) => !isKnown5xx(entry.name, "header", h, value)).map((h) => [h, value]));
      cases.push({ ...base, path: path(), headers });
    }
    for (const name of QUERY_PARAMETERS[entry.name] ?? []) {
      for (const value of EDGE_QUERY_VALUES) {
        if (!isKnown5xx(entry.name, "query", name, value)) cases.push({ ...base, path: path(undefined, `?${name}=${value}`), headers: {} });
      }
    }
  }
  return cases;
}
