import { describe, expect, it } from "vitest";
import { resolveDependencies, SELECTION_RULE } from "../../../lib/packages/dependency-resolver.js";
import { parseRange } from "../../../lib/packages/nuget-range.js";
import { parseVersion } from "../../../lib/packages/nuget-version.js";
import type { CatalogueLookup, Resolution, RootRequest } from "../../../lib/packages/resolver-types.js";

/** { Id: { "1.0.0": { DepId: "range" } } } -> a case-insensitive catalogue lookup that counts calls. */
function catalogue(spec: Record<string, Record<string, Record<string, string>>>): CatalogueLookup & { calls: string[] } {
  const byKey = new Map(Object.entries(spec).map(([id, versions]) => [id.toLowerCase(), versions]));
  const calls: string[] = [];
  const lookup = (id: string) => {
    calls.push(id);
    return Object.entries(byKey.get(id.toLowerCase()) ?? {}).map(([version, deps]) => ({
      version: parseVersion(version),
      dependencies: Object.entries(deps).map(([depId, range]) => ({ id: depId, range: parseRange(range) })),
    }));
  };
  return Object.assign(lookup, { calls });
}

const root = (id: string, range?: string, extra: Partial<RootRequest> = {}): RootRequest => ({
  id,
  ...(range === undefined ? {} : { range: parseRange(range) }),
  ...extra,
});

const picked = (r: Resolution): string[] => r.ordered.map((p) => `${p.id}@${p.version.toNormalizedString()}`);
const failed = (r: Resolution): string[] => r.undeliverable.map((u) => `${u.id}:${u.reason}`);

describe("resolveDependencies", () => {
  it("when two dependencies share a dependency (diamond), then it takes the lowest version satisfying both and installs it first", () => {
    const lookup = catalogue({
      App: { "1.0.0": {}, "2.0.0": { Left: "1.0", Right: "1.0" } },
      Left: { "1.0.0": { Base: "[1.0, )" }, "1.1.0": { Base: "[1.0, )" } },
      Right: { "1.0.0": { Base: "[1.2, )" } },
      Base: { "1.0.0": {}, "1.2.0": {}, "1.5.0": {}, "2.0.0": {} },
    });
    const r = resolveDependencies([root("App")], lookup);
    expect(picked(r)).toEqual(["Base@1.2.0", "Left@1.0.0", "Right@1.0.0", "App@2.0.0"]);
    expect(r.undeliverable).toEqual([]);
    const base = r.ordered[0];
    expect(base?.requiredBy).toEqual(["Left", "Right"]);
    expect(base?.path).toEqual(["App", "Left", "Base"]);
    expect(base?.root).toBe(false);
    expect(r.ordered[3]?.root).toBe(true);
    expect(r.selectionRule).toBe(SELECTION_RULE);
  });

  it("when ranges reaching a package conflict, then it and everything depending on it up to the root are unsatisfiable", () => {
    const lookup = catalogue({
      App: { "1.0.0": { Left: "1.0", Right: "1.0" } },
      Left: { "1.0.0": { Base: "[1.0, 1.1]" } },
      Right: { "1.0.0": { Base: "[2.0, )" } },
      Base: { "1.0.0": {}, "2.0.0": {} },
      Other: { "3.0.0": {} },
    });
    const r = resolveDependencies([root("App"), root("Other")], lookup);
    expect(failed(r)).toEqual(["App:unsatisfiable", "Base:unsatisfiable", "Left:unsatisfiable", "Right:unsatisfiable"]);
    expect(picked(r)).toEqual(["Other@3.0.0"]);
    const base = r.undeliverable.find((u) => u.id === "Base");
    expect(base?.detail).toContain("[1.0.0, 1.1.0] (Left 1.0.0)");
    expect(base?.detail).toContain("[2.0.0, ) (Right 1.0.0)");
    expect(base?.path).toEqual(["App", "Left", "Base"]);
    expect(r.undeliverable.find((u) => u.id === "App")?.detail).toContain('"Base" has no version');
  });

  it("when the root's own range matches nothing, then the root is unsatisfiable", () => {
    const r = resolveDependencies([root("App", "[5.0, )")], catalogue({ App: { "1.0.0": {} } }));
    expect(failed(r)).toEqual(["App:unsatisfiable"]);
    expect(r.ordered).toEqual([]);
  });

  it("when dependencies form a cycle, then the cycle members and their dependents are undeliverable with the cycle named", () => {
    const lookup = catalogue({
      App: { "1.0.0": { B: "1.0", Free: "1.0" } },
      B: { "1.0.0": { C: "1.0" } },
      C: { "1.0.0": { B: "1.0" } },
      Free: { "1.0.0": {} },
    });
    const r = resolveDependencies([root("App")], lookup);
    expect(failed(r)).toEqual(["App:cycle", "B:cycle", "C:cycle"]);
    expect(r.undeliverable.find((u) => u.id === "B")?.detail).toBe("Dependency cycle: B -> C -> B");
    expect(r.undeliverable.find((u) => u.id === "C")?.version?.toNormalizedString()).toBe("1.0.0");
    expect(r.ordered).toEqual([]);
  });

  it("when a package depends on itself, then it is a cycle", () => {
    const r = resolveDependencies([root("Self")], catalogue({ Self: { "1.0.0": { self: "1.0" } } }));
    expect(failed(r)).toEqual(["Self:cycle"]);
    expect(r.undeliverable[0]?.detail).toBe("Dependency cycle: Self -> Self");
  });

  it("when a dependency is missing from the catalogue, then its dependents are undeliverable and a sibling needed only by them is not installed", () => {
    const lookup = catalogue({ App: { "1.0.0": { Ghost: "1.0", Sibling: "1.0" } }, Sibling: { "1.0.0": {} }, Solo: { "1.0.0": {} } });
    const r = resolveDependencies([root("App"), root("Solo")], lookup);
    expect(failed(r)).toEqual(["App:missing", "Ghost:missing"]);
    expect(r.undeliverable.find((u) => u.id === "Ghost")?.detail).toBe('No package "Ghost" in the catalogue');
    expect(r.undeliverable.find((u) => u.id === "Ghost")?.path).toEqual(["App", "Ghost"]);
    expect(picked(r)).toEqual(["Solo@1.0.0"]);
  });

  it("when versions have four parts, then they are ordered and printed as NuGet does", () => {
    const lookup = catalogue({
      App: { "1.0.0.0": { Lib: "[1.0.0.2, )" }, "1.0.0.1": { Lib: "[1.0.0.2, )" } },
      Lib: { "1.0.0.1": {}, "1.0.0.2": {}, "1.0.0.10": {} },
    });
    expect(picked(resolveDependencies([root("App")], lookup))).toEqual(["Lib@1.0.0.2", "App@1.0.0.1"]);
  });

  it("when no range names a prerelease, then prerelease versions are passed over for roots and dependencies", () => {
    const lookup = catalogue({ App: { "1.0.0": { Lib: "1.0" }, "2.0.0-beta": {} }, Lib: { "1.5.0-beta": {}, "2.0.0": {} } });
    expect(picked(resolveDependencies([root("App", "1.0")], lookup))).toEqual(["Lib@2.0.0", "App@1.0.0"]);
  });

  it("when a range has a prerelease bound or the request includes prerelease, then prerelease versions are candidates", () => {
    const lookup = catalogue({
      App: { "1.0.0": { Lib: "[1.5.0-alpha, )" }, "2.0.0-beta": { Lib: "[1.5.0-alpha, )" } },
      Lib: { "1.5.0-beta": {}, "2.0.0": {} },
    });
    expect(picked(resolveDependencies([root("App", "[2.0.0-alpha, )")], lookup))).toEqual(["Lib@1.5.0-beta", "App@2.0.0-beta"]);
    expect(picked(resolveDependencies([root("App", undefined, { includePrerelease: true })], lookup))).toEqual([
      "Lib@1.5.0-beta",
      "App@2.0.0-beta",
    ]);
    expect(picked(resolveDependencies([root("App")], lookup))).toEqual(["Lib@1.5.0-beta", "App@1.0.0"]);
  });

  it("when a dependency is also a root, then it takes the highest version instead of the lowest", () => {
    const lookup = catalogue({ App: { "1.0.0": { Lib: "1.0" } }, Lib: { "1.0.0": {}, "1.1.0": {}, "3.0.0": {} } });
    expect(picked(resolveDependencies([root("App")], lookup))).toEqual(["Lib@1.0.0", "App@1.0.0"]);
    expect(picked(resolveDependencies([root("App"), root("lib", "[1.0, 2.0)")], lookup))).toEqual(["lib@1.1.0", "App@1.0.0"]);
  });

  it("when a root asks for lowest, then it takes the lowest allowed version", () => {
    const lookup = catalogue({ App: { "1.0.0": {}, "2.0.0": {} } });
    expect(picked(resolveDependencies([root("App", "1.0", { preferred: "lowest" })], lookup))).toEqual(["App@1.0.0"]);
  });

  it("when a root range floats, then the newest version inside the float wins over newer ones outside it", () => {
    const lookup = catalogue({ App: { "1.0.0": {}, "1.4.0": {}, "2.0.0": {} } });
    expect(picked(resolveDependencies([root("App", "1.*")], lookup))).toEqual(["App@1.4.0"]);
  });

  it("when ids differ only in case, then they are one package under the first spelling seen", () => {
    const lookup = catalogue({ App: { "1.0.0": { LIB: "1.0", Other: "1.0" } }, Other: { "1.0.0": { lib: "[1.1, )" } }, Lib: { "1.0.0": {}, "1.1.0": {} } });
    const r = resolveDependencies([root("app")], lookup);
    expect(picked(r)).toEqual(["LIB@1.1.0", "Other@1.0.0", "app@1.0.0"]);
    expect(r.ordered[0]?.requiredBy).toEqual(["app", "Other"]);
    expect(lookup.calls.filter((c) => c.toLowerCase() === "lib")).toHaveLength(1);
  });

  it("when a later-found constraint raises a version, then the dependencies of the version first tried are dropped", () => {
    const lookup = catalogue({
      App: { "1.0.0": { B: "1.0", C: "1.0" } },
      B: { "1.0.0": { Old: "1.0" }, "2.0.0": { New: "1.0" } },
      C: { "1.0.0": { D: "1.0" } },
      D: { "1.0.0": { B: "[2.0, )" } },
      Old: { "1.0.0": {} },
      New: { "1.0.0": {} },
    });
    const r = resolveDependencies([root("App")], lookup);
    expect(picked(r)).toEqual(["New@1.0.0", "B@2.0.0", "D@1.0.0", "C@1.0.0", "App@1.0.0"]);
    expect(r.undeliverable).toEqual([]);
  });

  it("when lowest-applicable selection has no stable answer, then the roots are reported too-large instead of looping", () => {
    const lookup = catalogue({
      App: { "1.0.0": { B: "1.0", C: "1.0" } },
      B: { "1.0.0": { C: "[2.0, )" }, "2.0.0": { C: "[1.0]" } },
      C: { "1.0.0": {}, "2.0.0": { B: "[2.0, )" } },
    });
    const r = resolveDependencies([root("App")], lookup, { maxRounds: 20 });
    expect(r.ordered).toEqual([]);
    expect(r.undeliverable).toEqual([{ id: "App", reason: "too-large", detail: "Version selection did not settle within 20 rounds", path: ["App"] }]);
  });

  it("when the closure reaches more packages than the cap, then every root is too-large", () => {
    const spec: Record<string, Record<string, Record<string, string>>> = {};
    for (let i = 0; i < 30; i++) spec[`P${i}`] = { "1.0.0": { [`P${i + 1}`]: "1.0" } };
    const r = resolveDependencies([root("P0"), root("Q")], catalogue(spec), { maxPackages: 10 });
    expect(failed(r)).toEqual(["P0:too-large", "Q:too-large"]);
    expect(r.undeliverable[0]?.detail).toBe("The dependency closure reaches more than 10 packages");
  });

  it("when a dependency chain is thousands deep, then it resolves in order without exhausting the stack", () => {
    const spec: Record<string, Record<string, Record<string, string>>> = {};
    const depth = 3000;
    for (let i = 0; i < depth; i++) spec[`P${i}`] = { "1.0.0": i + 1 < depth ? { [`P${i + 1}`]: "1.0" } : {} };
    const r = resolveDependencies([root("P0")], catalogue(spec));
    expect(r.ordered).toHaveLength(depth);
    expect(r.ordered[0]?.id).toBe(`P${depth - 1}`);
    expect(r.ordered[depth - 1]?.path).toEqual(["P0"]);
  });

  it("when results are serialised, then versions appear as normalized strings", () => {
    const r = resolveDependencies([root("App")], catalogue({ App: { "1.0.0.0": {} } }));
    expect(JSON.parse(JSON.stringify(r.ordered[0]))).toMatchObject({ id: "App", version: "1.0.0" });
  });
});
