import { randomUUID } from "node:crypto";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_CONTAINER } from "../../lib/app/compose-packages.js";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, asUser, newDevice, operatorToken, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { buildNupkg, nuspecXml, withCorruptedData, withRenamedEntry, type NupkgSpec } from "../support/nupkg-builder.js";
import { startTestHost } from "../support/test-host.js";

// Regressions of issue 15 "inputs that end in 500": each input answers 4xx problem+json and changes nothing.

let host: RunningLocalHost;
let admin: string;
let device: HostDevice;

beforeAll(async () => {
  host = await startTestHost();
  admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  device = await newDevice(host, CONTOSO_TENANT_ID);
  const token = await userToken(host, CONTOSO_TENANT_ID);
  expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token })).status).toBe(201);
});
afterAll(async () => {
  await host.stop();
});

interface Problem {
  status: number;
  type: string;
  detail: string;
  errors?: unknown[];
  errorCount?: number;
}

async function problemOf(res: Response, status = 400): Promise<Problem> {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as Problem;
  expect({ status: res.status, bodyStatus: body.status }).toEqual({ status, bodyStatus: status });
  return body;
}

const TYPE = (code: string) => `https://realmjoin.example/problems/${code}`;

async function realmPolicy(): Promise<{ etag: string | null; body: unknown }> {
  const res = await asUser(host, admin, "/api/admin/v1/policies/realm");
  expect(res.status).toBe(200);
  return { etag: res.headers.get("etag"), body: await res.json() };
}

async function configStatus(): Promise<number> {
  return (await asDevice(host, device, "/api/agent/v1/config")).status;
}

async function publish(spec: NupkgSpec | Uint8Array): Promise<Response> {
  return await fetch(`${host.url}/api/admin/v1/packages`, {
    method: "PUT",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
    body: spec instanceof Uint8Array ? spec : buildNupkg(spec),
  });
}

/** The package container's blobs; none while the container does not exist yet (it appears with the first stored package). */
async function blobNames(): Promise<string[]> {
  const container = host.services.blobs.getContainerClient(PACKAGE_CONTAINER);
  if (!(await container.exists())) return [];
  const names: string[] = [];
  for await (const b of container.listBlobsFlat()) names.push(b.name);
  return names.sort();
}

async function packageIds(): Promise<string[]> {
  const res = await asUser(host, admin, "/api/admin/v1/packages");
  return ((await res.json()) as { packages: { id: string }[] }).packages.map((p) => p.id);
}

describe("ill-formed Unicode and control characters", () => {
  it("when a realm policy holds an unpaired surrogate, then 400 invalid-text, the policy is unchanged and config polls keep working", async () => {
    const before = await realmPolicy();
    for (const body of [{ legacyAuthProvider: "AD\ud800" }, { legacyAuthProvider: "\udc00x" }, { ["\ud800"]: true }]) {
      const res = await asUser(host, admin, "/api/admin/v1/policies/realm", { method: "PUT", body });
      expect((await problemOf(res)).type).toBe(TYPE("invalid-text"));
    }
    expect(await realmPolicy()).toEqual(before);
    expect(await configStatus()).toBe(200);
  });

  it("when a policy string holds NUL, a C1 control or even a tab, then 400 and the policy is unchanged", async () => {
    const before = await realmPolicy();
    for (const value of ["AD\u0000", "AD\u0085x", "A\tD", "A\nD"]) {
      const res = await asUser(host, admin, "/api/admin/v1/policies/realm", { method: "PUT", body: { legacyAuthProvider: value } });
      expect(res.status).toBe(400);
      await problemOf(res);
    }
    expect(await realmPolicy()).toEqual(before);
  });

  it("when a state report's network fingerprint holds a surrogate or a control character, then 400 and no report is kept", async () => {
    for (const fingerprint of ["net\ud800", "net\u0007"]) {
      const res = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(1, { network: { gatewayMac: "aa-bb-cc-dd-ee-ff", fingerprint } }) });
      expect((await problemOf(res)).type).toBe(TYPE("invalid-text"));
    }
    const shown = (await (await asUser(host, admin, `/api/admin/v1/devices/${device.deviceId}`)).json()) as { reports: unknown[] };
    expect(shown.reports).toEqual([]);
  });

  it("when a step result's detail or data holds a surrogate, then 400 invalid-text before anything is looked up", async () => {
    for (const body of [{ outcome: "failed", detail: "x\ud800" }, { outcome: "succeeded", data: { bootId: "\udfff" } }]) {
      const res = await asDevice(host, device, "/api/agent/v1/onboarding/some-run/steps/restart", { method: "POST", body });
      expect((await problemOf(res)).type).toBe(TYPE("invalid-text"));
    }
  });

  it("when a query value or a path parameter holds a control character, then 400 invalid-text", async () => {
    expect((await problemOf(await asUser(host, admin, "/api/admin/v1/devices?continuationToken=a%01b"))).type).toBe(TYPE("invalid-text"));
    expect((await problemOf(await asUser(host, admin, "/api/admin/v1/policies/group%3Aab%00c"))).type).toBe(TYPE("invalid-text"));
  });

  it("when a path segment is percent-encoded ill-formed UTF-8 (a lone surrogate's bytes), then 4xx problem+json, never 500", async () => {
    const res = await asUser(host, admin, "/api/admin/v1/policies/%ED%A0%80");
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("the error list of a 400", () => {
  it("when a body has 60,000 unknown keys, then the answer names a few, counts the rest and stays small", async () => {
    const body = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`unknown${i}`, 1]));
    const res = await asUser(host, admin, "/api/admin/v1/policies/realm", { method: "PUT", body });
    const text = await res.clone().text();
    const problem = await problemOf(res);
    expect(text.length).toBeLessThan(4_000);
    expect(problem.detail).toMatch(/and 59995 more/);
    expect(problem.errorCount).toBe(1);
  });

  it("when a body has more problems than are listed, then the first 20 are listed and errorCount has them all", async () => {
    const installed = Array.from({ length: 30 }, () => ({ id: 1, version: 2, status: 3 }));
    const res = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: { ...stateReport(1), installed } });
    const problem = await problemOf(res);
    expect(problem.errors).toHaveLength(20);
    expect(problem.errorCount).toBeGreaterThanOrEqual(30);
    expect(problem.detail).toMatch(/and \d+ more problems$/);
  });
});

describe("values storage cannot hold", () => {
  it("when a signature template is 40,000 characters, then 400 and no template is stored", async () => {
    const res = await asUser(host, admin, "/api/admin/v1/signature-templates/big", { method: "PUT", body: { html: "x".repeat(40_000), text: "" } });
    await problemOf(res);
    const list = (await (await asUser(host, admin, "/api/admin/v1/signature-templates")).json()) as { templates: unknown[] };
    expect(list.templates).toEqual([]);
  });

  it("when a legacy import lists 400 dependencies, then 400 metadata-too-large and nothing is imported", async () => {
    const dependencies = Array.from({ length: 400 }, (_, i) => ({ id: `Contoso.Dependency.With.A.Rather.Long.Name.Number.${String(i).padStart(4, "0")}.Of.Many`, range: "[1.0.0, 2.0.0)" }));
    const body = { id: "Legacy.Many", version: "1.0.0", sha1: "a".repeat(40), size: 10, installContext: "system", dependencies };
    const res = await asUser(host, admin, "/api/admin/v1/packages/legacy", { method: "POST", body });
    expect((await problemOf(res)).type).toBe(TYPE("metadata-too-large"));
    expect(await packageIds()).not.toContain("Legacy.Many");
  });

  it("when an operator creates a realm with a 59 KB CA bundle, then 400, no realm and no signing key exist", async () => {
    const operator = await operatorToken(host);
    const tenantId = randomUUID();
    const caPem = host.services.dev?.ca.caPem() ?? "";
    const bundle = caPem.repeat(Math.ceil(59_000 / caPem.length));
    const res = await asUser(host, operator, `/api/operator/v1/realms/${tenantId}`, { method: "PUT", body: { name: "Big CA", deviceTrust: "device-ca", deviceCaPem: bundle, noGraph: true } });
    await problemOf(res);
    expect((await asUser(host, operator, `/api/operator/v1/realms/${tenantId}`)).status).toBe(404);
    expect((await host.services.keyRing.jwks(tenantId)).keys).toEqual([]);
    expect(await host.services.branchCache.status(tenantId)).toMatchObject({ set: false });
  });
});

describe("storage keys", () => {
  it("when a package version has a 2,000-character label, then 400 and neither a package nor a blob is left", async () => {
    const blobs = await blobNames();
    const res = await publish({ id: "Long.Label", version: `1.0.0-${"a".repeat(2_000)}` });
    expect((await problemOf(res)).type).toBe(TYPE("invalid-version"));
    expect(await packageIds()).not.toContain("Long.Label");
    expect(await blobNames()).toEqual(blobs);
  });

  it("when a package id is 100 CJK letters (900 characters encoded), then it publishes, reads and deletes like any other", async () => {
    const id = "\u4e00".repeat(100);
    expect((await publish({ id, version: "1.0.0" })).status).toBe(201);
    const shown = await asUser(host, admin, `/api/admin/v1/packages/${encodeURIComponent(id)}`);
    expect(shown.status).toBe(200);
    expect(((await shown.json()) as { versions: { version: string }[] }).versions.map((v) => v.version)).toEqual(["1.0.0"]);
    expect((await asUser(host, admin, `/api/admin/v1/packages/${encodeURIComponent(id)}/1.0.0`, { method: "DELETE" })).status).toBe(204);
    expect(await packageIds()).not.toContain(id);
  });

  it("when a package id of 101 letters is uploaded, then 400 and no blob is left", async () => {
    const blobs = await blobNames();
    expect((await problemOf(await publish({ id: "A".repeat(101), version: "1.0.0" }))).type).toMatch(/invalid-(package-id|nuspec)$/);
    expect(await blobNames()).toEqual(blobs);
  });

  it("when GET /packages/{id} names an 8,000-character id, or a 200-character one, then 400", async () => {
    await problemOf(await asUser(host, admin, `/api/admin/v1/packages/${"a".repeat(8_000)}`));
    await problemOf(await asUser(host, admin, `/api/admin/v1/packages/${"a".repeat(200)}`));
    await problemOf(await asUser(host, admin, `/api/admin/v1/packages/Some.Id/${"1".repeat(100)}`, { method: "DELETE" }));
  });

  it("when an admin device route names a device id that is no GUID, then 400", async () => {
    await problemOf(await asUser(host, admin, `/api/admin/v1/devices/${"\u4e00".repeat(200)}`));
    await problemOf(await asUser(host, admin, `/api/admin/v1/devices/not-a-guid/explain/Some.Id`));
  });

  it("when an agent names a 256-letter CJK step id, then no storage key overflows (4xx, never 500)", async () => {
    const res = await asDevice(host, device, `/api/agent/v1/onboarding/some-run/steps/${encodeURIComponent("\u4e00".repeat(120))}`, { method: "POST", body: { outcome: "failed" } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe(".nupkg archives", () => {
  it("when an archive holds two entries of one name, then 400 unsafe-package and no blob is left", async () => {
    const blobs = await blobNames();
    const bytes = withRenamedEntry(buildNupkg({ id: "Dup.Entries", version: "1.0.0", files: { "tools/a.ps1": "one", "tools/b.ps1": "two" } }), "tools/b.ps1", "tools/a.ps1");
    expect((await problemOf(await publish(bytes))).type).toBe(TYPE("unsafe-package"));
    expect(await packageIds()).not.toContain("Dup.Entries");
    expect(await blobNames()).toEqual(blobs);
  });

  it("when an entry's bytes do not match its CRC-32 (read through ranged blob reads), then 400 invalid-package and no blob is left", async () => {
    const blobs = await blobNames();
    const sound = zipSync({ "Crc.Bad.nuspec": strToU8(nuspecXml({ id: "Crc.Bad", version: "1.0.0" })), "tools/payload.bin": strToU8("p".repeat(5_000)) }, { level: 0 });
    const res = await publish(withCorruptedData(sound, "tools/payload.bin"));
    const problem = await problemOf(res);
    expect(problem.type).toBe(TYPE("invalid-package"));
    expect(problem.detail).toMatch(/CRC-32/);
    expect(await packageIds()).not.toContain("Crc.Bad");
    expect(await blobNames()).toEqual(blobs);
  });
});

describe("continuation tokens and preconditions", () => {
  it("when GET /devices gets a continuation token it did not issue, then 400 invalid-continuation-token", async () => {
    for (const token of ["garbage", "!!!", Buffer.from('{"nextPartitionKey":"x"}').toString("base64"), Buffer.from(JSON.stringify({ v: 2, pk: "x" })).toString("base64url")]) {
      const res = await asUser(host, admin, `/api/admin/v1/devices?continuationToken=${encodeURIComponent(token)}`);
      expect((await problemOf(res)).type).toBe(TYPE("invalid-continuation-token"));
    }
  });

  it("when GET /devices pages with the tokens it issued, then every device is listed once", async () => {
    await newDevice(host, CONTOSO_TENANT_ID).then(async (d) => {
      expect((await asDevice(host, d, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, CONTOSO_TENANT_ID) })).status).toBe(201);
    });
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const res = await asUser(host, admin, `/api/admin/v1/devices?pageSize=1${token === null ? "" : `&continuationToken=${encodeURIComponent(token)}`}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { devices: { deviceId: string }[]; continuationToken: string | null };
      seen.push(...page.devices.map((d) => d.deviceId));
      token = page.continuationToken;
    } while (token !== null);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(device.deviceId);
  });

  it("when PUT /policies/{scope} has a malformed If-Match, then 400 and the policy is unchanged; a stale one is 412", async () => {
    const before = await realmPolicy();
    for (const header of ["garbage", 'W/"unterminated', '"a" "b"', 'W/"a b"']) {
      const res = await asUser(host, admin, "/api/admin/v1/policies/realm", { method: "PUT", body: { makeAdmin: true }, headers: { "if-match": header } });
      expect((await problemOf(res)).type).toBe(TYPE("invalid-if-match"));
    }
    for (const header of ['"abc"', `W/"datetime'2020-01-01T00%3A00%3A00.0000000Z'"`]) {
      const res = await asUser(host, admin, "/api/admin/v1/policies/realm", { method: "PUT", body: { makeAdmin: true }, headers: { "if-match": header } });
      expect((await problemOf(res, 412)).type).toBe(TYPE("policy-changed"));
    }
    expect(await realmPolicy()).toEqual(before);
    const ok = await asUser(host, admin, "/api/admin/v1/policies/realm", { method: "PUT", body: {}, headers: { "if-match": `"other", ${before.etag ?? ""}` } });
    expect(ok.status).toBe(200);
  });

  it("when DELETE /policies/{scope} has a stale If-Match, then 412 and the policy stays; the current one deletes it", async () => {
    const path = `/api/admin/v1/policies/group:${randomUUID()}`;
    const put = await asUser(host, admin, path, { method: "PUT", body: { makeAdmin: true } });
    expect(put.status).toBe(200);
    const etag = put.headers.get("etag") ?? "";
    expect((await asUser(host, admin, path, { method: "PUT", body: { makeAdmin: false } })).status).toBe(200);
    expect((await problemOf(await asUser(host, admin, path, { method: "DELETE", headers: { "if-match": etag } }), 412)).type).toBe(TYPE("policy-changed"));
    expect((await problemOf(await asUser(host, admin, path, { method: "DELETE", headers: { "if-match": "nonsense" } }))).type).toBe(TYPE("invalid-if-match"));
    const current = await asUser(host, admin, path);
    expect(current.status).toBe(200);
    expect((await asUser(host, admin, path, { method: "DELETE", headers: { "if-match": current.headers.get("etag") ?? "" } })).status).toBe(204);
    expect((await asUser(host, admin, path)).status).toBe(404);
  });
});
