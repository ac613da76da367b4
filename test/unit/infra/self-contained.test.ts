import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const scanned = ["lib", "functions", "test", "infra"];
const skipped = new Set(["node_modules", "dist", ".data", ".git"]);
const code = /\.(ts|js|mjs|json|bicep)$/;
// Built from parts so this file does not match itself.
const outside = new RegExp(["\\.\\./", "shared", "|", "/work", "/shared"].join(""));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (skipped.has(e.name)) return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? files(path) : code.test(e.name) ? [path] : [];
  });
}

describe("the repository is self-contained", () => {
  it("when any source, test, script or infra file is scanned, then none refers to a sibling shared folder", () => {
    const all = [...scanned.flatMap((d) => files(join(root, d))), join(root, "package.json")];
    const offenders = all.filter((f) => outside.test(readFileSync(f, "utf8"))).map((f) => relative(root, f));
    expect(all.length).toBeGreaterThan(100);
    expect(offenders).toEqual([]);
  });
});
