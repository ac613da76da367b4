import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import { startAzurite, type RunningAzurite } from "../../lib/localhost/azurite-process.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { runFleet } from "../../lib/simulator/fleet.js";
import { startReliabilityHost } from "./support/reliability-host.js";

let azurite: RunningAzurite | undefined;
let host: RunningLocalHost | undefined;

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

describe("a fleet through a storage outage", () => {
  it("when Azurite stops while devices report, then they back off on 503 and every report reaches storage once it is back", async () => {
    const location = mkdtempSync(join(tmpdir(), "rj-fleet-outage-"));
    azurite = await startAzurite({ location });
    host = await startReliabilityHost({ storage: azurite.connectionString });
    const running = host;

    let statuses503 = 0;
    const counting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.status === 503) statuses503++;
      return res;
    };
    const fleet = runFleet({
      baseUrl: running.url,
      dataDir: running.services.settings.RJ_DATA_DIR,
      realm: "contoso",
      devices: 4,
      durationMs: 16_000,
      reportIntervalSeconds: 1,
      timing: { pollMs: 100 },
      retry: { maxAttempts: 30, baseDelayMs: 200, maxDelayMs: 1_000, maxRetryAfterMs: 2_000 },
      fetch: counting,
    });

    // Let the initial runs finish and reporting start, then take storage away for a few seconds.
    await new Promise((r) => setTimeout(r, 7_000));
    const ports = azurite.ports;
    await azurite.stop();
    await new Promise((r) => setTimeout(r, 3_000));
    azurite = await startAzurite({ location, ports });
    const storageBack = new Date().toISOString();

    const summary = await fleet;
    expect(summary.byStatus.succeeded).toBe(4);
    expect(statuses503).toBeGreaterThan(0);

    for (const result of summary.results) {
      const device = await running.services.devices.get(CONTOSO_TENANT_ID, result.deviceId);
      const reports = await running.services.devices.listReports(CONTOSO_TENANT_ID, result.deviceId);
      const kept = reports.map((r) => r.sequence);
      // Newest first and without a gap: no report the back-end acknowledged was lost in the outage.
      expect(kept[0]).toBe(device?.lastSequence);
      expect(kept).toEqual(kept.map((_, i) => (kept[0] ?? 0) - i));
      // Reporting went on once storage was back (judged by order of events, not by how many fit in a window).
      expect(reports[0]?.receivedAt ?? "").toBeTruthy();
      expect((reports[0]?.receivedAt ?? "") > storageBack).toBe(true);
    }
  }, 90_000);
});
