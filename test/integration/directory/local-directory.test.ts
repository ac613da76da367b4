import { TableClient } from "@azure/data-tables";
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { AppError } from "../../../lib/core/errors.js";
import { CONTOSO_TENANT_ID, DEMO_IDS } from "../../../lib/directory/demo-directory.js";
import { LocalDirectory } from "../../../lib/directory/local-directory.js";
import { seedLocalDirectory } from "../../../lib/directory/seed-local-directory.js";
import { directoryContract } from "./directory-contract.js";

function freshTable(): TableClient {
  const cs = inject("storageConnectionString");
  return TableClient.fromConnectionString(cs, `directory${randomBytes(6).toString("hex")}`, { allowInsecureConnection: true });
}

directoryContract("LocalDirectory on Azurite", async () => {
  const dir = new LocalDirectory(freshTable());
  await seedLocalDirectory(dir);
  return {
    directory: dir,
    addDevice: async (realmId, deviceId, directGroupIds, altIds) => {
      for (const groupId of directGroupIds) await dir.addMember(realmId, groupId, deviceId);
      await dir.setDeviceAlternativeSecurityIds(realmId, deviceId, altIds);
    },
    recordBitlockerKey: (realmId, deviceId, keyId) => dir.recordBitlockerKey(realmId, deviceId, keyId),
  };
});

describe("LocalDirectory specifics", () => {
  const C = DEMO_IDS.contoso;
  let dir: LocalDirectory;

  beforeAll(async () => {
    dir = new LocalDirectory(freshTable());
    await seedLocalDirectory(dir);
  });

  it("when the demo data is seeded twice, then nothing is duplicated", async () => {
    await seedLocalDirectory(dir);
    const groups = await dir.transitiveGroupIds(CONTOSO_TENANT_ID, C.adele);
    expect([...groups].sort()).toEqual([C.allStaff, C.itAdmins].sort());
  });

  it("when a user's UPN changes, then the old UPN no longer finds the user and the new one does", async () => {
    const id = "1a000000-0000-4000-8000-0000000000aa";
    await dir.putUser(CONTOSO_TENANT_ID, { id, userPrincipalName: "old#name@contoso.example", displayName: "Renamed" });
    await dir.putUser(CONTOSO_TENANT_ID, { id, userPrincipalName: "new.name@contoso.example", displayName: "Renamed" });

    await expect(dir.getUser(CONTOSO_TENANT_ID, "old#name@contoso.example")).resolves.toBeUndefined();
    await expect(dir.getUser(CONTOSO_TENANT_ID, "NEW.name@contoso.example")).resolves.toMatchObject({ id, businessPhones: [] });
  });

  it("when groups nest in a cycle, then membership still terminates with every group once", async () => {
    const a = "1b000000-0000-4000-8000-0000000000a1";
    const b = "1b000000-0000-4000-8000-0000000000a2";
    const device = "d2000000-0000-4000-8000-000000000001";
    await dir.putGroup(CONTOSO_TENANT_ID, { id: a, displayName: "Loop A" });
    await dir.putGroup(CONTOSO_TENANT_ID, { id: b, displayName: "Loop B" });
    await dir.addMember(CONTOSO_TENANT_ID, a, b);
    await dir.addMember(CONTOSO_TENANT_ID, b, a);
    await dir.addMember(CONTOSO_TENANT_ID, a, device);

    const groups = await dir.deviceGroupIds(CONTOSO_TENANT_ID, device);
    expect([...groups].sort()).toEqual([a, b].sort());
  });

  it("when a membership is removed, then the device no longer has the group", async () => {
    const device = "d2000000-0000-4000-8000-000000000002";
    await dir.addMember(CONTOSO_TENANT_ID, C.finance, device);
    await dir.removeMember(CONTOSO_TENANT_ID, C.finance, device);
    await dir.removeMember(CONTOSO_TENANT_ID, C.finance, device);
    await expect(dir.deviceGroupIds(CONTOSO_TENANT_ID, device)).resolves.toEqual([]);
  });

  it("when the same BitLocker key is recorded twice, then it is still one key and the check is true", async () => {
    const device = "d2000000-0000-4000-8000-000000000003";
    await expect(dir.bitlockerKeyExists(CONTOSO_TENANT_ID, device)).resolves.toBe(false);
    await dir.recordBitlockerKey(CONTOSO_TENANT_ID, device, "{6F1E2D3C-0000-4000-8000-000000000001}");
    await dir.recordBitlockerKey(CONTOSO_TENANT_ID, device, "{6F1E2D3C-0000-4000-8000-000000000001}");
    await expect(dir.bitlockerKeyExists(CONTOSO_TENANT_ID, device)).resolves.toBe(true);
  });

  it("when a BitLocker key is recorded for a device id that is not a GUID, then a validation error is thrown", async () => {
    const error = await dir.recordBitlockerKey(CONTOSO_TENANT_ID, "not-a-guid", "k").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).kind).toBe("validation");
  });

  it("when a domain never expires passwords, then 2147483647 is returned", async () => {
    await dir.setDomainPasswordValidity(CONTOSO_TENANT_ID, "never.example", 2147483647);
    await expect(dir.passwordValidityDays(CONTOSO_TENANT_ID, "NEVER.example")).resolves.toBe(2147483647);
  });
});
