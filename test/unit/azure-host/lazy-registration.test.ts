import { afterAll, describe, expect, it, vi } from "vitest";
import { manifestOf } from "../../../lib/azure-host/function-manifest.js";
import { registry } from "../../../lib/registry/index.js";

// With valid settings (the function code checks them as it loads) the handlers are the registry's own.
vi.stubEnv("AzureWebJobsStorage", "UseDevelopmentStorage=true");
const { activityHandler, httpHandler, orchestratorHandler, timerHandler } = await import("../../../lib/azure-host/handlers.js");

describe("the lazily loaded handlers behind the manifest", () => {
  afterAll(() => vi.unstubAllEnvs());
  it("when a function of the manifest is first called, then its handler is found by name (durable ones wrapped as durable-functions does)", () => {
    const manifest = manifestOf(registry);
    for (const entry of manifest.http) expect(httpHandler(entry.name), entry.name).toBe(registry.http.find((e) => e.name === entry.name)?.handler);
    for (const entry of manifest.timers) expect(typeof timerHandler(entry.name), entry.name).toBe("function");
    for (const name of manifest.orchestrators) expect(orchestratorHandler(name), name).toBe(orchestratorHandler(name));
    for (const name of manifest.activities) expect(typeof activityHandler(name), name).toBe("function");
    expect(manifest.orchestrators.length + manifest.activities.length).toBeGreaterThan(0);
  });

  it("when a name is missing from the registry (a stale manifest), then the call fails saying to rebuild", () => {
    expect(() => httpHandler("noSuchFunction")).toThrow(/rebuild/);
  });
});
