import { InvocationContext } from "../../lib/registry/azure-functions.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { onboardingStores } from "../../lib/onboarding/stores.js";
import { asDevice, asUser, newDevice, userToken, type HostDevice } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;

// Step timeout 60 s / 60 (fast) = 1 s; the reconciler calls a run stuck after twice that without progress.
beforeAll(async () => {
  host = await startTestHost({ fast: true, env: { RJ_RECONCILE_SCHEDULE: "0 0 0 30 2 *", RJ_STEP_TIMEOUT_SECONDS: "60", RJ_STEP_RETRIES: "1" } });
});
afterAll(async () => {
  await host.stop();
});

const client = () => host.services.orchestrations(new InvocationContext({ functionName: "test" }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function enrolledWithRun(): Promise<{ device: HostDevice; instanceId: string }> {
  const device = await newDevice(host, CONTOSO_TENANT_ID);
  expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, CONTOSO_TENANT_ID) })).status).toBe(201);
  const runs = onboardingStores(host.services.tables).runs;
  for (let i = 0; i < 100 && (await runs.get(CONTOSO_TENANT_ID, device.deviceId))?.step === undefined; i++) await sleep(50);
  const run = await runs.get(CONTOSO_TENANT_ID, device.deviceId);
  expect(run?.step).toBeDefined();
  return { device, instanceId: run?.instanceId ?? "" };
}

async function reconcile(): Promise<Record<string, number>> {
  const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  const res = await asUser(host, admin, "/api/admin/v1/reconcile", { method: "POST" });
  expect(res.status).toBe(200);
  return ((await res.json()) as { counts: Record<string, number> }).counts;
}

describe("stuck initial runs", () => {
  it("when a run's orchestration is lost, then a pass re-drives it, and once re-driven past the budget it fails with step-timeout", async () => {
    const { device, instanceId } = await enrolledWithRun();
    await client().terminate(instanceId, "simulated loss of the orchestration");
    await sleep(2_200);

    expect((await reconcile())["stuckRuns"]).toBe(1);
    expect((await client().getStatus(instanceId))?.runtimeStatus).toMatch(/Running|Pending/);

    await client().terminate(instanceId, "lost again");
    await sleep(2_200);
    expect((await reconcile())["failedRuns"]).toBe(1);
    const run = await onboardingStores(host.services.tables).runs.get(CONTOSO_TENANT_ID, device.deviceId);
    expect(run).toMatchObject({ status: "failed", failure: { reason: "step-timeout" } });
    const agent = (await (await asDevice(host, device, "/api/agent/v1/onboarding")).json()) as { status: string };
    expect(agent.status).toBe("failed");
  });

  it("when a run progresses normally, then a pass leaves it alone", async () => {
    await enrolledWithRun();
    expect((await reconcile())["stuckRuns"] ?? 0).toBe(0);
  });
});
