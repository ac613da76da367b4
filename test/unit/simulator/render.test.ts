import { describe, expect, it } from "vitest";
import { summarise } from "../../../lib/simulator/fleet.js";
import { FleetStats, type ProgressSnapshot } from "../../../lib/simulator/fleet-stats.js";
import { renderProgress, renderSummary, table } from "../../../lib/simulator/render.js";
import type { InitialRunResult } from "../../../lib/simulator/simulated-device.js";

const snapshot: ProgressSnapshot = {
  total: 10,
  started: 8,
  enrolled: 7,
  inStep: { check: 2, install: 1, "future-kind": 1 },
  succeeded: 3,
  failed: 1,
  other: 1,
  requests: 420,
  errors: 3,
};

describe("renderProgress", () => {
  it("when given counts, then it renders two deterministic lines: the bar with totals, and the step kinds in run order", () => {
    expect(renderProgress(snapshot, 12_345, 10)).toEqual([
      "[#####-----] 5/10 done | ok 3 failed 1 other 1 | req 420 err 3 | 12.3s",
      "enrolled 7 | check 2 bitlocker 0 install 1 restart 0 confirm-user 0 second-identity 0 future-kind 1",
    ]);
  });

  it("when nothing has started, then the bar is empty; when all are done, then it is full", () => {
    const empty = { ...snapshot, inStep: {}, succeeded: 0, failed: 0, other: 0 };
    expect(renderProgress(empty, 0, 4)[0].startsWith("[----] 0/10 done")).toBe(true);
    expect(renderProgress({ ...empty, succeeded: 10 }, 0, 4)[0].startsWith("[####] 10/10 done")).toBe(true);
  });
});

function result(status: InitialRunResult["status"], asExpected: boolean, reason?: string): InitialRunResult {
  return { deviceId: `d-${status}`, status, asExpected, expectation: { status: "succeeded" }, steps: [], ...(reason === undefined ? {} : { reason }) };
}

describe("summarise and renderSummary", () => {
  const stats = new FleetStats(5);
  for (const ms of [100, 200, 300, 400]) stats.onStepLatency("check", ms);
  stats.onStepLatency("install", 2500);
  stats.onRequest({ label: "GET /config", outcome: 200, ms: 5 });
  stats.onRequest({ label: "GET /config", outcome: 304, ms: 5 });
  stats.onRequest({ label: "POST /state", outcome: 429, ms: 5 });
  stats.onRequest({ label: "POST /state", outcome: 429, ms: 5 });
  stats.onRequest({ label: "POST /state", outcome: "network", ms: 5 });
  const results = [
    result("succeeded", true),
    result("succeeded", true),
    result("failed", true, "bitlocker-escrow"),
    result("failed", false, "check-failed"),
    result("silent", true, "silent at restart"),
  ];
  const summary = summarise({ baseUrl: "http://localhost:7071", devices: 5 }, "11111111-1111-4111-8111-111111111111", 65_000, stats, results, [
    { packageId: "7zip", status: 403, installed: [], problem: "forbidden" },
  ]);

  it("when results are summarised, then counts, reasons, percentiles and errors by status come out", () => {
    expect(summary.byStatus).toEqual({ succeeded: 2, failed: 2, silent: 1, timeout: 0, error: 0 });
    expect(summary.asExpected).toBe(4);
    expect(summary.ok).toBe(false);
    expect(summary.stepLatency).toEqual({ check: { count: 4, p50Ms: 200, p95Ms: 400 }, install: { count: 1, p50Ms: 2500, p95Ms: 2500 } });
    expect(summary.requests).toBe(5);
    expect(summary.errorsByStatus).toEqual({ "429": 2, network: 1 });
    expect(summary.failureReasons).toEqual({
      "failed: bitlocker-escrow": 1,
      "failed: check-failed": 1,
      "silent: silent at restart": 1,
      "install link 7zip: 403 forbidden": 1,
    });
  });

  it("when rendered, then the table text is deterministic", () => {
    expect(renderSummary(summary)).toBe(
      [
        "Agent simulator: 5 device(s), realm 11111111-1111-4111-8111-111111111111, 1m05s",
        "",
        "final status  devices",
        "succeeded           2",
        "failed              2",
        "silent              1",
        "as expected: 4/5",
        "",
        "reason                            devices",
        "failed: bitlocker-escrow                1",
        "failed: check-failed                    1",
        "install link 7zip: 403 forbidden        1",
        "silent: silent at restart               1",
        "",
        "step     count    p50    p95",
        "check        4  200ms  400ms",
        "install      1   2.5s   2.5s",
        "",
        "requests: 5; errors: 429 x2, network x1",
        "result: NOT OK (1 device(s) not as expected)",
      ].join("\n"),
    );
  });

  it("when every device ends as expected and links answer 200, then the summary is ok", () => {
    const ok = summarise({ baseUrl: "u", devices: 2 }, "t", 1, new FleetStats(2), [result("succeeded", true), result("failed", true, "bitlocker-escrow")], []);
    expect(ok.ok).toBe(true);
    expect(renderSummary(ok).endsWith("result: OK")).toBe(true);
  });
});

describe("table", () => {
  it("when cells differ in width, then the first column is left-aligned and the others right-aligned", () => {
    expect(table(["a", "bb"], [["xyz", "1"], ["q", "123"]])).toEqual(["a     bb", "xyz    1", "q    123"]);
  });
});
