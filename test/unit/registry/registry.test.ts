import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { registry } from "../../../lib/registry/index.js";

const functionsDir = new URL("../../../functions/", import.meta.url);
const functionFiles = readdirSync(functionsDir).filter((f) => f.endsWith(".ts"));
const sources = functionFiles.map((f) => readFileSync(new URL(f, functionsDir), "utf8"));

describe("the function registry", () => {
  it("when functions are registered with Azure, then every name is unique and valid for the Functions host", () => {
    const names = [...registry.http, ...registry.timers, ...registry.orchestrators, ...registry.activities].map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_-]{0,127}$/);
  });

  it("when two HTTP entries share a route, then they share no method", () => {
    const seen = new Map<string, string>();
    for (const entry of registry.http) {
      for (const method of entry.methods) {
        const key = `${method} ${entry.route.toLowerCase().replace(/\{[^}]+\}/g, "{}")}`;
        expect(seen.get(key), `${entry.name} collides with ${seen.get(key) ?? ""}`).toBeUndefined();
        seen.set(key, entry.name);
      }
    }
  });

  it("when an HTTP area has entries, then a functions/ file registers that area", () => {
    const areas = new Set(registry.http.map((e) => e.area));
    for (const area of areas) expect(sources.some((s) => s.includes(`registerHttpArea("${area}")`)), area).toBe(true);
  });

  it("when timers, orchestrators or activities exist, then functions/ registers them", () => {
    expect(sources.some((s) => s.includes("registerTimers()"))).toBe(true);
    expect(sources.some((s) => s.includes("registerDurable()"))).toBe(true);
  });

  it("when functions/ files are read, then they hold no logic beyond registration", () => {
    for (const source of sources) {
      const code = source.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("import "));
      expect(code.length).toBeLessThanOrEqual(2);
    }
  });

  it("when the catch-all answers, then it is the only lowest-precedence route", () => {
    const catchAll = registry.http.filter((e) => e.route.includes("{*"));
    expect(catchAll.map((e) => e.name)).toEqual(["notFound"]);
  });
});
