import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hodV1, hohodkV1, hohodkV2, kpV1, kpV2, PCCRC_C2, truncatedSha512 } from "../../../lib/content/pccrc-hashes.js";
import { fromHex, pccrc } from "./testdata.js";

describe("PCCRC hash derivations", () => {
  it("when C2 is built, then it is UTF-16LE 'MS_P2P_CACHING' plus a two-byte NUL, not the spec's ASCII", () => {
    expect(PCCRC_C2.toString("hex")).toBe(pccrc.magic.value_hex);
    expect(PCCRC_C2).toHaveLength(pccrc.magic.length);
    expect(PCCRC_C2.equals(Buffer.from("MS_P2P_CACHING\0", "ascii"))).toBe(false);
  });

  it("when T is applied, then it is the first 32 bytes of SHA-512, not SHA-512/256", () => {
    const input = fromHex(pccrc.truncated.input_hex);
    expect(truncatedSha512(input).toString("hex")).toBe(pccrc.truncated.trunc_sha512_32);
    expect(truncatedSha512(input).toString("hex")).not.toBe(pccrc.truncated.sha512_256_WRONG);
    expect(createHash("sha512-256").update(input).digest("hex")).toBe(pccrc.truncated.sha512_256_WRONG);
  });

  it("when the IIS V1 capture's block hashes and Ks are used, then HoD, Kp (an HMAC) and HoHoDk match IIS", () => {
    const ks = fromHex(pccrc.v1.server_secret_Ks_hex);
    const segment = pccrc.v1.parsed.segments[0];
    if (segment === undefined) throw new Error("capture has a segment");
    const hod = hodV1(segment.blocks.map((b) => fromHex(b.hash)));
    expect(hod.toString("hex")).toBe(segment.HoD);
    const kp = kpV1(ks, hod);
    expect(kp.toString("hex")).toBe(segment.Kp);
    expect(hohodkV1(kp, hod).toString("hex")).toBe(segment.HoHoDk);
    // The spec's Kp = Hash(HoD + Ks) gives something else.
    expect(createHash("sha256").update(hod).update(ks).digest("hex")).not.toBe(segment.Kp);
  });

  it("when the IIS V2 capture's HoDs and Ks32 are used, then every Kp and HoHoDk match IIS", () => {
    const ks32 = fromHex(pccrc.v2.server_secret_Ks_hex);
    const segments = pccrc.v2.parsed.chunks.flatMap((c) => c.segments);
    expect(segments).toHaveLength(2);
    for (const s of segments) {
      const kp = kpV2(ks32, fromHex(s.HoD));
      expect(kp.toString("hex")).toBe(s.Kp);
      expect(hohodkV2(kp, fromHex(s.HoD)).toString("hex")).toBe(s.HoHoDk);
    }
  });
});
