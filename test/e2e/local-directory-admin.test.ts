import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, asUser, newDevice, userToken, type HostDevice } from "../support/host-identities.js";
import { buildNupkg } from "../support/nupkg-builder.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;
let admin: string;

beforeAll(async () => {
  host = await startTestHost();
  admin = await userToken(host, FABRIKAM_TENANT_ID, { role: "admin" });
});
afterAll(async () => {
  await host.stop();
});

/** A token of a user that exists only in the local directory (not a demo user). */
async function tokenOf(userId: string, upn: string): Promise<string> {
  const idp = host.services.dev?.idp;
  if (idp === undefined) throw new Error("no dev identity provider");
  return await idp.mintAccessToken({ tenantId: FABRIKAM_TENANT_ID, oid: userId, upn, name: upn, roles: [], audience: host.services.audiences[0] ?? "" });
}

function payloadOf(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

async function manifestIds(device: HostDevice, token: string): Promise<string[]> {
  const res = await asDevice(host, device, "/api/agent/v1/packages", { token });
  expect(res.status).toBe(200);
  return ((payloadOf(await res.text())["packages"] ?? []) as { id: string }[]).map((p) => p.id);
}

describe("the local directory of a NoGraph realm", () => {
  it("when an admin enters a user and a group, then a group assignment reaches the user's device and a group policy its config, and leaving the group takes both away at once", async () => {
    const userId = randomUUID();
    const groupId = randomUUID();
    const upn = `newbie-${userId.slice(0, 8)}@fabrikam.example`;
    const put = await asUser(host, admin, `/api/admin/v1/directory/users/${userId}`, {
      method: "PUT",
      body: { userPrincipalName: upn, displayName: "New Bie", jobTitle: "Analyst", passwordLastSet: "2026-01-02T03:04:05Z" },
    });
    expect(put.status).toBe(201);
    expect(await put.json()).toMatchObject({ id: userId, displayName: "New Bie", jobTitle: "Analyst", passwordLastSet: "2026-01-02T03:04:05.000Z" });
    expect((await asUser(host, admin, `/api/admin/v1/directory/groups/${groupId}`, { method: "PUT", body: { displayName: "Analysts", members: [userId] } })).status).toBe(201);

    const published = await fetch(`${host.url}/api/admin/v1/packages`, {
      method: "PUT",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
      body: buildNupkg({ id: "Fabrikam.Analysis", version: "1.0.0" }),
    });
    expect(published.status).toBe(201);
    const assignment = await asUser(host, admin, `/api/admin/v1/assignments/analysts-${groupId.slice(0, 8)}`, {
      method: "PUT",
      body: { packageId: "Fabrikam.Analysis", target: { type: "group", id: groupId }, intent: "required" },
    });
    expect([200, 201]).toContain(assignment.status);
    expect((await asUser(host, admin, `/api/admin/v1/policies/group:${groupId}`, { method: "PUT", body: { reportIntervalSeconds: 4321 } })).status).toBe(200);

    const token = await tokenOf(userId, upn);
    const device = await newDevice(host, FABRIKAM_TENANT_ID);
    expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token })).status).toBe(201);
    expect(await manifestIds(device, token)).toContain("Fabrikam.Analysis");
    const config = async () => payloadOf(await (await asDevice(host, device, "/api/agent/v1/config", { token })).text());
    expect((await config())["reportIntervalSeconds"]).toBe(4321);

    // Membership is cached per instance; the route forgets it here, so the change shows on the very next poll.
    expect((await asUser(host, admin, `/api/admin/v1/directory/groups/${groupId}`, { method: "PUT", body: { displayName: "Analysts", members: [] } })).status).toBe(200);
    expect(await manifestIds(device, token)).not.toContain("Fabrikam.Analysis");
    expect((await config())["reportIntervalSeconds"]).not.toBe(4321);

    const group = (await (await asUser(host, admin, `/api/admin/v1/directory/groups/${groupId}`)).json()) as { members: string[] };
    expect(group.members).toEqual([]);
    expect((await asUser(host, admin, `/api/admin/v1/directory/users/${userId}`, { method: "DELETE" })).status).toBe(204);
    expect((await asUser(host, admin, `/api/admin/v1/directory/users/${userId}`)).status).toBe(404);
  });

  it("when the realm reads Graph, then every directory write answers 409 graph-realm and changes nothing", async () => {
    const contosoAdmin = await userToken(host, CONTOSO_TENANT_ID, { role: "admin" });
    const userId = randomUUID();
    const res = await asUser(host, contosoAdmin, `/api/admin/v1/directory/users/${userId}`, { method: "PUT", body: { userPrincipalName: "x@contoso.example" } });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { type: string }).type).toContain("graph-realm");
    expect(await host.services.localDirectory.getUser(CONTOSO_TENANT_ID, userId)).toBeUndefined();
  });

  it("when a CSV is imported, then valid files create users in existing groups and one bad row refuses the whole file with each row's problem", async () => {
    const groupId = randomUUID();
    expect((await asUser(host, admin, `/api/admin/v1/directory/groups/${groupId}`, { method: "PUT", body: { displayName: "Imported" } })).status).toBe(201);
    const [a, b] = [randomUUID(), randomUUID()];
    const csv = (text: string) => fetch(`${host.url}/api/admin/v1/directory/import`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "text/csv" }, body: text });

    const good = await csv(`id,userPrincipalName,displayName,businessPhones,groups\r\n${a},a-${a.slice(0, 6)}@fabrikam.example,"Doe, Jane","+1 555;+1 556",${groupId}\r\n${b},b-${b.slice(0, 6)}@fabrikam.example,"Say ""hi""",,\r\n`);
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ imported: 2, memberships: 1 });
    const jane = (await (await asUser(host, admin, `/api/admin/v1/directory/users/${a}`)).json()) as { displayName: string; businessPhones: string[]; groups: string[] };
    expect(jane).toMatchObject({ displayName: "Doe, Jane", businessPhones: ["+1 555", "+1 556"], groups: [groupId] });

    const c = randomUUID();
    const bad = await csv(`id,userPrincipalName\n${c},c@fabrikam.example\nnot-a-guid,d@fabrikam.example\n${randomUUID()},no-at-sign\n`);
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { row: number }[] };
    expect(problem.errors.map((e) => e.row)).toEqual([3, 4]);
    expect((await asUser(host, admin, `/api/admin/v1/directory/users/${c}`)).status).toBe(404);

    expect((await csv('id,userPrincipalName\n"unterminated')).status).toBe(400);
    const json = await fetch(`${host.url}/api/admin/v1/directory/import`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(415);
    const huge = await csv("id,userPrincipalName\n" + "x".repeat(1024 * 1024 + 10));
    expect(huge.status).toBe(413);
  });

  it("when users are listed in pages, then tokens chain and a forged token answers 400", async () => {
    const first = (await (await asUser(host, admin, "/api/admin/v1/directory/users?pageSize=1")).json()) as { users: unknown[]; continuationToken: string | null };
    expect(first.users).toHaveLength(1);
    expect(first.continuationToken).not.toBeNull();
    const second = await asUser(host, admin, `/api/admin/v1/directory/users?pageSize=1&continuationToken=${first.continuationToken ?? ""}`);
    expect(second.status).toBe(200);
    expect((await asUser(host, admin, "/api/admin/v1/directory/users?continuationToken=abc")).status).toBe(400);
  });
});
