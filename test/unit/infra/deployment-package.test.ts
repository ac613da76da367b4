import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { readInfraFile, stripBicepComments } from "./bicep-reader.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), "utf8"));

/** The `key: value` mappings of a small block-style YAML file, keyed by dotted path (no lists, no flow style). */
function yamlScalars(text: string): Map<string, string> {
  const scalars = new Map<string, string>();
  const path: { indent: number; key: string }[] = [];
  for (const line of text.split("\n")) {
    if (/^\s*(#|$)/.test(line)) continue;
    const m = /^( *)([A-Za-z0-9_.-]+):\s*(.*?)\s*$/.exec(line);
    if (!m) throw new Error(`unexpected YAML line: ${line}`);
    const indent = m[1]!.length;
    while (path.length > 0 && path[path.length - 1]!.indent >= indent) path.pop();
    path.push({ indent, key: m[2]! });
    if (m[3] !== "") scalars.set(path.map((p) => p.key).join("."), m[3]!);
  }
  return scalars;
}

describe("what Azure runs", () => {
  it("when the host loads extensions, then it uses the Durable-capable bundle from version 4", () => {
    const host = readJson("host.json") as { extensionBundle?: { id?: string; version?: string } };
    expect(host.extensionBundle?.id).toBe("Microsoft.Azure.Functions.ExtensionBundle");
    expect(host.extensionBundle?.version).toMatch(/^\[4(\.[0-9*]+)*,/);
  });

  it("when tsc builds with tsconfig.build.json, then every functions/ file lands where package.json main points", () => {
    const main = (readJson("package.json") as { main?: string }).main;
    expect(main).toBe("dist/functions/*.js");
    const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.build.json"), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    });
    const { outDir, rootDir } = config?.options ?? {};
    if (outDir === undefined || rootDir === undefined) throw new Error("tsconfig.build.json must set outDir and rootDir");
    const functionFiles = (config?.fileNames ?? []).filter((file) => relative(root, file).startsWith("functions/"));
    expect(functionFiles.length).toBeGreaterThan(0);
    const glob = new RegExp(`^${main!.replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`);
    const outputs = functionFiles.map((file) => relative(root, join(outDir, relative(rootDir, file))).replace(/\.ts$/, ".js"));
    expect(outputs.filter((output) => !glob.test(output))).toEqual([]);
  });

  it("when azd deploys, then service api is a js Function App built from the repository root with infra/main.bicep", () => {
    const azure = yamlScalars(readFileSync(join(root, "azure.yaml"), "utf8"));
    expect(azure.get("services.api.host")).toBe("function");
    expect(azure.get("services.api.language")).toBe("js");
    expect(azure.get("services.api.project")).toBe(".");
    expect(azure.get("infra.provider")).toBe("bicep");
    expect(azure.get("infra.path")).toBe("infra");
    expect(azure.get("infra.module")).toBe("main");
    const parameters = readJson("infra/main.parameters.json") as { parameters: Record<string, { value?: unknown }> };
    expect(parameters.parameters["environmentName"]?.value).toBe("${AZURE_ENV_NAME}");
  });

  it("when the Function App is declared, then it runs Node 20 or newer on Flex Consumption, HTTPS only, TLS 1.2, FTP off", () => {
    const app = stripBicepComments(readInfraFile(root, "modules/function-app.bicep"));
    expect(app).toMatch(/tier: 'FlexConsumption'/);
    expect(app).toMatch(/runtime: \{\s*name: 'node'\s*version: nodeVersion\s*\}/);
    const allowedList = /@allowed\(\[([^\]]*)\]\)\s*param nodeVersion string/.exec(app)?.[1] ?? "";
    const versions = [...allowedList.matchAll(/'(\d+)'/g)].map((m) => Number(m[1]));
    expect(versions.length).toBeGreaterThan(0);
    expect(versions.filter((v) => v < 20)).toEqual([]);
    expect(app).toMatch(/httpsOnly: true/);
    expect(app).toMatch(/minTlsVersion: '1\.2'/);
    expect(app).toMatch(/ftpsState: 'Disabled'/);
    expect(app).toMatch(/type: 'UserAssignedIdentity'/);
    const storage = stripBicepComments(readInfraFile(root, "modules/storage.bicep"));
    expect(storage).toMatch(/allowSharedKeyAccess: false/);
    expect(storage).toMatch(/allowBlobPublicAccess: false/);
    expect(storage).toMatch(/minimumTlsVersion: 'TLS1_2'/);
    expect(storage).toMatch(/supportsHttpsTrafficOnly: true/);
  });

  it("when the deployment finishes, then it outputs the function URL and the JWKS URL", () => {
    const main = stripBicepComments(readInfraFile(root, "main.bicep"));
    expect(main).toMatch(/^output FUNCTION_URL string = functionApp\.outputs\.url$/m);
    expect(main).toMatch(/^output JWKS_URL string = '\$\{functionApp\.outputs\.url\}\/api\/agent\/v1\/keys'$/m);
  });
});
