import { beforeAll, describe, expect, it } from "vitest";
import {
  CONTOSO_DOMAIN,
  CONTOSO_TENANT_ID,
  DEMO_IDS,
  FABRIKAM_TENANT_ID,
} from "../../../lib/directory/demo-directory.js";
import type { AlternativeSecurityId, Directory } from "../../../lib/directory/directory.js";

/** A Directory holding the demo realms, plus the means to add devices the way each backend gets them. */
export interface ContractSubject {
  directory: Directory;
  addDevice(realmId: string, deviceId: string, directGroupIds: string[], altIds: AlternativeSecurityId[]): Promise<void>;
  recordBitlockerKey(realmId: string, deviceId: string, keyId: string): Promise<void>;
}

const C = DEMO_IDS.contoso;
const F = DEMO_IDS.fabrikam;
const DEVICE = "d1000000-0000-4000-8000-000000000001";
const OTHER_DEVICE = "d1000000-0000-4000-8000-000000000002";
const ALT_IDS: AlternativeSecurityId[] = [{ type: 2, key: "WAA1ADAAOQA6AA==" }];

/** The behaviour every Directory implementation must show over the demo directory. */
export function directoryContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`Directory contract: ${name}`, () => {
    let subject: ContractSubject;
    let dir: Directory;

    beforeAll(async () => {
      subject = await setup();
      dir = subject.directory;
      await subject.addDevice(CONTOSO_TENANT_ID, DEVICE, [C.finance], ALT_IDS);
      await subject.recordBitlockerKey(CONTOSO_TENANT_ID, DEVICE, "5c3a0000-0000-4000-8000-000000000001");
    });

    it("when a user is read by UPN or by object id, then the same profile with signature fields is returned", async () => {
      const byUpn = await dir.getUser(CONTOSO_TENANT_ID, `megan@${CONTOSO_DOMAIN}`);
      const byId = await dir.getUser(CONTOSO_TENANT_ID, C.megan);

      expect(byUpn).toEqual(byId);
      expect(byUpn).toMatchObject({
        id: C.megan,
        userPrincipalName: `megan@${CONTOSO_DOMAIN}`,
        displayName: "Megan Bowen",
        jobTitle: "Finance Manager",
        businessPhones: ["+1 412 555 0109", "+1 412 555 0111"],
        lastPasswordChangeDateTime: expect.stringMatching(/^2025-10-20T14:30:00/),
      });
      expect(byUpn?.passwordPolicies ?? "").not.toContain("DisablePasswordExpiration");
    });

    it("when a user's password never expires, then passwordPolicies says DisablePasswordExpiration", async () => {
      const alex = await dir.getUser(CONTOSO_TENANT_ID, C.alex);
      expect(alex?.passwordPolicies).toContain("DisablePasswordExpiration");
    });

    it("when a display name holds markup, then it comes back exactly as stored", async () => {
      const eve = await dir.getUser(FABRIKAM_TENANT_ID, "eve@fabrikam.example");
      expect(eve?.displayName).toBe("Eve <script>alert(1)</script> & Co");
    });

    it("when a user is absent or belongs to another realm, then getUser answers undefined", async () => {
      await expect(dir.getUser(CONTOSO_TENANT_ID, "nobody@contoso.example")).resolves.toBeUndefined();
      await expect(dir.getUser(CONTOSO_TENANT_ID, F.eve)).resolves.toBeUndefined();
      await expect(dir.getUser(CONTOSO_TENANT_ID, "eve@fabrikam.example")).resolves.toBeUndefined();
    });

    it("when a user is in a group nested in another, then both groups are in the transitive membership", async () => {
      const groups = await dir.transitiveGroupIds(CONTOSO_TENANT_ID, C.megan);
      expect([...groups].sort()).toEqual([C.allStaff, C.finance].sort());
    });

    it("when a user is absent, then transitive membership is empty", async () => {
      await expect(dir.transitiveGroupIds(CONTOSO_TENANT_ID, "2f000000-0000-4000-8000-000000000009")).resolves.toEqual([]);
    });

    it("when a device is in a nested group, then deviceGroupIds includes the outer group; unknown devices have none", async () => {
      const groups = await dir.deviceGroupIds(CONTOSO_TENANT_ID, DEVICE);
      expect([...groups].sort()).toEqual([C.allStaff, C.finance].sort());
      await expect(dir.deviceGroupIds(CONTOSO_TENANT_ID, OTHER_DEVICE)).resolves.toEqual([]);
      await expect(dir.deviceGroupIds(FABRIKAM_TENANT_ID, DEVICE)).resolves.toEqual([]);
    });

    it("when a refresh is asked, then membership is still answered", async () => {
      dir.refresh(CONTOSO_TENANT_ID, C.megan);
      dir.refresh(CONTOSO_TENANT_ID);
      await expect(dir.transitiveGroupIds(CONTOSO_TENANT_ID, C.megan)).resolves.toHaveLength(2);
    });

    it("when a domain sets a validity, then it is returned; otherwise Entra's 90 days", async () => {
      await expect(dir.passwordValidityDays(CONTOSO_TENANT_ID, CONTOSO_DOMAIN)).resolves.toBe(90);
      await expect(dir.passwordValidityDays(FABRIKAM_TENANT_ID, "fabrikam.example")).resolves.toBe(90);
      await expect(dir.passwordValidityDays(FABRIKAM_TENANT_ID, "unknown.example")).resolves.toBe(90);
    });

    it("when a recovery key was escrowed, then bitlockerKeyExists is true only for that device and realm", async () => {
      await expect(dir.bitlockerKeyExists(CONTOSO_TENANT_ID, DEVICE)).resolves.toBe(true);
      await expect(dir.bitlockerKeyExists(CONTOSO_TENANT_ID, OTHER_DEVICE)).resolves.toBe(false);
      await expect(dir.bitlockerKeyExists(FABRIKAM_TENANT_ID, DEVICE)).resolves.toBe(false);
    });

    it("when a device has alternativeSecurityIds, then they are returned; an unknown device gives undefined", async () => {
      await expect(dir.deviceAlternativeSecurityIds(CONTOSO_TENANT_ID, DEVICE)).resolves.toEqual(ALT_IDS);
      await expect(dir.deviceAlternativeSecurityIds(CONTOSO_TENANT_ID, OTHER_DEVICE)).resolves.toBeUndefined();
    });
  });
}
