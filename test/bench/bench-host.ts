import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalHost, type RunningLocalHost } from "../../lib/localhost/local-host.js";
import { localHostSettings } from "../../lib/localhost/local-settings.js";
import { silentLogger } from "../../lib/telemetry/logger.js";
import { asDevice, assertionFor, newDevice, userToken, type HostDevice } from "../support/host-identities.js";
import { countSignings, type SigningCounts } from "./signing-counter.js";

/** The real local host running in this process for the HTTP benches. */
export interface BenchHost {
  host: RunningLocalHost;
  /** http://127.0.0.1:<port> (the host listens on loopback only). */
  origin: string;
  dataDir: string;
  signings(): SigningCounts;
  resetSignings(): void;
  stop(): Promise<void>;
}

/** Starts the local host in-process with its own embedded Azurite in a fresh temporary data folder (normal time scale). */
export async function startBenchHost(): Promise<BenchHost> {
  const dataDir = mkdtempSync(join(tmpdir(), "rj-bench-"));
  // The per-device budget (120/min) would turn a one-device load into 429s; the limiter still runs on every request.
  const settings = localHostSettings({ env: { RJ_DEVICE_RATE_PER_MINUTE: String(1_000_000_000) }, dataDir, fast: false });
  const host = await startLocalHost({ settings, port: 0, log: silentLogger });
  const counter = countSignings(host.services.keyRing, host.services.documents);
  return {
    host,
    origin: `http://127.0.0.1:${host.port}`,
    dataDir,
    signings: counter.counts,
    resetSignings: counter.reset,
    async stop() {
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates and enrolls `count` devices of the realm (a demo user as primary user); throws when an enrollment is refused. */
export async function enrollDevices(host: RunningLocalHost, tenantId: string, count: number): Promise<HostDevice[]> {
  const token = await userToken(host, tenantId);
  const devices: HostDevice[] = [];
  for (let i = 0; i < count; i++) {
    const device = await newDevice(host, tenantId);
    const res = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`enrollment answered ${res.status}`);
    devices.push(device);
  }
  return devices;
}

/** `count` fresh single-use assertions, request i signed by devices[i % devices.length]; also how long signing them took. */
export async function assertionPool(host: RunningLocalHost, devices: readonly HostDevice[], count: number): Promise<{ values: string[]; perSecond: number }> {
  const values: string[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const device = devices[i % devices.length];
    if (device === undefined) throw new RangeError("no devices");
    values.push(await assertionFor(host, device));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { values, perSecond: count / Math.max(seconds, 1e-9) };
}
