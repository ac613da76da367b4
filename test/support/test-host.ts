import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import type { GraphAccess } from "../../lib/app/compose.js";
import { localHostSettings } from "../../lib/localhost/local-settings.js";
import { startLocalHost, type RunningLocalHost } from "../../lib/localhost/local-host.js";
import { silentLogger } from "../../lib/telemetry/logger.js";
import type { Telemetry } from "../../lib/telemetry/telemetry.js";

export interface TestHostOptions {
  /** Storage connection string; the shared Azurite by default. */
  storage?: string;
  env?: Record<string, string>;
  dataDir?: string;
  fast?: boolean;
  /** Where the host sends custom events (a RecordingTelemetry in telemetry tests). */
  telemetry?: Telemetry;
  /** Seed the demo packages (off by default: tests start from an empty catalogue). */
  seedPackages?: boolean;
  /** Where Graph realms' directory calls go (a local fake Graph in tests). */
  graphAccess?: GraphAccess;
}

/** A unique table prefix so that hosts sharing one Azurite never see each other's rows. */
export function uniquePrefix(): string {
  return "t" + randomBytes(6).toString("hex");
}

/** Starts the real local host in this process on a free port, against Azurite. */
export async function startTestHost(options: TestHostOptions = {}): Promise<RunningLocalHost> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "rj-host-"));
  const settings = localHostSettings({
    env: {
      AzureWebJobsStorage: options.storage ?? inject("storageConnectionString"),
      RJ_TABLE_PREFIX: uniquePrefix(),
      ...options.env,
    },
    dataDir,
    fast: options.fast ?? true,
    // Tests share one Azurite (not the embedded one) and mint their tokens with the dev identity provider.
    devIdentity: options.env?.["RJ_DEV_IDENTITY_PROVIDER"] !== "false",
  });
  return await startLocalHost({
    settings,
    port: 0,
    log: silentLogger,
    seedPackages: options.seedPackages ?? false,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    ...(options.graphAccess ? { graphAccess: options.graphAccess } : {}),
  });
}
