import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashDocument } from "../../../lib/signing/document-hash.js";

describe("hashDocument", () => {
  it("when given a document, then it is the lowercase hex SHA-256 of its RFC 8785 canonical JSON", () => {
    const doc = { realm: "r1", deviceId: "d1", b: [1, 2.5, true, null], a: { z: "é", y: 1e21 } };
    const canonical = '{"a":{"y":1e+21,"z":"é"},"b":[1,2.5,true,null],"deviceId":"d1","realm":"r1"}';
    expect(hashDocument(doc)).toBe(createHash("sha256").update(canonical, "utf8").digest("hex"));
    expect(hashDocument(doc)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("when the document carries iat and hash, then they do not change the hash", () => {
    const doc = { realm: "r1", deviceId: "d1", policy: { makeAdmin: false } };
    expect(hashDocument({ ...doc, iat: 1_700_000_000, hash: "x" })).toBe(hashDocument(doc));
  });

  it("when keys are ordered differently, then the hash is the same; when a value changes, then it differs", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (dict) => {
        const reversed = Object.fromEntries(Object.entries(dict).reverse());
        expect(hashDocument(reversed)).toBe(hashDocument(dict));
        expect(hashDocument({ ...dict, extra: "changed" })).not.toBe(hashDocument({ ...dict, extra: "original" }));
      }),
    );
  });
});
