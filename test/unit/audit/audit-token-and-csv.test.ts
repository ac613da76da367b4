import { describe, expect, it } from "vitest";
import { decodeAuditToken, encodeAuditToken } from "../../../lib/audit/audit-token.js";
import { parseCsv } from "../../../lib/directory/directory-csv.js";
import { thrownBy } from "../../support/app-error.js";

describe("audit continuation tokens", () => {
  it("when a token we issued comes back, then it decodes to the same position", () => {
    const position = "999998234567890|0a1b2c3d";
    expect(decodeAuditToken(encodeAuditToken(position))).toBe(position);
  });

  it("when a token is forged, truncated or not ours, then it is refused as bad-continuation-token", () => {
    const forged = [
      "abc",
      "",
      "x".repeat(300),
      Buffer.from('{"v":1,"after":"1|2"}').toString("base64url"),
      Buffer.from('{"v":2,"after":"999998234567890|0a1b2c3d"}').toString("base64url"),
      Buffer.from('{"v":1,"after":"999998234567890|0a1b2c3d","x":1}').toString("base64url"),
      "a+b/c=",
    ];
    for (const token of forged) expect(thrownBy(() => decodeAuditToken(token)), token).toMatchObject({ kind: "validation", code: "bad-continuation-token" });
  });
});

describe("CSV parsing", () => {
  it("when fields are quoted, hold commas, doubled quotes or line breaks, then they come back whole; blank lines and a BOM are ignored", () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n\n"two\nlines",\n')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["two\nlines", ""],
    ]);
  });

  it("when a quote is left open, then the CSV is refused", () => {
    expect(thrownBy(() => parseCsv('a,b\n"open'))).toMatchObject({ kind: "validation", code: "invalid-csv" });
  });
});
