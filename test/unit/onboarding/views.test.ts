import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../../lib/onboarding/run-store.js";
import { agentView, rolloutView } from "../../../lib/onboarding/views.js";

const base = (deviceId: string, over: Partial<RunRecord>): RunRecord => ({
  realmId: "r",
  deviceId,
  runId: `onb-r-${deviceId}-r1`,
  instanceId: `onb-r-${deviceId}`,
  attempt: 1,
  status: "running",
  phase: "system",
  startedAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-01T00:00:00.000Z",
  ...over,
});

describe("run views", () => {
  it("when a run has ended, then the agent sees no step and the failure", () => {
    const view = agentView(base("d1", { status: "failed", failure: { reason: "bitlocker-escrow", stepId: "bitlocker" }, step: { id: "bitlocker", kind: "bitlocker", publication: 1 } }));
    expect(view).toEqual({ runId: "onb-r-d1-r1", status: "failed", phase: "system", step: null, failure: { reason: "bitlocker-escrow", stepId: "bitlocker" } });
  });

  it("when runs are counted, then they group by status, running ones by current step, failed ones by reason", () => {
    const view = rolloutView([
      base("a", { step: { id: "check-updates", kind: "check", publication: 1 } }),
      base("b", { step: { id: "check-updates", kind: "check", publication: 2 } }),
      base("c", {}),
      base("d", { status: "succeeded" }),
      base("e", { status: "failed", failure: { reason: "check-failed", stepId: "check-firewall" } }),
      base("f", { status: "failed", failure: { reason: "check-failed", stepId: "check-antivirus" } }),
      base("g", { status: "failed", failure: { reason: "step-timeout", stepId: "restart" } }),
    ]);
    expect(view.total).toBe(7);
    expect(view.byStatus).toEqual({ running: 3, succeeded: 1, failed: 3 });
    expect(view.byStep).toEqual({ "check-updates": 2, starting: 1 });
    expect(view.failures.byReason).toEqual({ "check-failed": 2, "step-timeout": 1 });
    expect(view.failures.devices.map((d) => [d.deviceId, d.stepId])).toEqual([["e", "check-firewall"], ["f", "check-antivirus"], ["g", "restart"]]);
  });
});
