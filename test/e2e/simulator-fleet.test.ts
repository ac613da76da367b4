import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { runFleet } from "../../lib/simulator/fleet.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;

beforeAll(async () => {
  host = await startTestHost({ fast: true, seedPackages: true, env: { RJ_RECONCILE_SCHEDULE: "0 0 0 30 2 *" } });
});
afterAll(async () => {
  await host.stop();
});

describe("the agent simulator against the local host", () => {
  it("when a Contoso fleet runs, with two devices failing an enforced check and one installing via a link, then every device ends as scripted", async () => {
    const summary = await runFleet({
      baseUrl: host.url,
      dataDir: host.services.settings.RJ_DATA_DIR,
      realm: "contoso",
      devices: 6,
      concurrency: 6,
      script: (i) => (i < 2 ? { failChecks: ["firewall"] } : i === 2 ? { installLinks: ["Notepad-Plus"] } : {}),
      timing: { pollMs: 100 },
    });
    expect(summary.byStatus).toMatchObject({ succeeded: 4, failed: 2 });
    expect(summary.asExpected).toBe(6);
    expect(summary.failureReasons).toEqual({ "failed: check-failed": 2 });
    expect(summary.errorsByStatus).toEqual({});
    expect(Object.keys(summary.stepLatency)).toEqual(expect.arrayContaining(["check", "bitlocker", "install", "restart", "confirm-user"]));
    expect(summary.ok).toBe(true);
  });

  it("when a NoGraph realm's fleet runs, then BitLocker is not required and every run succeeds", async () => {
    const summary = await runFleet({ baseUrl: host.url, dataDir: host.services.settings.RJ_DATA_DIR, realm: "fabrikam", devices: 3, timing: { pollMs: 100 } });
    expect(summary.byStatus).toMatchObject({ succeeded: 3 });
    expect(summary.stepLatency["bitlocker"]).toBeUndefined();
  });
});
