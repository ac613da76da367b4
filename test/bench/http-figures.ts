import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import { asDevice, assertionFor, asUser, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { buildNupkg, type NupkgSpec } from "../support/nupkg-builder.js";
import { enrollDevices, type BenchHost } from "./bench-host.js";
import type { BenchOptions } from "./bench-options.js";
import { round, type Figure } from "./figure.js";
import { loadHost, loadPlain } from "./http-measure.js";
import { recordAnswer } from "./plain-server.js";
import { startRawStorageServerProcess, type RawStorageServer } from "./raw-storage-server.js";
import { ratioFigure, signedEndpointFigures } from "./signed-endpoint.js";

const CHAINS = 10;
const CHAIN_LENGTH = 5;

/** 50 packages in 10 dependency chains of 5 (each level depends on the one below, by version range). */
export function benchPackageSpecs(): NupkgSpec[] {
  const specs: NupkgSpec[] = [];
  for (let c = 0; c < CHAINS; c++) {
    for (let level = 0; level < CHAIN_LENGTH; level++) {
      const id = `Bench.C${c}.L${level}`;
      specs.push({ id, version: `1.${level}.0`, ...(level === 0 ? {} : { dependencies: [{ id: `Bench.C${c}.L${level - 1}`, version: `[1.${level - 1}.0,2.0)` }] }) });
    }
  }
  return specs;
}

/** Publishes the 50 packages as real .nupkg uploads and assigns every one to all devices as required; returns seconds taken. */
export async function publishBenchPackages(bench: BenchHost): Promise<number> {
  const started = Date.now();
  const admin = await userToken(bench.host, CONTOSO_TENANT_ID, { admin: true });
  for (const spec of benchPackageSpecs()) {
    const res = await fetch(`${bench.origin}/api/admin/v1/packages`, {
      method: "PUT",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
      body: buildNupkg(spec),
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`publishing ${spec.id} answered ${res.status}`);
    const assigned = await asUser(bench.host, admin, `/api/admin/v1/assignments/bench-${spec.id.toLowerCase().replace(/\./g, "-")}`, {
      method: "PUT",
      body: { packageId: spec.id, target: { type: "all" }, intent: "required" },
    });
    await assigned.arrayBuffer();
    if (assigned.status !== 201 && assigned.status !== 200) throw new Error(`assigning ${spec.id} answered ${assigned.status}`);
  }
  return (Date.now() - started) / 1000;
}

function firstOf(devices: readonly HostDevice[]): HostDevice {
  const first = devices[0];
  if (first === undefined) throw new RangeError("no devices");
  return first;
}

function report(sequence: number): string {
  const installed = Array.from({ length: 10 }, (_, i) => ({ id: `Bench.C${i}.L4`, version: "1.4.0", status: "installed" }));
  return JSON.stringify(stateReport(sequence, { installed }));
}

/** Figures 1-3: config polls and fetches, the 50-package manifest, state reports; each against a plain server of the same run. */
export async function httpFigures(bench: BenchHost, options: BenchOptions): Promise<Figure[]> {
  const devices = await enrollDevices(bench.host, CONTOSO_TENANT_ID, options.devices);
  const storage = bench.host.azurite?.connectionString;
  const raw: RawStorageServer | undefined =
    storage === undefined ? undefined : await startRawStorageServerProcess({ connectionString: storage, tablePrefix: "rawbench", deviceIds: devices.map((d) => d.deviceId) });
  try {
    return await measured(bench, options, devices, raw);
  } finally {
    await raw?.close();
  }
}

async function measured(bench: BenchHost, options: BenchOptions, devices: HostDevice[], raw: RawStorageServer | undefined): Promise<Figure[]> {
  bench.resetSignings();
  const figures = await signedEndpointFigures(bench, options, { id: "config", label: "Config", path: "/api/agent/v1/config", devices }, raw);

  const publishSeconds = await publishBenchPackages(bench);
  bench.resetSignings();
  const jws = await (await asDevice(bench.host, firstOf(devices), "/api/agent/v1/packages")).text();
  const payload = JSON.parse(Buffer.from(jws.split(".")[1] ?? "", "base64url").toString("utf8")) as { packages?: Array<{ id?: unknown }> };
  const listed = new Set((payload.packages ?? []).map((p) => p.id));
  const missing = benchPackageSpecs().filter((s) => !listed.has(s.id));
  if (missing.length > 0) throw new Error(`the manifest lacks ${missing.length} of the ${CHAINS * CHAIN_LENGTH} bench packages`);
  const manifestFigures = await signedEndpointFigures(bench, options, { id: "manifest", label: `Manifest (${listed.size} pkgs)`, path: "/api/agent/v1/packages", devices }, raw);
  for (const f of manifestFigures) f.details = { ...f.details, packagesPublishedSeconds: round(publishSeconds, 2) };
  figures.push(...manifestFigures);

  const reporters = await enrollDevices(bench.host, CONTOSO_TENANT_ID, options.reportingDevices);
  const load = {
    path: "/api/agent/v1/state",
    method: "POST" as const,
    devices: reporters,
    // Request i comes from reporters[i % n]; its sequence grows with i, so every device's sequence increases.
    bodyFor: (index: number) => report(Math.floor(index / reporters.length) + 1),
    expect: [202],
  };
  const host = await loadHost(bench, options, load);
  const sample = await recordAnswer(`${bench.origin}/api/agent/v1/state`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-rj-device-assertion": await assertionFor(bench.host, firstOf(reporters)) },
    body: report(1),
  });
  const plain = await loadPlain(bench, options, load, sample);
  figures.push(ratioFigure("state.reports", `State reports (${reporters.length} devices)`, host.result, plain, { devices: reporters.length }));
  return figures;
}
