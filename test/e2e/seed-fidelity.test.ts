import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, asUser, newDevice, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;
let admin: string;

beforeAll(async () => {
  host = await startTestHost();
  admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
});
afterAll(async () => {
  await host.stop();
});

async function enrolled(): Promise<HostDevice> {
  const device = await newDevice(host, CONTOSO_TENANT_ID);
  expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, CONTOSO_TENANT_ID) })).status).toBe(201);
  return device;
}

async function verified(res: Response): Promise<Record<string, unknown>> {
  expect(res.status).toBe(200);
  const jwks = (await (await fetch(`${host.url}/api/agent/v1/keys?realm=${CONTOSO_TENANT_ID}`)).json()) as JSONWebKeySet;
  const { payload } = await compactVerify(await res.text(), createLocalJWKSet(jwks));
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
}

describe("legacy SHA-1 packages", () => {
  it("when a package was imported with only a SHA-1, then the manifest carries sha1 and legacyHash, and a policy refusing legacy hashes withholds it", async () => {
    const imported = await asUser(host, admin, "/api/admin/v1/packages/legacy", {
      method: "POST",
      body: { id: "Legacy.Viewer", version: "3.1.0", sha1: "a9993e364706816aba3e25717850c26c9cd0d89d", size: 1234, url: "https://legacy.example/viewer-3.1.0.nupkg", installContext: "system" },
    });
    expect(imported.status).toBe(201);
    expect((await asUser(host, admin, "/api/admin/v1/assignments/legacy-viewer", { method: "PUT", body: { packageId: "Legacy.Viewer", target: { type: "all" }, intent: "available" } })).status).toBe(201);
    const device = await enrolled();
    const manifest = (await verified(await asDevice(host, device, "/api/agent/v1/packages"))) as { packages: Record<string, unknown>[]; undeliverable: { id: string; reason: string }[] };
    expect(manifest.packages.find((p) => p["id"] === "Legacy.Viewer")).toMatchObject({ sha1: "a9993e364706816aba3e25717850c26c9cd0d89d", legacyHash: true });
    const download = await asDevice(host, device, "/api/content/Legacy.Viewer/3.1.0");
    expect([download.status, download.headers.get("location")]).toEqual([302, "https://legacy.example/viewer-3.1.0.nupkg"]);

    expect((await asUser(host, admin, `/api/admin/v1/policies/device:${device.deviceId}`, { method: "PUT", body: { acceptLegacyHashes: false } })).status).toBe(200);
    const refused = (await verified(await asDevice(host, device, "/api/agent/v1/packages"))) as { packages: Record<string, unknown>[]; undeliverable: { id: string; reason: string }[] };
    expect(refused.packages.some((p) => p["id"] === "Legacy.Viewer")).toBe(false);
    expect(refused.undeliverable).toContainEqual(expect.objectContaining({ id: "Legacy.Viewer", reason: "legacy-hash-refused" }));
  });
});

describe("BitLocker on virtual machines", () => {
  it("when a virtual machine reports, then BitLocker is not enforced and the config says why; with the VM opt-in it is", async () => {
    const device = await enrolled();
    expect((await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(1, { isVirtualMachine: true }) })).status).toBe(202);
    const vm = await verified(await asDevice(host, device, "/api/agent/v1/config"));
    expect(vm).toMatchObject({ bitlockerEnabled: false, bitlockerSkippedReason: "virtual-machine" });
    expect((await asUser(host, admin, `/api/admin/v1/policies/device:${device.deviceId}`, { method: "PUT", body: { bitlockerOnVirtualMachines: true } })).status).toBe(200);
    const optedIn = await verified(await asDevice(host, device, "/api/agent/v1/config"));
    expect(optedIn["bitlockerEnabled"]).toBe(true);
    expect(optedIn["bitlockerSkippedReason"]).toBeUndefined();
  });

  it("when a physical device reports, then the realm's BitLocker policy applies", async () => {
    const device = await enrolled();
    expect((await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(1, { isVirtualMachine: false }) })).status).toBe(202);
    expect((await verified(await asDevice(host, device, "/api/agent/v1/config")))["bitlockerEnabled"]).toBe(true);
  });
});
