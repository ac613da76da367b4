import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TELEMETRY_EVENTS } from "../../../lib/telemetry/events.js";
import { readInfraFile, stripBicepComments } from "./bicep-reader.js";
import { kqlReferences } from "./kql-references.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const queriesDir = new URL("../../../infra/workbook/queries/", import.meta.url);

interface WorkbookItem {
  type: number;
  name?: string;
  content: { version?: string; query?: string };
}
interface Workbook {
  version: string;
  items: WorkbookItem[];
  fallbackResourceIds: string[];
}

const queryFiles = readdirSync(queriesDir)
  .filter((file) => file.endsWith(".kql"))
  .sort()
  .map((file) => ({ name: file.slice(0, -".kql".length), text: readFileSync(new URL(file, queriesDir), "utf8") }));
const workbook = JSON.parse(readInfraFile(root, "workbook/admin-workbook.json")) as Workbook;
const queryItems = workbook.items.filter((item) => item.type === 3);
const catalogue: Record<string, readonly string[]> = TELEMETRY_EVENTS;

describe("admins' workbook queries", () => {
  it("when the workbook has a query, then it is the text of the .kql file of the same name, and every file is used", () => {
    expect(queryFiles.length).toBeGreaterThanOrEqual(6);
    expect(queryItems.map((item) => item.name).sort()).toEqual(queryFiles.map((f) => f.name));
    for (const file of queryFiles) {
      const item = queryItems.find((i) => i.name === file.name);
      expect(item?.content.query, `copy infra/workbook/queries/${file.name}.kql into workbook item "${file.name}"`).toBe(file.text);
    }
  });

  it.each(queryFiles)("when $name names events, then each is in the telemetry catalogue", ({ text }) => {
    const { events } = kqlReferences(text);
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((event) => !(event in catalogue))).toEqual([]);
  });

  it.each(queryFiles)("when $name reads dimensions, then each belongs to an event the query names", ({ text }) => {
    const { events, dimensions } = kqlReferences(text);
    const allowed = new Set(events.flatMap((event) => catalogue[event] ?? []));
    expect(dimensions.length).toBeGreaterThan(0);
    expect(dimensions.filter((dimension) => !allowed.has(dimension))).toEqual([]);
  });

  it("when the panels are listed, then runs, failures, escrow, freshness, install failures and reconciliation are covered", () => {
    const named = new Map(queryFiles.map((f) => [f.name, kqlReferences(f.text).events]));
    expect(named.get("onboarding-runs-by-status")).toEqual(["OnboardingTransition"]);
    expect(named.get("onboarding-failures-by-reason")).toEqual(["OnboardingTransition"]);
    expect(named.get("escrow-outcomes")).toEqual(["EscrowOutcome"]);
    expect(named.get("state-report-freshness")).toEqual(["StateReported"]);
    expect(named.get("package-install-failures")).toEqual(["PackageInstallReported"]);
    expect(named.get("reconcile-passes")).toEqual(["ReconcilePass"]);
  });

  it("when the Bicep deploys the workbook, then it loads this JSON and fills in the component id placeholder", () => {
    const module = stripBicepComments(readInfraFile(root, "modules/workbook.bicep"));
    expect(module).toContain("loadTextContent('../workbook/admin-workbook.json')");
    const placeholder = /replace\(template, '([^']+)', applicationInsightsId\)/.exec(module)?.[1];
    expect(placeholder).toBeDefined();
    expect(workbook.fallbackResourceIds).toEqual([placeholder]);
    expect(workbook.version).toBe("Notebook/1.0");
  });
});

describe("the KQL reference reader", () => {
  it("when a query filters with in() and reads bracketed dimensions, then both are found and comments are ignored", () => {
    const refs = kqlReferences(
      [
        '// name == "Commented"',
        "customEvents",
        '| where name in ("ConfigServed", \'ManifestServed\')',
        '| extend h = tostring(customDimensions["hash"]), n = customDimensions.notModified // customDimensions.ignored',
        "| extend packageName = 'x'",
      ].join("\n"),
    );
    expect(refs).toEqual({ events: ["ConfigServed", "ManifestServed"], dimensions: ["hash", "notModified"] });
  });
});
