import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../lib/api/openapi.js";
import { Router } from "../../lib/http/router.js";
import { hostRefusals, shadowedRoutes, type HostFunction } from "../../lib/registry/host-rules.js";
import { registry } from "../../lib/registry/index.js";
import { NOT_FOUND_FUNCTION } from "../../lib/registry/not-found.js";
import { loadEntryPoints, type WorkerFunctionMetadata } from "../support/worker-entry-points.js";

/** Every route of API.md as [method, route as API.md writes it, a concrete request path]. */
const API_MD_ROUTES: [string, string, string][] = [
  ["POST", "/api/agent/v1/enroll", "/api/agent/v1/enroll"],
  ["GET", "/api/agent/v1/config", "/api/agent/v1/config"],
  ["GET", "/api/agent/v1/packages", "/api/agent/v1/packages"],
  ["POST", "/api/agent/v1/packages/{id}/install", "/api/agent/v1/packages/Contoso.Office/install"],
  ["POST", "/api/agent/v1/state", "/api/agent/v1/state"],
  ["GET", "/api/agent/v1/onboarding", "/api/agent/v1/onboarding"],
  ["POST", "/api/agent/v1/onboarding/{runId}/steps/{stepId}", "/api/agent/v1/onboarding/3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8/steps/bitlocker"],
  ["GET", "/api/agent/v1/client/update", "/api/agent/v1/client/update?current=1.2.3"],
  ["GET", "/api/agent/v1/user/password-expiry", "/api/agent/v1/user/password-expiry"],
  ["GET", "/api/agent/v1/user/signatures", "/api/agent/v1/user/signatures"],
  ["GET", "/api/agent/v1/keys", "/api/agent/v1/keys?realm=5b8c4a0e-1f2d-4c3b-9a8e-7d6c5b4a3f2e"],
  ["GET", "/api/content/{packageId}/{version}", "/api/content/Contoso.Office/16.0.1"],
  ["PUT", "/api/admin/v1/packages", "/api/admin/v1/packages"],
  ["GET", "/api/admin/v1/packages", "/api/admin/v1/packages"],
  ["GET", "/api/admin/v1/packages/{id}", "/api/admin/v1/packages/Contoso.Office"],
  ["DELETE", "/api/admin/v1/packages/{id}/{version}", "/api/admin/v1/packages/Contoso.Office/16.0.1"],
  ["PUT", "/api/admin/v1/assignments/{assignmentId}", "/api/admin/v1/assignments/office-all"],
  ["GET", "/api/admin/v1/assignments/{assignmentId}", "/api/admin/v1/assignments/office-all"],
  ["DELETE", "/api/admin/v1/assignments/{assignmentId}", "/api/admin/v1/assignments/office-all"],
  ["PUT", "/api/admin/v1/policies/{scope}", "/api/admin/v1/policies/group:6c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"],
  ["GET", "/api/admin/v1/devices", "/api/admin/v1/devices"],
  ["GET", "/api/admin/v1/devices/{id}", "/api/admin/v1/devices/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"],
  ["PUT", "/api/admin/v1/devices/{id}/primary-user", "/api/admin/v1/devices/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/primary-user"],
  ["GET", "/api/admin/v1/devices/{id}/explain/{packageId}", "/api/admin/v1/devices/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/explain/Contoso.Office"],
  ["POST", "/api/admin/v1/devices/{id}/onboarding/retry", "/api/admin/v1/devices/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/onboarding/retry"],
  ["GET", "/api/admin/v1/onboarding", "/api/admin/v1/onboarding"],
  ["PUT", "/api/admin/v1/releases/{channel}", "/api/admin/v1/releases/stable"],
  ["PUT", "/api/admin/v1/signature-templates/{name}", "/api/admin/v1/signature-templates/default"],
  ["PUT", "/api/admin/v1/branchcache", "/api/admin/v1/branchcache"],
];

/** Paths no function owns: only the catch-all may take them. */
const UNKNOWN_PATHS: [string, string][] = [
  ["GET", "/api"],
  ["GET", "/api/"],
  ["GET", "/api/nothing-here"],
  ["GET", "/api/agent/v1/nothing-here"],
  ["POST", "/api/agent/v1/packages/a/b/install"],
  ["DELETE", "/api/admin/v1/packages/a/1.0.0/extra"],
  ["GET", "/api/operator/v1/realms/x/y/z"],
  ["GET", "/api/dev/idp/discovery/v2.0/keys"],
  ["POST", "/api/dev/entra/bitlocker-keys"],
  ["PATCH", "/api/health"],
];

const normalise = (template: string): string => template.toLowerCase().replace(/\{[^}]*\}/g, "{}");

/** The registry entry API.md's (or OpenAPI's) route and method belong to, found by its template, not by routing. */
function ownerOf(method: string, template: string): string | undefined {
  return registry.http.find((e) => e.methods.includes(method as never) && normalise("/api/" + e.route) === normalise(template))?.name;
}

let functions: WorkerFunctionMetadata[];
let files: string[];
let routePrefix: string;
let router: Router<string>;

function httpTrigger(fn: WorkerFunctionMetadata) {
  return Object.values(fn.bindings).find((b) => b.type === "httpTrigger");
}

/** Functions as the host sees them: the template it validates (before the prefix) and its methods. */
function asHostFunctions(): HostFunction[] {
  return functions.map((fn) => {
    const trigger = httpTrigger(fn);
    return trigger === undefined ? { name: fn.name } : { name: fn.name, route: trigger.route ?? fn.name, methods: trigger.methods ?? [] };
  });
}

function reached(method: string, pathAndQuery: string): string | undefined {
  const result = router.match(method, new URL(pathAndQuery, "http://host").pathname);
  return result.kind === "match" ? result.match.name : undefined;
}

beforeAll(async () => {
  ({ files, functions } = await loadEntryPoints());
  const host = JSON.parse(readFileSync(new URL("../../host.json", import.meta.url), "utf8")) as { extensions: { http: { routePrefix?: string } } };
  routePrefix = host.extensions.http.routePrefix ?? "api";
  router = new Router<string>();
  for (const fn of asHostFunctions()) {
    if (fn.route === undefined) continue;
    const template = [routePrefix, fn.route.replace(/^\/+/, "")].filter((p) => p !== "").join("/");
    router.add(fn.name, template, fn.methods ?? [], fn.name);
  }
}, 120_000);

describe("the built entry points under the Functions host's rules", () => {
  it("when the worker loads every main entry point, then the host receives as many functions as the registry declares", () => {
    expect(files.length).toBeGreaterThan(0);
    const declared = registry.http.length + registry.timers.length + registry.orchestrators.length + registry.activities.length;
    expect(functions.length).toBe(declared);
    expect(new Set(functions.map((f) => f.name))).toEqual(
      new Set([...registry.http, ...registry.timers, ...registry.orchestrators, ...registry.activities].map((e) => e.name)),
    );
  });

  it("when the host validates the functions, then it refuses none and no function takes another's requests", () => {
    expect(hostRefusals(asHostFunctions())).toEqual([]);
    const prefixed = asHostFunctions().map((f) => (f.route === undefined ? f : { ...f, route: [routePrefix, f.route].filter((p) => p !== "").join("/") }));
    expect(shadowedRoutes(prefixed)).toEqual([]);
  });

  it("when every HTTP function is registered, then it is anonymous (the app authenticates) and answers through its return binding", () => {
    for (const fn of functions.filter((f) => httpTrigger(f) !== undefined)) {
      expect(httpTrigger(fn)?.authLevel, fn.name).toBe("anonymous");
      expect(fn.bindings["$return"]?.type, fn.name).toBe("http");
    }
  });

  it("when a request follows a route of API.md, then it reaches that route's own function", () => {
    const misrouted = API_MD_ROUTES.map(([method, template, path]) => ({ request: `${method} ${path}`, expected: ownerOf(method, template), got: reached(method, path) })).filter(
      (r) => r.expected === undefined || r.got !== r.expected,
    );
    expect(misrouted).toEqual([]);
  });

  it("when a request follows a path of the generated OpenAPI document, then it reaches that path's own function", () => {
    const doc = openApiDocument(registry.http, "test") as { paths: Record<string, Record<string, unknown>> };
    const checked: string[] = [];
    const misrouted: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      const sample = path.replace(/\{[^}]+\}/g, (m) => `sample-${m.slice(1, -1)}`);
      for (const method of Object.keys(operations).map((m) => m.toUpperCase())) {
        const expected = ownerOf(method, path);
        const got = reached(method, sample);
        checked.push(`${method} ${path}`);
        if (expected === undefined || got !== expected) misrouted.push(`${method} ${sample}: expected ${expected ?? "(no owner)"}, reached ${got ?? "nothing"}`);
      }
    }
    expect(misrouted).toEqual([]);
    expect(checked).toEqual(expect.arrayContaining(["GET /api/openapi.json", "GET /api/health", "PUT /api/operator/v1/realms/{tenantId}"]));
  });

  it("when a path belongs to no function, then only the catch-all takes it", () => {
    for (const [method, path] of UNKNOWN_PATHS) expect(reached(method, path), `${method} ${path}`).toBe(NOT_FOUND_FUNCTION);
  });

  it("when durable functions are registered without loading durable-functions, then their bindings are the ones it would declare", () => {
    const byName = new Map(functions.map((f) => [f.name, Object.values(f.bindings).map((b) => b.type)]));
    for (const o of registry.orchestrators) expect(byName.get(o.name), o.name).toContain("orchestrationTrigger");
    for (const a of registry.activities) expect(byName.get(a.name), a.name).toContain("activityTrigger");
    for (const e of [...registry.http, ...registry.timers].filter((x) => x.durableClient === true)) expect(byName.get(e.name), e.name).toContain("durableClient");
    for (const t of registry.timers) expect(byName.get(t.name), t.name).toContain("timerTrigger");
  });

  it("when the dev routes exist on the local host, then none is registered with the Functions host", () => {
    expect(functions.filter((f) => /^dev/i.test(f.name) || (httpTrigger(f)?.route ?? "").toLowerCase().startsWith("api/dev/"))).toEqual([]);
    const doc = openApiDocument(registry.http, "test") as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/api/dev/"))).toEqual([]);
  });
});
