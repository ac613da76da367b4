import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/core/errors.js";
import { checkEntryName, checkEntrySizes, checkTotalSize, isRootNuspec } from "../../../lib/packages/nupkg-entry-checks.js";
import { NUPKG_LIMITS } from "../../../lib/packages/nupkg-limits.js";
import { BufferRangeReader } from "../../../lib/packages/nupkg-range-reader.js";
import { inspectNupkg } from "../../../lib/packages/nupkg-reader.js";
import { parseNuspec } from "../../../lib/packages/nuspec-parser.js";
import { buildNupkg, maliciousNupkgs, nuspecXml, withCorruptedData, withRenamedEntry } from "../../support/nupkg-builder.js";
import { rejectionOf as refusal } from "../../support/app-error.js";

const MIB = 1024 * 1024;

const inspect = (bytes: Uint8Array) => inspectNupkg(new BufferRangeReader(bytes), bytes.byteLength);

describe("inspectNupkg", () => {
  it("when two entries have the same name, then the package is refused as unsafe", async () => {
    const bytes = withRenamedEntry(buildNupkg({ id: "Dup", version: "1.0.0", files: { "tools/a.ps1": "one", "tools/b.ps1": "two" } }), "tools/b.ps1", "tools/a.ps1");
    const error = await refusal(() => inspect(bytes));
    expect(error.code).toBe("unsafe-package");
    expect(error.message).toMatch(/more than one entry named "tools\/a\.ps1"/);
  });

  it("when two entry names differ only in case, then the package is refused (Windows extracts them to one file)", async () => {
    const bytes = buildNupkg({ id: "Dup", version: "1.0.0", files: { "tools/install.ps1": "one", "tools/INSTALL.ps1": "two" } });
    expect((await refusal(() => inspect(bytes))).code).toBe("unsafe-package");
  });

  it("when an entry's bytes do not match its CRC-32, then the package is refused as corrupt", async () => {
    const files = { "tools/payload.bin": "x".repeat(1000) };
    const sound = zipSync({ "Crc.nuspec": strToU8(nuspecXml({ id: "Crc", version: "1.0.0" })), ...Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])) }, { level: 0 });
    await expect(inspect(sound)).resolves.toMatchObject({ nuspecPath: "Crc.nuspec" });
    const error = await refusal(() => inspect(withCorruptedData(sound, "tools/payload.bin")));
    expect(error.code).toBe("invalid-package");
    expect(error.message).toMatch(/CRC-32/);
  });

  it("when the nuspec's own bytes do not match its CRC-32, then the package is refused", async () => {
    const sound = zipSync({ "Crc.nuspec": strToU8(nuspecXml({ id: "Crc", version: "1.0.0" })) }, { level: 0 });
    expect((await refusal(() => inspect(withCorruptedData(sound, "Crc.nuspec")))).message).toMatch(/CRC-32/);
  });

  it("when the package is sound, then its root nuspec is returned as text", async () => {
    const bytes = buildNupkg({ id: "Contoso.Tool", version: "2.0.0", tags: ["realmjoin:user"] });
    const inspection = await inspect(bytes);
    expect(inspection.nuspecPath).toBe("Contoso.Tool.nuspec");
    expect(inspection.entryCount).toBe(3);
    expect(parseNuspec(inspection.nuspecXml)).toMatchObject({ id: "Contoso.Tool", version: "2.0.0", installContext: "user" });
  });

  it("when the nuspec starts with a UTF-8 byte-order mark, then the mark is dropped", async () => {
    const xml = nuspecXml({ id: "Bom", version: "1.0.0" });
    const bytes = zipSync({ "Bom.nuspec": new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8(xml)]) });
    expect((await inspect(bytes)).nuspecXml).toBe(xml);
  });

  it("when a nuspec sits in a subfolder besides the root one, then only the root one counts", async () => {
    const bytes = buildNupkg({ id: "A", version: "1.0.0", files: { "content/other.nuspec": "<x/>" } });
    expect((await inspect(bytes)).nuspecPath).toBe("A.nuspec");
  });

  it("when the nuspec is not UTF-8, then the package is refused", async () => {
    const bytes = zipSync({ "A.nuspec": new Uint8Array([0x3c, 0xff, 0xfe, 0x3e]) });
    const error = await refusal(() => inspect(bytes));
    expect(error.code).toBe("invalid-package");
    expect(error.message).toMatch(/not UTF-8/);
  });

  it("when an archive has exactly 10,000 entries, then it is accepted", async () => {
    const files: Record<string, Uint8Array> = { "A.nuspec": strToU8(nuspecXml({ id: "A", version: "1.0.0" })) };
    for (let i = 1; i < 10_000; i++) files[`c/${i}`] = strToU8("x");
    expect((await inspect(zipSync(files, { level: 0 }))).entryCount).toBe(10_000);
  });

  it("when a large entry compresses under the ratio, then it is accepted", async () => {
    const data = new Uint8Array(2 * MIB);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 27; // poorly compressible
    const bytes = buildNupkg({ id: "A", version: "1.0.0", files: { "tools/setup.exe": data } });
    expect((await inspect(bytes)).declaredUncompressedBytes).toBeGreaterThan(2 * MIB);
  });

  for (const bad of maliciousNupkgs()) {
    it(`when the package is "${bad.name}", then it is refused with ${bad.code}`, async () => {
      const error = await refusal(async () => parseNuspec((await inspect(bad.bytes)).nuspecXml));
      expect(error.status).toBe(400);
      expect(error.code).toBe(bad.code);
      expect(error.message).toMatch(bad.message);
    });
  }
});

describe("entry checks", () => {
  it.each(["a.txt", "tools/x.ps1", "lib/net48/a.dll", "[Content_Types].xml", "a..b/c", "./x", "dir/"])("when the name is %j, then it passes", (name) => {
    expect(() => checkEntryName(name)).not.toThrow();
  });

  it.each([
    ["../x", /"\.\."/],
    ["a/../../x", /"\.\."/],
    ["a/..", /"\.\."/],
    ["/etc/passwd", /absolute/],
    ["c:/x", /absolute/],
    ["Z:x", /absolute/],
    ["a\\b", /backslash/],
    ["..\\x", /backslash/],
    ["a\0b", /NUL/],
    ["", /empty name/],
  ])("when the name is %j, then it is refused as unsafe", (name, message) => {
    let caught: unknown;
    try {
      checkEntryName(name);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe("unsafe-package");
    expect((caught as AppError).message).toMatch(message);
  });

  it("when an entry is at most 1 MiB, then any ratio passes", () => {
    expect(() => checkEntrySizes("a", 1, MIB, NUPKG_LIMITS)).not.toThrow();
  });

  it("when an entry over 1 MiB expands more than 100x, then it is refused, and at exactly 100x it passes", () => {
    expect(() => checkEntrySizes("a", 20_000, 2_000_001, NUPKG_LIMITS)).toThrow(/zip bomb/);
    expect(() => checkEntrySizes("a", 20_000, 2_000_000, NUPKG_LIMITS)).not.toThrow();
    expect(() => checkEntrySizes("a", 0, 2 * MIB, NUPKG_LIMITS)).toThrow(/zip bomb/);
  });

  it("when the total is over 20x the package and over 16 MiB, then it is refused", () => {
    expect(() => checkTotalSize(20 * MIB + 1, MIB, NUPKG_LIMITS)).toThrow(/over 20x/);
    expect(() => checkTotalSize(20 * MIB, MIB, NUPKG_LIMITS)).not.toThrow();
    expect(() => checkTotalSize(16 * MIB, 1000, NUPKG_LIMITS)).not.toThrow();
  });

  it("when the total is over 8 GiB, then it is refused whatever the package size", () => {
    expect(() => checkTotalSize(8 * 1024 * MIB + 1, 4 * 1024 * MIB, NUPKG_LIMITS)).toThrow(/maximum is 8589934592/);
  });

  it("when a name ends in .nuspec at the root in any case, then it is the root nuspec", () => {
    expect(isRootNuspec("A.NuSpec")).toBe(true);
    expect(isRootNuspec("content/A.nuspec")).toBe(false);
    expect(isRootNuspec("A.nuspec.txt")).toBe(false);
  });
});
