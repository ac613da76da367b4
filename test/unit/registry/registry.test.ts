import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { devRoutes } from "../../../lib/api/dev-routes.js";
import { compareFunctionNames } from "../../../lib/http/router.js";
import { assertHostRoutable, hostRefusals, hostRouteTemplate, shadowedRoutes, type HostFunction } from "../../../lib/registry/host-rules.js";
import { httpFunctionsWith, registry } from "../../../lib/registry/index.js";
import { NOT_FOUND_FUNCTION } from "../../../lib/registry/not-found.js";
import type { HttpFunctionEntry } from "../../../lib/registry/types.js";

const asHost = (entries: readonly HttpFunctionEntry[]): HostFunction[] => entries.map((e) => ({ name: e.name, route: hostRouteTemplate(e), methods: e.methods }));
const otherFunctions = (): HostFunction[] => [...registry.timers, ...registry.orchestrators, ...registry.activities].map((e) => ({ name: e.name }));

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

  it("when the catch-all answers, then it is the only catch-all and sorts after every other function", () => {
    const catchAll = registry.http.filter((e) => e.route.includes("{*"));
    expect(catchAll.map((e) => e.name)).toEqual([NOT_FOUND_FUNCTION]);
    const names = [...asHost(registry.http), ...otherFunctions()].map((f) => f.name).sort(compareFunctionNames);
    expect(names.at(-1)).toBe(NOT_FOUND_FUNCTION);
  });

  it("when the host's rules are applied to the registry (and to the local host's dev routes), then nothing is refused or shadowed", () => {
    expect(hostRefusals([...asHost(registry.http), ...otherFunctions()])).toEqual([]);
    expect(shadowedRoutes(asHost(registry.http))).toEqual([]);
    expect(() => assertHostRoutable([...asHost(httpFunctionsWith(devRoutes)), ...otherFunctions()])).not.toThrow();
  });

  it("when the next route someone adds breaks a host rule, then the check names it", () => {
    const add = (extra: HostFunction): string[] => {
      const functions = [...asHost(registry.http), ...otherFunctions(), extra];
      return [...hostRefusals(functions), ...shadowedRoutes(functions)];
    };
    // Sorts after the catch-all, so Azure would answer 404 for it.
    expect(add({ name: "z_report", route: "api/agent/v1/report", methods: ["GET"] }).join("\n")).toMatch(/"z_report".*shadowed by "z_notFound"/);
    // A template the host reserves, checked before any prefix.
    expect(add({ name: "adminThing", route: "admin/v1/thing", methods: ["GET"] }).join("\n")).toMatch(/"adminThing".*built-in routes/);
    // Sorts before a more specific route with the same method and takes its requests.
    expect(add({ name: "adminAny", route: "api/admin/v1/{area}", methods: ["GET"] }).join("\n")).toMatch(/shadowed by "adminAny"/);
    expect(add({ name: "health", route: "api/x", methods: ["GET"] }).join("\n")).toMatch(/"health": the name is already taken/);
    expect(add({ name: "1bad", route: "api/x", methods: ["GET"] }).join("\n")).toMatch(/"1bad": the name must match/);
    expect(add({ name: "a".repeat(128), route: "api/y", methods: ["GET"] }).join("\n")).toMatch(/at most 127 characters/);
  });
});
