import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeDurableApi, type FakeDurableApi } from "../../support/fake-durable-api.js";

// The real durable-functions client against a local server answering the Durable Functions HTTP API,
// including 409 Conflict when the instance already exists and is running (the extension's default overridable states).

let api: FakeDurableApi;
beforeAll(async () => {
  api = await startFakeDurableApi();
});
afterAll(async () => {
  await api.close();
});

describe("the Durable client in Azure", () => {
  it("when an instance is started, then it is started, and a second start of the same running instance is 'exists'", async () => {
    expect(await api.client().startNew("onboarding", "run-1", { deviceId: "d1" })).toBe("started");
    expect(await api.client().startNew("onboarding", "run-1", { deviceId: "d1" })).toBe("exists");
  });

  it("when another caller starts the instance between the status look and the start (the API answers 409), then it is 'exists', not an error", async () => {
    expect(await api.client().startNew("onboarding", "run-2", {})).toBe("started");
    api.lateStatus.add("run-2");
    expect(await api.client().startNew("onboarding", "run-2", {})).toBe("exists");
  });

  it("when finished instances are purged by creation window, then exactly the finished ones created in [from, to) go and the count is returned", async () => {
    const at = (iso: string) => new Date(iso);
    api.instances.set("w-before", { name: "initialRun", runtimeStatus: "Completed", input: null, createdTime: at("2026-01-01T00:59:59Z") });
    api.instances.set("w-in", { name: "initialRun", runtimeStatus: "Failed", input: null, createdTime: at("2026-01-01T01:00:00Z") });
    api.instances.set("w-running", { name: "initialRun", runtimeStatus: "Running", input: null, createdTime: at("2026-01-01T01:30:00Z") });
    api.instances.set("w-end", { name: "initialRun", runtimeStatus: "Completed", input: null, createdTime: at("2026-01-01T02:00:00Z") });

    expect(await api.client().purgeFinishedBetween(at("2026-01-01T01:00:00Z"), at("2026-01-01T02:00:00Z"))).toBe(1);
    expect([...api.instances.keys()].filter((k) => k.startsWith("w-")).sort()).toEqual(["w-before", "w-end", "w-running"]);
    expect(await api.client().purgeFinishedBetween(at("2025-01-01T00:00:00Z"), at("2025-02-01T00:00:00Z"))).toBe(0);
  });
});
