import { describe, expect, it } from "vitest";
import { activityHandler, httpHandler, orchestratorHandler, timerHandler } from "../../../lib/azure-host/handlers.js";
import { manifestOf } from "../../../lib/azure-host/function-manifest.js";
import { registry } from "../../../lib/registry/index.js";

describe("the lazily loaded handlers behind the manifest", () => {
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
