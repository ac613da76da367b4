import { describe, expect, it } from "vitest";
import { isAppError } from "../../../lib/core/errors.js";
import { contentInfoV2FromHashes } from "../../../lib/content/content-info-hashes.js";
import { parseContentInfoV2, serializeContentInfoV2 } from "../../../lib/content/pccrc-v2.js";
import { fromHex, pccrc, thrown } from "./testdata.js";

const capture = pccrc.v2;
const blob = fromHex(capture.contentinfo_hex);
const ks32 = fromHex(capture.server_secret_Ks_hex);
const captured = capture.parsed.chunks.flatMap((c) => c.segments);

// IIS cut this file into 39,390 + 60,320 bytes with an undocumented content-defined split; our builder cuts fixed
// 128 KiB segments, so a build from the real bytes would differ. Byte-exact checks therefore start from IIS's
// segment sizes and HoDs (T of each segment) and check the keying and the layout.
describe("PCCRC V2 content information", () => {
  it("when built from the IIS capture's segment sizes, HoDs and Ks32, then it reproduces IIS 8.5's blob byte for byte", () => {
    const hashes = { size: capture.content_length, v1Segments: [], v2Segments: captured.map((s) => ({ size: s.cbSegment, hod: fromHex(s.HoD) })) };
    const bytes = serializeContentInfoV2(contentInfoV2FromHashes(hashes, ks32));
    expect(bytes).toHaveLength(capture.contentinfo_len);
    expect(bytes.length).toBe(36 + 68 * captured.length);
    expect(bytes.toString("hex")).toBe(capture.contentinfo_hex);
  });

  it("when the IIS blob is parsed, then header, chunk and segment fields match the capture, with ullLengthOfRange 0", () => {
    const info = parseContentInfoV2(blob);
    expect([info.startInContent, info.indexOfFirstSegment, info.offsetInFirstSegment, info.lengthOfRange]).toEqual([
      capture.parsed.ullStartInContent,
      capture.parsed.ullIndexOfFirstSegment,
      capture.parsed.dwOffsetInFirstSegment,
      0,
    ]);
    expect(info.chunks).toHaveLength(1);
    expect(info.chunks.flatMap((c) => c.segments).map((s) => ({ size: s.size, hod: s.hod.toString("hex"), kp: s.kp.toString("hex") }))).toEqual(
      captured.map((s) => ({ size: s.cbSegment, hod: s.HoD, kp: s.Kp })),
    );
  });

  it("when a parsed blob is serialised again, then the bytes are unchanged", () => {
    expect(serializeContentInfoV2(parseContentInfoV2(blob)).equals(blob)).toBe(true);
  });

  it("when the blob is damaged, then parsing fails as a validation error naming invalid content information", () => {
    const obsoleteAlgo = Buffer.from(blob);
    obsoleteAlgo[2] = 0x01;
    const unknownChunk = Buffer.from(blob);
    unknownChunk[31] = 1;
    const cases = [blob.subarray(0, 20), blob.subarray(0, blob.length - 1), Buffer.concat([blob, Buffer.from([0, 0])]), obsoleteAlgo, unknownChunk];
    for (const bad of cases) {
      const error = thrown(() => parseContentInfoV2(bad));
      expect(isAppError(error) && [error.kind, error.code]).toEqual(["validation", "invalid-content-info"]);
    }
  });

  it("when there are no segments (empty file), then the blob is the 31-byte header alone and parses back", () => {
    const bytes = serializeContentInfoV2(contentInfoV2FromHashes({ size: 0, v1Segments: [], v2Segments: [] }, ks32));
    expect(bytes).toHaveLength(31);
    expect(parseContentInfoV2(bytes).chunks).toEqual([]);
  });
});
