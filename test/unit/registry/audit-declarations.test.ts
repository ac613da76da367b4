import { describe, expect, it } from "vitest";
import { describeEndpoint } from "../../../lib/http/endpoint.js";
import { registry } from "../../../lib/registry/index.js";

const writes = registry.http.filter((e) => (e.area === "admin" || e.area === "operator") && e.methods.some((m) => m !== "GET" && m !== "HEAD"));

describe("audit declarations", () => {
  it("when a route writes in the admin or operator area, then its endpoint declares an audit entry", () => {
    expect(writes.length).toBeGreaterThan(20);
    const missing = writes.filter((e) => describeEndpoint(e.handler)?.audited !== true).map((e) => e.name);
    expect(missing).toEqual([]);
  });

  it("when a route reads a secret (recovery keys), then it is audited too", () => {
    const recovery = registry.http.find((e) => e.name === "adminDeviceRecoveryKeys");
    expect(recovery && describeEndpoint(recovery.handler)?.audited).toBe(true);
  });

  it("when the Functions host picks the first function by name whose template and method match, then no admin or operator route is shadowed", () => {
    const entries = registry.http.filter((e) => !e.route.includes("{*"));
    const sorted = [...entries].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0));
    const segments = (route: string) => route.toLowerCase().split("/");
    const covers = (template: string, concrete: string) => {
      const t = segments(template);
      const c = segments(concrete);
      return t.length === c.length && t.every((s, i) => s.startsWith("{") || s === c[i]);
    };
    // A concrete path for each route: its parameters replaced by a literal no other template names.
    const sample = (route: string) => route.replace(/\{[^}]+\}/g, "x0");
    for (const [index, entry] of sorted.entries()) {
      for (const earlier of sorted.slice(0, index)) {
        const shared = earlier.methods.filter((m) => entry.methods.includes(m));
        if (shared.length > 0) expect(covers(earlier.route, sample(entry.route)), `${entry.name} shadowed by ${earlier.name}`).toBe(false);
      }
    }
  });
});
