import { createHash } from "node:crypto";
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_CONTAINER } from "../../lib/app/compose-packages.js";
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, asUser, newDevice, userToken, type HostDevice } from "../support/host-identities.js";
import { buildNupkg, maliciousNupkgs, type NupkgSpec } from "../support/nupkg-builder.js";
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

async function publish(spec: NupkgSpec | Uint8Array, token = admin): Promise<Response> {
  const bytes = spec instanceof Uint8Array ? spec : buildNupkg(spec);
  return await fetch(`${host.url}/api/admin/v1/packages`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: bytes,
  });
}

async function assign(id: string, body: Record<string, unknown>): Promise<void> {
  const res = await asUser(host, admin, `/api/admin/v1/assignments/${id}`, { method: "PUT", body });
  expect([200, 201]).toContain(res.status);
}

async function enrolledDevice(tenantId = CONTOSO_TENANT_ID): Promise<{ device: HostDevice; token: string }> {
  const device = await newDevice(host, tenantId);
  const token = await userToken(host, tenantId);
  expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token })).status).toBe(201);
  return { device, token };
}

async function manifestOf(device: HostDevice): Promise<{ packages: { id: string; version: string; intent: string; sha256?: string; downloadUrl: string }[]; undeliverable: { id: string; reason: string }[] }> {
  const res = await asDevice(host, device, "/api/agent/v1/packages");
  expect(res.status).toBe(200);
  const jwks = (await (await fetch(`${host.url}/api/agent/v1/keys?realm=${device.tenantId}`)).json()) as JSONWebKeySet;
  const { payload, protectedHeader } = await compactVerify(await res.text(), createLocalJWKSet(jwks));
  expect(protectedHeader.typ).toBe("rj-manifest+jwt");
  return JSON.parse(new TextDecoder().decode(payload)) as never;
}

async function blobCount(): Promise<number> {
  // The container appears with the first stored package (nothing creates it up front).
  const container = host.services.blobs.getContainerClient(PACKAGE_CONTAINER);
  if (!(await container.exists())) return 0;
  let n = 0;
  for await (const _ of container.listBlobsFlat()) n++;
  return n;
}

describe("publishing real .nupkg files", () => {
  it("when a package is uploaded, then it is listed; the same bytes again are 200 and other bytes under that version 409", async () => {
    const spec = { id: "Contoso.Notepad", version: "8.6.0", description: "Editor" };
    const bytes = buildNupkg(spec);
    const first = await publish(bytes);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ id: "Contoso.Notepad", version: "8.6.0", sha256: createHash("sha256").update(bytes).digest("hex") });
    expect((await publish(bytes)).status).toBe(200);
    const other = await publish({ ...spec, description: "Different bytes" });
    expect(other.status).toBe(409);
    const listed = (await (await asUser(host, admin, "/api/admin/v1/packages/Contoso.Notepad")).json()) as { versions: unknown[] };
    expect(listed.versions).toHaveLength(1);
  });

  it("when a package is malicious or malformed, then 400 and no blob or row is left behind", async () => {
    const before = await blobCount();
    for (const bad of maliciousNupkgs()) {
      const res = await publish(bad.bytes);
      expect(res.status, bad.name).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await blobCount()).toBe(before);
    expect((await asUser(host, admin, "/api/admin/v1/packages/Contoso.Tool")).status).toBe(404);
  });

  it("when a non-admin uploads, then 403", async () => {
    expect((await publish({ id: "X.Y", version: "1.0.0" }, await userToken(host, CONTOSO_TENANT_ID))).status).toBe(403);
  });
});

describe("assignments, manifests and install links", () => {
  it("when packages with dependencies are assigned, then the signed manifest lists the closure in dependency order", async () => {
    expect((await publish({ id: "Contoso.Runtime", version: "2.1.0" })).status).toBe(201);
    expect((await publish({ id: "Contoso.Runtime", version: "3.0.0" })).status).toBe(201);
    expect((await publish({ id: "Contoso.Crm", version: "5.0.0", dependencies: [{ id: "Contoso.Runtime", version: "[2.0,3.0)" }] })).status).toBe(201);
    await assign("crm-all", { packageId: "Contoso.Crm", target: { type: "all" }, intent: "required" });
    const { device } = await enrolledDevice();
    const manifest = await manifestOf(device);
    const ids = manifest.packages.map((p) => `${p.id}@${p.version}`);
    expect(ids.indexOf("Contoso.Runtime@2.1.0")).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf("Contoso.Runtime@2.1.0")).toBeLessThan(ids.indexOf("Contoso.Crm@5.0.0"));
    expect(manifest.packages.find((p) => p.id === "Contoso.Runtime")?.intent).toBe("dependency");
  });

  it("when dependencies form a cycle, then the packages are reported undeliverable, not crashed on", async () => {
    expect((await publish({ id: "Cycle.A", version: "1.0.0", dependencies: [{ id: "Cycle.B", version: "1.0.0" }] })).status).toBe(201);
    expect((await publish({ id: "Cycle.B", version: "1.0.0", dependencies: [{ id: "Cycle.A", version: "1.0.0" }] })).status).toBe(201);
    await assign("cycle", { packageId: "Cycle.A", target: { type: "all" }, intent: "available" });
    const { device } = await enrolledDevice();
    const manifest = await manifestOf(device);
    expect(manifest.undeliverable.find((u) => u.id === "Cycle.A")?.reason).toBe("cycle");
    expect(manifest.packages.some((p) => p.id === "Cycle.A")).toBe(false);
  });

  it("when the manifest is unchanged, then its ETag answers 304", async () => {
    const { device } = await enrolledDevice();
    const first = await asDevice(host, device, "/api/agent/v1/packages");
    const etag = first.headers.get("etag") ?? "";
    await first.arrayBuffer();
    expect((await asDevice(host, device, "/api/agent/v1/packages", { headers: { "if-none-match": etag } })).status).toBe(304);
  });

  it("when an install link is used, then 200 for an assigned package, 403 for an unassigned one and 404 for an unknown one", async () => {
    expect((await publish({ id: "Contoso.Paint", version: "1.0.0" })).status).toBe(201);
    expect((await publish({ id: "Contoso.Secret", version: "1.0.0" })).status).toBe(201);
    await assign("paint", { packageId: "Contoso.Paint", target: { type: "all" }, intent: "available" });
    const { device, token } = await enrolledDevice();
    const ok = await asDevice(host, device, "/api/agent/v1/packages/Contoso.Paint/install", { method: "POST", token });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ package: { id: "Contoso.Paint", version: "1.0.0" } });
    expect((await asDevice(host, device, "/api/agent/v1/packages/Contoso.Secret/install", { method: "POST", token })).status).toBe(403);
    expect((await asDevice(host, device, "/api/agent/v1/packages/No.Such/install", { method: "POST", token })).status).toBe(404);
  });

  it("when a Fabrikam device asks for a Contoso package, then it does not exist for it", async () => {
    const { device, token } = await enrolledDevice(FABRIKAM_TENANT_ID);
    expect((await asDevice(host, device, "/api/agent/v1/packages/Contoso.Paint/install", { method: "POST", token })).status).toBe(404);
    expect((await asDevice(host, device, "/api/content/Contoso.Paint/1.0.0")).status).toBe(404);
  });

  it("when an assigned version is deleted, then 409; the explain route names the winning assignment", async () => {
    expect((await asUser(host, admin, "/api/admin/v1/packages/Contoso.Paint/1.0.0", { method: "DELETE" })).status).toBe(409);
    const { device } = await enrolledDevice();
    const explain = await asUser(host, admin, `/api/admin/v1/devices/${device.deviceId}/explain/Contoso.Paint`);
    expect(explain.status).toBe(200);
    expect(JSON.stringify(await explain.json())).toContain("paint");
  });
});

describe("content download", () => {
  it("when a device downloads without PeerDist, then it is redirected to a read-only SAS URL whose bytes match the SHA-256", async () => {
    const bytes = buildNupkg({ id: "Contoso.Viewer", version: "1.2.3" });
    expect((await publish(bytes)).status).toBe(201);
    const { device } = await enrolledDevice();
    await assign("viewer-to-device", { packageId: "Contoso.Viewer", target: { type: "device", id: device.deviceId }, intent: "available" });
    const res = await asDevice(host, device, "/api/content/Contoso.Viewer/1.2.3", { headers: {} });
    expect(res.status).toBe(302);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/sig=/);
    expect(location).toMatch(/sp=r(&|$)/);
    const downloaded = new Uint8Array(await (await fetch(location)).arrayBuffer());
    expect(createHash("sha256").update(downloaded).digest("hex")).toBe(createHash("sha256").update(bytes).digest("hex"));
    const write = await fetch(location, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, body: "overwrite" });
    expect(write.status).toBe(403);
  });
});

describe("content follows assignment", () => {
  it("when a device asks for a package of its realm that its manifest does not deliver, then 404 like an unknown one; once assigned, it is served", async () => {
    expect((await publish({ id: "Contoso.Hidden", version: "1.0.0" })).status).toBe(201);
    const { device } = await enrolledDevice();
    const unassigned = await asDevice(host, device, "/api/content/Contoso.Hidden/1.0.0");
    expect(unassigned.status).toBe(404);
    const unknown = await asDevice(host, device, "/api/content/Contoso.Nothing/1.0.0");
    expect(unknown.status).toBe(404);
    expect(((await unassigned.json()) as { type: string }).type).toBe(((await unknown.json()) as { type: string }).type);
    await assign("hidden-to-device", { packageId: "Contoso.Hidden", target: { type: "device", id: device.deviceId }, intent: "available" });
    expect((await asDevice(host, device, "/api/content/Contoso.Hidden/1.0.0")).status).toBe(302);
    // Another device of the realm still gets 404.
    const other = await enrolledDevice();
    expect((await asDevice(host, other.device, "/api/content/Contoso.Hidden/1.0.0")).status).toBe(404);
  });
});

describe("BranchCache content information", () => {
  it("when a Windows 7 agent asks with PeerDist 1.0, then it gets V1 content information keyed with the realm's passphrase", async () => {
    const { createHash: hash, createHmac } = await import("node:crypto");
    const { parseContentInfoV1 } = await import("../../lib/content/pccrc-v1.js");
    const passphrase = "Contoso BranchCache passphrase 2026";
    expect((await asUser(host, admin, "/api/admin/v1/branchcache", { method: "PUT", body: { passphrase } })).status).toBe(200);
    const bytes = buildNupkg({ id: "Contoso.Big", version: "1.0.0", files: { "tools/payload.bin": new Uint8Array(200_000).map((_, i) => (i * 31) % 251) } });
    expect((await publish(bytes)).status).toBe(201);
    const { device } = await enrolledDevice();
    await assign("big-to-device-v1", { packageId: "Contoso.Big", target: { type: "device", id: device.deviceId }, intent: "available" });
    const res = await asDevice(host, device, "/api/content/Contoso.Big/1.0.0", { headers: { "accept-encoding": "peerdist", "x-p2p-peerdist": "Version=1.0" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("peerdist");
    expect(res.headers.get("x-p2p-peerdist")).toBe(`Version=1.0, ContentLength=${bytes.byteLength}`);
    const info = parseContentInfoV1(Buffer.from(await res.arrayBuffer()));
    const blockHashes: Buffer[] = [];
    for (let at = 0; at < bytes.byteLength; at += 65536) blockHashes.push(hash("sha256").update(bytes.subarray(at, at + 65536)).digest());
    const hod = hash("sha256").update(Buffer.concat(blockHashes)).digest();
    const ks = hash("sha256").update(Buffer.from(passphrase, "utf16le")).digest();
    const segment = info.segments[0];
    expect(Buffer.from(segment?.hod ?? []).toString("hex")).toBe(hod.toString("hex"));
    expect(Buffer.from(segment?.kp ?? []).toString("hex")).toBe(createHmac("sha256", ks).update(hod).digest("hex"));
  });

  it("when a Windows 8 agent allows content information 1.0 to 2.0, then it gets V2; without PeerDist headers it gets the redirect", async () => {
    const { device } = await enrolledDevice();
    await assign("big-to-device-v2", { packageId: "Contoso.Big", target: { type: "device", id: device.deviceId }, intent: "available" });
    const v2 = await asDevice(host, device, "/api/content/Contoso.Big/1.0.0", {
      headers: { "accept-encoding": "peerdist", "x-p2p-peerdist": "Version=1.1", "x-p2p-peerdistex": "MinContentInformation=1.0, MaxContentInformation=2.0" },
    });
    expect(v2.status).toBe(200);
    const body = new Uint8Array(await v2.arrayBuffer());
    expect([body[0], body[1], body[2]]).toEqual([0, 2, 4]);
    expect((await asDevice(host, device, "/api/content/Contoso.Big/1.0.0")).status).toBe(302);
  });
});
