import { describe, expect, it } from "vitest";
import { buildManifest } from "../../../lib/packages/manifest-builder.js";
import type { ManifestBody, ManifestPackage } from "../../../lib/packages/manifest-types.js";
import { all, assign, audience, device, group, input, legacy, REALM, rec, sha256Of, user } from "./manifest-fixtures.js";

const picked = (m: ManifestBody): string[] => m.packages.map((p) => ("version" in p ? `${p.id}@${p.version}:${p.intent}` : `${p.id}:${p.intent}`));
const failed = (m: ManifestBody): string[] => m.undeliverable.map((u) => `${u.id}:${u.reason}`);
const entry = (m: ManifestBody, id: string): ManifestPackage | undefined =>
  m.packages.find((p): p is ManifestPackage => p.id === id && "version" in p);

const diamond = [
  rec("App", "1.0.0"),
  rec("App", "2.0.0", { Left: "1.0", Right: "1.0" }),
  rec("Left", "1.0.0", { Base: "[1.0, )" }),
  rec("Right", "1.0.0", { Base: "[1.2, )" }),
  rec("Base", "1.0.0"),
  rec("Base", "1.2.0"),
  rec("Base", "2.0.0"),
];

describe("buildManifest", () => {
  it("when a required package has diamond dependencies, then each package appears once, dependencies first, with intent dependency", () => {
    const m = buildManifest(input([assign("a1", "App", "required")], diamond));
    expect(picked(m)).toEqual(["Base@1.2.0:dependency", "Left@1.0.0:dependency", "Right@1.0.0:dependency", "App@2.0.0:required"]);
    expect(m.undeliverable).toEqual([]);
    expect(m.realm).toBe(REALM);
    expect(m.deviceId).toBe("dev-1");
  });

  it("when an entry is delivered, then it carries hash, size, context, declared dependencies and the back-end's own content route for both URLs", () => {
    const m = buildManifest(input([assign("a1", "App", "required")], diamond));
    expect(entry(m, "App")).toEqual({
      id: "App",
      version: "2.0.0",
      sha256: sha256Of("App", "2.0.0"),
      size: 1000,
      installContext: "system",
      intent: "required",
      dependencies: [
        { id: "Left", range: "[1.0.0, )" },
        { id: "Right", range: "[1.0.0, )" },
      ],
      downloadUrl: "https://rj.example.test/api/content/App/2.0.0",
      contentInfoUrl: "https://rj.example.test/api/content/App/2.0.0",
    });
  });

  it("when the same inputs come in another order, then the manifest is identical (it is signed once per hash)", () => {
    const assignments = [assign("a1", "App", "required"), assign("a2", "Other", "available")];
    const catalogue = [...diamond, rec("Other", "1.0.0")];
    const a = buildManifest(input(assignments, catalogue));
    const b = buildManifest(input([...assignments].reverse(), [...catalogue].reverse()));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it("when a dependency is itself assigned, then it keeps its own intent and is listed once", () => {
    const m = buildManifest(input([assign("a1", "App", "required"), assign("a2", "Base", "available", all, "[1.0, 1.5)")], diamond));
    expect(picked(m)).toEqual(["Base@1.2.0:available", "Left@1.0.0:dependency", "Right@1.0.0:dependency", "App@2.0.0:required"]);
  });

  it("when dependency ranges conflict, then the affected packages are reported undeliverable and the rest is still delivered", () => {
    const catalogue = [
      rec("App", "1.0.0", { Left: "1.0", Right: "1.0" }),
      rec("Left", "1.0.0", { Base: "[1.0, 1.1]" }),
      rec("Right", "1.0.0", { Base: "[2.0, )" }),
      rec("Base", "1.0.0"),
      rec("Base", "2.0.0"),
      rec("Other", "3.0.0"),
    ];
    const m = buildManifest(input([assign("a1", "App", "required"), assign("a2", "Other", "required")], catalogue));
    expect(picked(m)).toEqual(["Other@3.0.0:required"]);
    expect(failed(m)).toEqual(["App:unsatisfiable", "Base:unsatisfiable", "Left:unsatisfiable", "Right:unsatisfiable"]);
    expect(m.undeliverable.find((u) => u.id === "Base")?.detail).toContain("No version");
  });

  it("when dependencies form a cycle, then the cycle is reported, not thrown", () => {
    const catalogue = [rec("A", "1.0.0", { B: "1.0" }), rec("B", "1.0.0", { A: "1.0" }), rec("C", "1.0.0")];
    const m = buildManifest(input([assign("a1", "A", "required"), assign("a2", "C", "required")], catalogue));
    expect(picked(m)).toEqual(["C@1.0.0:required"]);
    expect(failed(m)).toEqual(["A:cycle", "B:cycle"]);
  });

  it("when an assigned package is not in the catalogue, then it is undeliverable as missing", () => {
    const m = buildManifest(input([assign("a1", "Ghost", "required")], []));
    expect(m.packages).toEqual([]);
    expect(failed(m)).toEqual(["Ghost:missing"]);
  });

  describe("legacy hashes", () => {
    const catalogue = [legacy("Old", "1.0.0"), rec("UsesOld", "1.0.0", { Old: "1.0" }), rec("Fine", "1.0.0")];
    const assignments = [assign("a1", "UsesOld", "required"), assign("a2", "Fine", "required")];

    it("when the policy accepts legacy hashes, then the legacy package is delivered with sha1 and no sha256", () => {
      const m = buildManifest(input(assignments, catalogue, { acceptLegacyHashes: true }));
      const old = entry(m, "Old");
      expect(old?.sha1).toBe("a".repeat(40));
      expect(old && "legacyHash" in old ? old.legacyHash : undefined).toBe(true);
      expect(old && "sha256" in old).toBe(false);
      expect(picked(m)).toEqual(["Fine@1.0.0:required", "Old@1.0.0:dependency", "UsesOld@1.0.0:required"]);
    });

    it("when the policy refuses legacy hashes, then the legacy package and what needs it are undeliverable with legacy-hash-refused", () => {
      const m = buildManifest(input(assignments, catalogue, { acceptLegacyHashes: false }));
      expect(picked(m)).toEqual(["Fine@1.0.0:required"]);
      expect(failed(m)).toEqual(["Old:legacy-hash-refused", "UsesOld:legacy-hash-refused"]);
      expect(m.undeliverable.find((u) => u.id === "UsesOld")?.detail).toContain('Requires "Old"');
    });
  });

  describe("intents", () => {
    const catalogue = [rec("Tool", "1.0.0"), rec("Tool", "2.0.0"), rec("Tool", "3.0.0-beta.1")];

    it("when exclude and required both reach the device, then exclude wins and the package is neither listed nor undeliverable", () => {
      const m = buildManifest(input([assign("req", "Tool", "required", all), assign("exc", "Tool", "exclude", device())], catalogue));
      expect(m.packages).toEqual([]);
      expect(m.undeliverable).toEqual([]);
    });

    it("when a required package depends on an excluded one, then it is undeliverable as excluded-dependency", () => {
      const m = buildManifest(input([assign("a1", "App", "required"), assign("a2", "Lib", "exclude")], [rec("App", "1.0.0", { Lib: "1.0" }), rec("Lib", "1.0.0")]));
      expect(m.packages).toEqual([]);
      expect(failed(m)).toEqual(["App:excluded-dependency"]);
      expect(m.undeliverable[0]?.detail).toBe('Requires "Lib"; "Lib" is excluded for this device');
    });

    it("when uninstall wins, then the package is listed first with intent uninstall and no download", () => {
      const m = buildManifest(
        input([assign("u", "Tool", "uninstall", user(), "[1.0, 2.0)"), assign("r", "Tool", "required"), assign("z", "Zed", "required")], [...catalogue, rec("Zed", "1.0.0")]),
      );
      expect(m.packages[0]).toEqual({ id: "Tool", intent: "uninstall", range: "[1.0, 2.0)", installContext: "system" });
      expect(picked(m)).toEqual(["Tool:uninstall", "Zed@1.0.0:required"]);
    });

    it("when available, update and preview are assigned, then each is listed with its intent; preview may pick a prerelease", () => {
      const m = buildManifest(
        input([assign("a", "Tool", "available"), assign("u", "Up", "update"), assign("p", "Pre", "preview")], [
          ...catalogue,
          rec("Up", "1.0.0"),
          rec("Pre", "1.0.0"),
          rec("Pre", "1.1.0-rc.1"),
        ]),
      );
      expect(picked(m)).toEqual(["Pre@1.1.0-rc.1:preview", "Tool@2.0.0:available", "Up@1.0.0:update"]);
    });

    it("when the winning assignment has a range, then the highest version inside it is chosen", () => {
      const m = buildManifest(input([assign("a", "Tool", "required", all, "[1.0, 2.0)")], catalogue));
      expect(picked(m)).toEqual(["Tool@1.0.0:required"]);
    });
  });

  describe("targets", () => {
    const catalogue = [rec("A", "1.0.0"), rec("B", "1.0.0"), rec("C", "1.0.0"), rec("D", "1.0.0"), rec("E", "1.0.0"), rec("F", "1.0.0")];

    it("when assignments target this device, this user, other ones, and groups, then only those reaching the device or its user apply", () => {
      const m = buildManifest(
        input(
          [
            assign("1", "A", "required", device("DEV-1")),
            assign("2", "B", "required", device("dev-2")),
            assign("3", "C", "required", user("user-1")),
            assign("4", "D", "required", user("user-2")),
            assign("5", "E", "required", group("ug-1")),
            assign("6", "F", "required", group("other-group")),
          ],
          catalogue,
        ),
      );
      expect(picked(m)).toEqual(["A@1.0.0:required", "C@1.0.0:required", "E@1.0.0:required"]);
    });

    it("when no user is signed in, then user and user-group assignments do not apply but device-group ones do", () => {
      const m = buildManifest(
        input([assign("1", "A", "required", user("user-1")), assign("2", "B", "required", group("ug-1")), assign("3", "C", "required", group("dg-1"))], catalogue, {
          audience: { ...audience, userId: undefined, userGroupIds: [] },
        }),
      );
      expect(picked(m)).toEqual(["C@1.0.0:required"]);
    });

    it("when a device group excludes what a user group requires, then exclude wins", () => {
      const m = buildManifest(input([assign("1", "A", "required", group("ug-1")), assign("2", "A", "exclude", group("dg-1"))], catalogue));
      expect(m.packages).toEqual([]);
    });
  });

  it("when a package has framework-specific dependency groups, then the manifest uses the Windows group", () => {
    const app = rec("App", "1.0.0", {}, {
      dependencyGroups: [
        { targetFramework: "netstandard2.0", dependencies: [{ id: "Wrong", range: "[1.0.0, )" }] },
        { targetFramework: "net48", dependencies: [{ id: "Lib", range: "[1.0.0, )" }] },
      ],
    });
    const m = buildManifest(input([assign("a", "App", "required")], [app, rec("Lib", "1.0.0"), rec("Wrong", "1.0.0")]));
    expect(picked(m)).toEqual(["Lib@1.0.0:dependency", "App@1.0.0:required"]);
  });
});
