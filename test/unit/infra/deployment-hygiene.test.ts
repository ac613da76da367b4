import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readInfraFile, stripBicepComments } from "./bicep-reader.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");

describe("what a deployment ships and runs", () => {
  it("when the Bicep picks the Node version, then Flex Consumption runs Node 22 and nothing older is allowed", () => {
    const main = stripBicepComments(readInfraFile(root, "main.bicep"));
    expect(main).toMatch(/@allowed\(\[\s*'22'\s*\]\)\s*param nodeVersion string = '22'/);
    expect(stripBicepComments(readInfraFile(root, "modules/function-app.bicep"))).toMatch(/runtime: \{\s*name: 'node'\s*version: nodeVersion/);
  });

  it("when developers work locally, then Node 20 is still accepted", () => {
    expect((JSON.parse(read("package.json")) as { engines?: { node?: string } }).engines?.node).toBe(">=20");
  });

  it("when azd packages the app, then devDependencies are pruned first and sources, tests and maps stay out", () => {
    expect(read("azure.yaml")).toMatch(/prepackage:\s*\n\s*shell: sh\s*\n\s*run: npm prune --omit=dev/);
    const ignored = read(".funcignore").split("\n").map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(["test", "infra", "*.ts", "*.map", "!dist/**"]));
  });
});
