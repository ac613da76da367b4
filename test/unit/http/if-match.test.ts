import { describe, expect, it } from "vitest";
import { parseIfMatch } from "../../../lib/http/if-match.js";
import { rejectionOf } from "../../support/app-error.js";

describe("parseIfMatch", () => {
  it("when the header is absent, empty or *, then absent or any", () => {
    expect(parseIfMatch(null)).toEqual({ kind: "absent" });
    expect(parseIfMatch("  ")).toEqual({ kind: "absent" });
    expect(parseIfMatch(" * ")).toEqual({ kind: "any" });
  });

  it("when the header lists entity tags, then each is kept as sent, commas inside a tag included", () => {
    const table = `W/"datetime'2025-03-01T10%3A00%3A00.1234567Z'"`;
    expect(parseIfMatch(`${table}, "a,b" ,"c"`)).toEqual({ kind: "tags", tags: [table, '"a,b"', '"c"'] });
  });

  it("when the header is not RFC 9110's grammar, then 400 invalid-if-match", async () => {
    for (const header of ["garbage", '"unterminated', 'W/"a b"', '"a" "b"', "W/x", '"a",*', `"\u0001"`, '""x']) {
      const error = await rejectionOf(() => Promise.resolve().then(() => parseIfMatch(header)));
      expect([error.status, error.code]).toEqual([400, "invalid-if-match"]);
    }
  });
});
