import fc from "fast-check";
import type { HttpFunctionEntry, HttpMethod } from "../../../lib/registry/types.js";
import { stateReport } from "../../support/host-identities.js";

/** Who a fuzzed request claims to be; the test turns the name into real headers. */
export const CREDENTIALS = [
  "none",
  "garbage-bearer",
  "garbage-assertion",
  "replayed-assertion",
  "device",
  "device+user",
  "device+foreign-user",
  "unenrolled-device",
  "foreign-device",
  "user",
  "admin",
  "foreign-admin",
  "operator",
] as const;
export type CredentialKind = (typeof CREDENTIALS)[number];

/** One fuzzed request, before credentials are minted. */
export interface FuzzCase {
  method: string;
  path: string;
  credentials: CredentialKind;
  contentType: string | undefined;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}

const ALL_METHODS: HttpMethod[] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"];

/** Path segments, already in their on-the-wire (percent-encoded) form: traversal, NULs, overlong UTF-8, junk. */
const TRICK_SEGMENTS = [
  "..",
  ".",
  "%2e%2e",
  "..%2F",
  "..%2F..%2F..%2Fetc%2Fpasswd",
  "..%5C..%5Cwindows%5Cwin.ini",
  "%2e%2e%2f%2e%2e%2f",
  "%252e%252e%252f",
  "%00",
  "a%00b",
  "%C0%AE%C0%AE%C0%AF",
  "%C0%80",
  "%E0%80%AE",
  "%F0%80%80%AE",
  "%ED%A0%80",
  "%FF%FE",
  "%",
  "%zz",
  "%u002e",
  "%2F",
  "%3F",
  "%23",
  "%20",
  "+",
  ";",
  "*",
  "realm",
  "group:",
  "group:..%2F",
  "device:%00",
  "stable",
  "canary",
  "00000000-0000-0000-0000-000000000000",
];

function encodeSafely(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return "x";
  }
}

const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICK_SEGMENTS) },
  { weight: 2, arbitrary: fc.tuple(fc.uuid(), fc.constantFrom("", "group:", "device:")).map(([u, scope]) => scope + u) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }).map(encodeSafely) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }).map(encodeSafely) },
  // Long segments stay below Node's 16 KiB header limit, which answers 431 before the app sees anything.
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 6000 }).map((n) => "a".repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 1500 }).map((n) => "%2e".repeat(n)) },
);

const QUERIES = ["", "", "", "?realm=%00", "?realm=..%2F", "?current=%C0%80", "?current=1.0.0", "?realm=not-a-guid", "?a=1&a=2&a=3", "?%zz=%zz"];

/** A concrete request target for the route template, with fuzzed values in every parameter. */
export function pathFor(route: string): fc.Arbitrary<string> {
  const parts = route.split("/").filter((p) => p.length > 0);
  const segs = parts.map((p): fc.Arbitrary<string> => {
    if (/^\{\*/.test(p)) return fc.array(segment, { minLength: 0, maxLength: 4 }).map((xs) => xs.join("/"));
    if (/^\{/.test(p)) return segment;
    return fc.constant(p);
  });
  return fc.tuple(fc.tuple(...segs), fc.constantFrom(...QUERIES)).map(([xs, q]) => `/api/${xs.join("/")}${q}`);
}

const encoder = new TextEncoder();
const utf8 = (s: string): Uint8Array => encoder.encode(s);

const TEMPLATES: Record<string, unknown>[] = [
  stateReport(1),
  { bitlockerEnabled: true, reportIntervalSeconds: 900, priority: 1 },
  { userId: "6b1b6a0e-4a65-4f55-9b1a-0b8b5a7d0e11" },
  { name: "Fuzz", deviceTrust: "pinned", noGraph: true },
  { version: "1.2.3", url: "https://example.invalid/x.msi", sha256: "00".repeat(32) },
  {},
];

const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -0, 1e308, -1, 2 ** 53 + 1, "", " ", "\u0000", "\uD800", "1e999", true, [], {}),
  fc.string({ unit: "binary", maxLength: 64 }),
);

/** Known-shaped bodies with one field turned into something of the wrong type. */
const wrongTypeBody: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom(...TEMPLATES), fc.nat(), weirdValue, fc.boolean())
  .map(([template, pick, value, addUnknown]) => {
    const keys = Object.keys(template);
    const copy: Record<string, unknown> = { ...template };
    const key = keys.length > 0 ? keys[pick % keys.length] : undefined;
    if (key !== undefined) copy[key] = value;
    if (addUnknown || key === undefined) copy["unexpectedField"] = value;
    return utf8(JSON.stringify(copy) ?? "null");
  });

const MALFORMED = [
  "{",
  '{"a":}',
  "[1,]",
  "nul",
  '"',
  '{"sequence": 1e999}',
  "\uFEFF{}",
  '{"__proto__": {"isAdmin": true}}',
  '{"constructor": {"prototype": {"isAdmin": true}}}',
  "null",
  "0",
  '"string"',
  "[]",
  '{"a":1,"a":2}',
];

/** Bodies: none, random JSON, wrong types, malformed text, invalid UTF-8, deep nesting, huge strings, unicode. */
export const bodyArbitrary: fc.Arbitrary<Uint8Array | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => utf8(JSON.stringify(v) ?? "null")) },
  { weight: 4, arbitrary: wrongTypeBody },
  { weight: 2, arbitrary: fc.constantFrom(...MALFORMED).map(utf8) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }).map(utf8) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 60, max: 20_000 }), fc.boolean()).map(([n, arrays]) =>
      utf8(arrays ? "[".repeat(n) + "]".repeat(n) : '{"a":'.repeat(n) + "1" + "}".repeat(n)),
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 50_000, max: 600_000 }).map((n) => utf8(JSON.stringify({ ...stateReport(2), agentVersion: "9".repeat(n) }))) },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(fc.string({ unit: "binary", maxLength: 12 }), fc.string({ unit: "binary", maxLength: 40 }), { maxKeys: 6 })
      .map((d) => utf8(JSON.stringify(d))),
  },
);

const CONTENT_TYPES = [
  "application/json",
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "application/merge-patch+json",
  "text/plain",
  "application/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "application/json; charset=utf-16",
  "application/jsonx",
  ";;;",
  "",
];

const EXTRA_HEADERS: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    "if-match": fc.constantFrom("*", '"x"', 'W/"x"', "garbage", '"' + "a".repeat(500) + '"'),
    "if-none-match": fc.constantFrom("*", '"x"', "garbage"),
    "x-request-id": fc.constantFrom("short", "valid-request-id-123", "has spaces in it", "a".repeat(100), "../../etc"),
    accept: fc.constantFrom("*/*", "application/json", "text/html", ""),
    "accept-encoding": fc.constantFrom("peerdist", "peerdist, gzip", "gzip"),
    "x-p2p-peerdist": fc.constantFrom("Version=1.0", "Version=1.1, MinContentInformation=2.0", "Version=9"),
  },
  { requiredKeys: [] },
);

/** Valid identities weigh more, so that most requests get past authentication into validation and handlers. */
const credentialArbitrary: fc.Arbitrary<CredentialKind> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<CredentialKind>("device", "device+user", "admin", "operator", "user") },
  { weight: 1, arbitrary: fc.constantFrom(...CREDENTIALS) },
);

/** A fuzzed request against one registry entry: mostly its own methods, sometimes any other. */
export function fuzzCase(entry: HttpFunctionEntry): fc.Arbitrary<FuzzCase> {
  const methods = entry.methods.length > 0 ? entry.methods : ALL_METHODS;
  return fc.record({
    method: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: fc.constantFrom(...ALL_METHODS) }),
    path: pathFor(entry.route),
    credentials: credentialArbitrary,
    contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { freq: 5 }).map((v) => v ?? undefined),
    headers: EXTRA_HEADERS,
    body: bodyArbitrary,
  });
}
