import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { localHostSettings } from "../../../lib/localhost/local-settings.js";
import { startLocalHost, type RunningLocalHost } from "../../../lib/localhost/local-host.js";
import { silentLogger } from "../../../lib/telemetry/logger.js";
import { uniquePrefix } from "../../support/test-host.js";

/** What a reliability test may change about the local host. */
export interface ReliabilityHostOptions {
  /** Storage connection string; the shared Azurite by default. */
  storage?: string;
  env?: Record<string, string>;
  idleTimeoutMs?: number;
}

/** Like startTestHost, plus the knobs the reliability suite turns (idle timeout); timers never fire during a test. */
export async function startReliabilityHost(options: ReliabilityHostOptions = {}): Promise<RunningLocalHost> {
  const settings = localHostSettings({
    env: {
      AzureWebJobsStorage: options.storage ?? inject("storageConnectionString"),
      RJ_TABLE_PREFIX: uniquePrefix(),
      // Once a year, so no background pass writes to storage while a test compares snapshots.
      RJ_RECONCILE_SCHEDULE: "0 0 0 1 1 *",
      ...options.env,
    },
    dataDir: mkdtempSync(join(tmpdir(), "rj-rel-")),
    fast: true,
    devIdentity: options.env?.["RJ_DEV_IDENTITY_PROVIDER"] !== "false",
  });
  return await startLocalHost({
    settings,
    port: 0,
    log: silentLogger,
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
  });
}
