import { describe, expect, it } from "vitest";
import { isAppError } from "../../../lib/core/errors.js";
import { contentInfoV1FromHashes } from "../../../lib/content/content-info-hashes.js";
import { parseContentInfoV1, serializeContentInfoV1 } from "../../../lib/content/pccrc-v1.js";
import { fromHex, pccrc, thrown } from "./testdata.js";

const capture = pccrc.v1;
const blob = fromHex(capture.contentinfo_hex);
const ks = fromHex(capture.server_secret_Ks_hex);

// Only the capture's sizes, offsets and block hashes go in; HoD and Kp are derived, so the bytes check the derivation too.
const hashesFromCapture = () => ({
  size: capture.content_length,
  v1Segments: capture.parsed.segments.map((s) => ({ offset: s.ullOffsetInContent, size: s.cbSegment, blockHashes: s.blocks.map((b) => fromHex(b.hash)) })),
  v2Segments: [],
});

describe("PCCRC V1 content information", () => {
  it("when built from the IIS capture's block hashes and Ks, then it reproduces IIS 8.5's blob byte for byte", () => {
    const bytes = serializeContentInfoV1(contentInfoV1FromHashes(hashesFromCapture(), ks));
    expect(bytes).toHaveLength(capture.contentinfo_len);
    expect(bytes.toString("hex")).toBe(capture.contentinfo_hex);
    expect(bytes.length).toBe(18 + 1 * (16 + 64) + 4 * 1 + 2 * 32);
  });

  it("when the IIS blob is parsed, then every field matches the capture, with dwReadBytesInLastSegment 0", () => {
    const info = parseContentInfoV1(blob);
    expect(info.offsetInFirstSegment).toBe(capture.parsed.dwOffsetInFirstSegment);
    expect(info.readBytesInLastSegment).toBe(0);
    expect(info.segments).toHaveLength(capture.parsed.cSegments);
    info.segments.forEach((s, i) => {
      const want = capture.parsed.segments[i];
      expect(want).toBeDefined();
      expect({
        offset: s.offsetInContent,
        size: s.size,
        blockSize: s.blockSize,
        hod: s.hod.toString("hex"),
        kp: s.kp.toString("hex"),
        blocks: s.blockHashes.map((b) => b.toString("hex")),
      }).toEqual({
        offset: want?.ullOffsetInContent,
        size: want?.cbSegment,
        blockSize: want?.cbBlockSize,
        hod: want?.HoD,
        kp: want?.Kp,
        blocks: want?.blocks.map((b) => b.hash),
      });
    });
  });

  it("when a parsed blob is serialised again, then the bytes are unchanged", () => {
    expect(serializeContentInfoV1(parseContentInfoV1(blob)).equals(blob)).toBe(true);
  });

  it("when the blob is damaged, then parsing fails as a validation error naming invalid content information", () => {
    const wrongVersion = Buffer.from(blob);
    wrongVersion[1] = 2;
    const wrongAlgo = Buffer.from(blob);
    wrongAlgo.writeUInt32LE(0x800d, 2);
    const cases = [blob.subarray(0, 10), blob.subarray(0, blob.length - 1), Buffer.concat([blob, Buffer.from([0])]), wrongVersion, wrongAlgo];
    for (const bad of cases) {
      const error = thrown(() => parseContentInfoV1(bad));
      expect(isAppError(error) && [error.kind, error.code]).toEqual(["validation", "invalid-content-info"]);
    }
  });
});
