import { describe, expect, it } from "vitest";
import { normalizeDependencyRange, windowsDependencyGroup, windowsFrameworkRank } from "../../../lib/packages/catalogue-dependencies.js";
import { recordFromLegacy, recordFromUpload, sameContent } from "../../../lib/packages/catalogue-publish-input.js";
import type { PublishInput } from "../../../lib/packages/catalogue-record.js";
import { contentLocation } from "../../../lib/packages/catalogue-record.js";
import { parseRange } from "../../../lib/packages/nuget-range.js";
import { thrownBy as failure } from "../../support/app-error.js";

const sha = "ab".repeat(32);
const upload = (extra: Partial<PublishInput["metadata"]> = {}): PublishInput => ({
  metadata: { id: "Contoso.App", version: "1.2.0.0", title: " App ", description: "d", authors: "Alice, Bob", tags: "a b", dependencyGroups: [], installContext: "user", ...extra },
  sha256: sha,
  size: 5_000_000_000,
  blobName: `sha256/${sha}`,
});

describe("dependency group rule", () => {
  const g = (tfm: string | undefined, id: string) => ({ ...(tfm === undefined ? {} : { targetFramework: tfm }), dependencies: [{ id, range: "(, )" }] });

  it("when a group has no target framework, then it is used even if framework groups exist", () => {
    expect(windowsDependencyGroup([g("net48", "A"), g(undefined, "B")])?.dependencies[0]?.id).toBe("B");
  });

  it("when only framework groups exist, then netX.Y-windows beats net4x, and higher versions win", () => {
    expect(windowsDependencyGroup([g("net45", "A"), g("net6.0-windows", "B"), g("net8.0-windows10.0.19041.0", "C"), g("netstandard2.0", "D")])?.dependencies[0]?.id).toBe("C");
    expect(windowsDependencyGroup([g(".NETFramework4.5", "A"), g("net472", "B"), g("net6.0", "C")])?.dependencies[0]?.id).toBe("B");
  });

  it("when no group suits Windows agents, then there are no dependencies", () => {
    expect(windowsDependencyGroup([g("netstandard2.0", "A"), g("net8.0", "B"), g("net6.0-android", "C")])).toBeUndefined();
  });

  it("when framework names are spelt in long or short forms, then they rank by version", () => {
    expect(windowsFrameworkRank(".NETFramework,Version=v4.7.2")).toEqual([1, 4, 7, 2]);
    expect(windowsFrameworkRank("net4.8")).toEqual([1, 4, 8, 0]);
    expect(windowsFrameworkRank("net40-client")).toEqual([1, 4, 0, 0]);
    expect(windowsFrameworkRank("net7.0-windows")).toEqual([2, 7, 0]);
    expect(windowsFrameworkRank("netcoreapp3.1")).toBeUndefined();
  });
});

describe("catalogue records", () => {
  it("when an upload is recorded, then the version is normalized, lists split and the large size kept", () => {
    const r = recordFromUpload("realm", upload(), "2026-01-01T00:00:00.000Z");
    expect(r).toMatchObject({ id: "Contoso.App", version: "1.2.0", title: "App", authors: ["Alice", "Bob"], tags: ["a", "b"], size: 5_000_000_000, installContext: "user", sha256: sha });
    expect(r.legacyHash).toBeUndefined();
  });

  it("when dependency ranges are strings, parsed ranges or absent, then they are stored in normalized interval form", () => {
    expect(normalizeDependencyRange({ id: "A", range: "1.0" })).toBe("[1.0.0, )");
    expect(normalizeDependencyRange({ id: "A", range: parseRange("[1.0,2.0)") })).toBe("[1.0.0, 2.0.0)");
    expect(normalizeDependencyRange({ id: "A" })).toBe("(, )");
    expect(failure(() => normalizeDependencyRange({ id: "A", range: "[2,1]" })).code).toBe("invalid-version-range");
  });

  it("when an upload has a bad hash or id, then it is refused with 400", () => {
    expect(failure(() => recordFromUpload("realm", { ...upload(), sha256: "XYZ" }, "t")).status).toBe(400);
    expect(failure(() => recordFromUpload("realm", upload({ id: "-bad" }), "t")).status).toBe(400);
  });

  it("when legacy metadata is imported, then the record has sha1, legacyHash, the url and no blob", () => {
    const r = recordFromLegacy("realm", { id: "Old", version: "1.0", sha1: "A".repeat(40), size: 10, url: "https://cdn.example.test/old.nupkg", installContext: "system", dependencies: [{ id: "Dep", range: "1.0" }] }, "t");
    expect(r).toMatchObject({ version: "1.0.0", sha1: "a".repeat(40), legacyHash: true, url: "https://cdn.example.test/old.nupkg" });
    expect(r.sha256).toBeUndefined();
    expect(r.dependencyGroups).toEqual([{ dependencies: [{ id: "Dep", range: "[1.0.0, )" }] }]);
    expect(contentLocation(r)).toEqual({ kind: "external", url: "https://cdn.example.test/old.nupkg" });
  });

  it.each([
    ["an unknown field", { extra: true }],
    ["a short sha1", { sha1: "abc" }],
    ["an http url", { url: "http://cdn.example.test/x" }],
    ["a negative size", { size: -1 }],
  ])("when legacy metadata has %s, then it is refused", (_n, patch) => {
    const body = { id: "Old", version: "1.0", sha1: "a".repeat(40), size: 10, installContext: "system", ...patch };
    expect(failure(() => recordFromLegacy("realm", body, "t")).code).toBe("invalid-legacy-package");
  });

  it("when two records are compared, then sha256 decides, and for legacy records sha1 and size", () => {
    const a = recordFromUpload("realm", upload(), "t");
    expect(sameContent(a, { ...a, publishedAt: "later" })).toBe(true);
    expect(sameContent(a, { ...a, sha256: "cd".repeat(32) })).toBe(false);
    const l = recordFromLegacy("realm", { id: "Old", version: "1.0", sha1: "a".repeat(40), size: 10, installContext: "system" }, "t");
    expect(sameContent(l, { ...l })).toBe(true);
    expect(sameContent(l, { ...l, size: 11 })).toBe(false);
    expect(sameContent(l, a)).toBe(false);
  });
});
