import { describe, expect, it } from "vitest";
import { z } from "zod";
import { acceptEncodingQuality, compareProtocolVersions, parseProtocolVersion } from "../../../lib/content/pccrtp-headers.js";
import { negotiatePeerDist, peerDistResponseHeaders, type NegotiationContext, type PeerDistDecision } from "../../../lib/content/pccrtp-negotiation.js";
import { readJsonl } from "./testdata.js";

const line = z.object({
  id: z.string(),
  request: z.record(z.string(), z.string()).optional(),
  condition: z.string().optional(),
  parse: z.string().optional(),
  expect: z.string(),
});
const cases = readJsonl("pccrtp-negotiation.jsonl").map((l) => line.parse(l));

/** A real Fetch Headers object, case-insensitive like @azure/functions' request.headers. */
const getter = (headers: Record<string, string>) => {
  const h = new Headers(headers);
  return (name: string) => h.get(name);
};

const ready: NegotiationContext = { contentInfoReady: true };
const win8: Record<string, string> = {
  "Accept-Encoding": "peerdist",
  "X-P2P-PeerDist": "Version=1.1",
  "X-P2P-PeerDistEx": "MinContentInformation=1.0, MaxContentInformation=2.0",
};
const peerdist = (version: "1.0" | "1.1", contentInfoVersion: 1 | 2): PeerDistDecision => ({ kind: "peerdist", version, contentInfoVersion });
const identity = (reason: string) => ({ kind: "identity", reason });

type Row =
  | { readonly how: "request"; readonly context?: NegotiationContext; readonly want: PeerDistDecision | ReturnType<typeof identity>; readonly text: RegExp; readonly why: string }
  | {
      readonly how: "condition";
      readonly headers: Record<string, string>;
      readonly context: NegotiationContext;
      readonly want: ReturnType<typeof identity>;
      readonly text: RegExp;
      readonly why: string;
      /** The same request without the condition: it must get PeerDist, so the condition alone decides. */
      readonly control?: Record<string, string>;
    }
  | { readonly how: "parse"; readonly text: RegExp; readonly why: string };

// Every line of pccrtp-negotiation.jsonl, by id. `text` ties the row to the line's `expect` so the two cannot drift.
const table: Record<string, Row> = {
  "RTP-01": { how: "request", want: identity("peerdist-not-accepted"), text: /^identity/, why: "Accept-Encoding does not list peerdist" },
  "RTP-02": { how: "request", want: peerdist("1.0", 1), text: /Version=1\.0.*V1/, why: "Windows 7: Version=1.0 gets V1" },
  "RTP-03": { how: "request", want: peerdist("1.1", 2), text: /MAY send V1 or V2.*Version=1\.1/, why: "[1.0, 2.0] allows both; we prefer V2, answered as Version=1.1" },
  "RTP-04": { how: "request", want: peerdist("1.1", 1), text: /V1 Content Information only/, why: "only 1.0 is within [1.0, 1.0]" },
  "RTP-05": { how: "request", want: peerdist("1.1", 2), text: /V2 Content Information/, why: "only 2.0 is within [2.0, 2.0]" },
  "RTP-06": { how: "request", want: identity("unsupported-version"), text: /^NOT peerdist/, why: "only Version 1.0 and 1.1 are spoken" },
  "RTP-07": { how: "request", want: peerdist("1.0", 1), text: /^peerdist$/, why: "MissingDataRequest=false is an ordinary PeerDist request" },
  "RTP-08": { how: "request", want: identity("malformed-peerdist-header"), text: /^NOT peerdist/, why: "MissingDataRequest must be true or false" },
  "RTP-09": { how: "request", want: identity("no-common-content-information"), text: /^NOT peerdist/, why: "neither 1.0 nor 2.0 is within [900.0, 999.0]" },
  "RTP-10": { how: "request", want: peerdist("1.1", 1), text: /MUST be V1/, why: "no X-P2P-PeerDistEx means V1" },
  "RTP-11": { how: "condition", headers: win8, context: { contentInfoReady: false }, want: identity("content-info-not-ready"), text: /^identity body/, why: "answer normally until the hashes exist" },
  "RTP-12": { how: "condition", headers: win8, context: { contentInfoReady: true, hasValidator: false }, want: identity("no-validator"), text: /never uses peerdist/, why: "no ETag and no Last-Modified: no PeerDist, like IIS" },
  "RTP-13": { how: "condition", headers: win8, context: { contentInfoReady: true, httpVersion: "1.0" }, want: identity("http-1.0"), text: /WS2008R2 never does/, why: "the spec allows it; we follow Windows servers and decline for HTTP/1.0" },
  "RTP-14": {
    how: "condition",
    headers: { ...win8, Range: "bytes=0-2097151" },
    context: ready,
    want: identity("range-request"),
    text: /Connection: close/,
    control: win8,
    why: "a range request is answered with ordinary ranges; Connection: close belongs to the range responder, not to negotiation",
  },
  "RTP-15": { how: "request", want: identity("peerdist-not-accepted"), text: /normal 206/, why: "a missing-data range request lists no peerdist, so it gets the raw bytes" },
  "RTP-16": { how: "parse", text: /1\.23 > 1\.3/, why: "major and minor compare as separate integers" },
};

describe("PeerDist negotiation against pccrtp-negotiation.jsonl", () => {
  it("when the table is compared with the file, then every line has exactly one row and no row is extra", () => {
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(table).sort());
  });

  for (const c of cases) {
    const row = table[c.id];
    it(`when ${c.id} (${c.request === undefined ? (c.condition ?? c.parse) : JSON.stringify(c.request)}), then ${row?.why ?? "?"}`, () => {
      if (row === undefined) throw new Error(`no table row for ${c.id}`);
      expect(c.expect).toMatch(row.text);
      if (row.how === "request") {
        if (c.request === undefined) throw new Error(`${c.id} has no request`);
        expect(negotiatePeerDist(getter(c.request), row.context ?? ready)).toEqual(row.want);
      } else if (row.how === "condition") {
        expect(c.condition).toBeDefined();
        expect(negotiatePeerDist(getter(row.headers), row.context)).toEqual(row.want);
        expect(negotiatePeerDist(getter(row.control ?? row.headers), ready).kind).toBe("peerdist");
      } else {
        const a = parseProtocolVersion("1.23");
        const b = parseProtocolVersion("1.3");
        if (a === undefined || b === undefined) throw new Error("versions parse");
        expect(compareProtocolVersions(a, b)).toBeGreaterThan(0);
        expect(negotiatePeerDist(getter({ "Accept-Encoding": "peerdist", "X-P2P-PeerDist": "Version=1.23" }), ready)).toEqual(identity("unsupported-version"));
      }
    });
  }
});

describe("PeerDist negotiation details", () => {
  const decide = (headers: Record<string, string>) => negotiatePeerDist(getter(headers), ready);

  it("when Accept-Encoding gives peerdist q=0, then it is not acceptable", () => {
    expect(decide({ ...win8, "Accept-Encoding": "gzip, peerdist;q=0" })).toEqual(identity("peerdist-not-accepted"));
    expect(decide({ ...win8, "Accept-Encoding": "peerdist; q=0.000" })).toEqual(identity("peerdist-not-accepted"));
  });

  it("when Accept-Encoding lists PeerDist with a positive q among others, in any case, then PeerDist is used", () => {
    expect(decide({ ...win8, "Accept-Encoding": "gzip;q=1.0, PeerDist ; Q=0.5, br" })).toEqual(peerdist("1.1", 2));
    expect(acceptEncodingQuality("gzip, peerdist;q=0.25", "peerdist")).toBe(0.25);
  });

  it("when Accept-Encoding has only a wildcard, a malformed q or a look-alike token, then PeerDist is not used", () => {
    for (const value of ["*", "peerdist;q=abc", "peerdist;q=1.5", "peerdistx", "x-peerdist"]) {
      expect(decide({ ...win8, "Accept-Encoding": value })).toEqual(identity("peerdist-not-accepted"));
    }
  });

  it("when X-P2P-PeerDist is absent, lacks Version, or has a malformed one, then the answer is the ordinary content", () => {
    expect(decide({ "Accept-Encoding": "peerdist" })).toEqual(identity("no-peerdist-header"));
    expect(decide({ "Accept-Encoding": "peerdist", "X-P2P-PeerDist": "MissingDataRequest=false" })).toEqual(identity("malformed-peerdist-header"));
    for (const v of ["Version=1", "Version=1.0.0", "Version=v1.0", "Version=1.0, Version=1.1", "Version"]) {
      expect(decide({ "Accept-Encoding": "peerdist", "X-P2P-PeerDist": v })).toEqual(identity("malformed-peerdist-header"));
    }
  });

  it("when Version has leading zeros or other spacing and case, then it is compared as integers", () => {
    expect(decide({ "Accept-Encoding": "peerdist", "x-p2p-peerdist": " version = 01.00 " })).toEqual(peerdist("1.0", 1));
    expect(decide({ "Accept-Encoding": "peerdist", "X-P2P-PeerDist": "Version=1.10" })).toEqual(identity("unsupported-version"));
  });

  it("when MissingDataRequest=true accompanies peerdist, then the request gets ordinary content", () => {
    expect(decide({ "Accept-Encoding": "peerdist", "X-P2P-PeerDist": "Version=1.1, MissingDataRequest=true" })).toEqual(identity("missing-data-request"));
  });

  it("when X-P2P-PeerDistEx is malformed, then the answer is the ordinary content", () => {
    for (const ex of [
      "MinContentInformation=1.0",
      "MaxContentInformation=2.0",
      "MinContentInformation=2.0, MaxContentInformation=1.0",
      "MinContentInformation=1.0 MaxContentInformation=2.0",
      "MinContentInformation=one, MaxContentInformation=2.0",
      "MinContentInformation=1.0, MinContentInformation=1.0, MaxContentInformation=2.0",
    ]) {
      expect(decide({ ...win8, "X-P2P-PeerDistEx": ex })).toEqual(identity("malformed-peerdist-ex"));
    }
  });

  it("when the client range is [1.5, 3.0], then V2 is chosen; when [0.5, 1.9], then V1", () => {
    expect(decide({ ...win8, "X-P2P-PeerDistEx": "MaxContentInformation=3.0, MinContentInformation=1.5" })).toEqual(peerdist("1.1", 2));
    expect(decide({ ...win8, "X-P2P-PeerDistEx": "MinContentInformation=0.5, MaxContentInformation=1.9" })).toEqual(peerdist("1.1", 1));
  });

  it("when a Version=1.0 client sends X-P2P-PeerDistEx, then it is ignored and V1 is sent", () => {
    expect(decide({ ...win8, "X-P2P-PeerDist": "Version=1.0", "X-P2P-PeerDistEx": "MinContentInformation=2.0, MaxContentInformation=2.0" })).toEqual(peerdist("1.0", 1));
  });
});

describe("PeerDist response headers", () => {
  it("when a PeerDist answer is built, then it carries the encoding, both lengths, Vary and the validators", () => {
    expect(
      peerDistResponseHeaders({
        version: "1.1",
        contentInfoLength: 172,
        packageSize: 99_710,
        etag: '"0x8DC"',
        lastModified: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
        contentType: "application/octet-stream",
      }),
    ).toEqual({
      "Content-Encoding": "peerdist",
      "X-P2P-PeerDist": "Version=1.1, ContentLength=99710",
      "Content-Length": "172",
      Vary: "Accept-Encoding",
      "Content-Type": "application/octet-stream",
      ETag: '"0x8DC"',
      "Last-Modified": "Tue, 02 Jan 2024 03:04:05 GMT",
    });
  });

  it("when validators are absent, then no empty ETag or Last-Modified is invented", () => {
    const headers = peerDistResponseHeaders({ version: "1.0", contentInfoLength: 166, packageSize: 99_710 });
    expect(Object.keys(headers).sort()).toEqual(["Content-Encoding", "Content-Length", "Vary", "X-P2P-PeerDist"]);
    expect(headers["X-P2P-PeerDist"]).toBe("Version=1.0, ContentLength=99710");
  });

  it("when a length is negative or fractional, then building refuses", () => {
    expect(() => peerDistResponseHeaders({ version: "1.0", contentInfoLength: -1, packageSize: 1 })).toThrow(RangeError);
    expect(() => peerDistResponseHeaders({ version: "1.0", contentInfoLength: 1, packageSize: 1.5 })).toThrow(RangeError);
  });
});
