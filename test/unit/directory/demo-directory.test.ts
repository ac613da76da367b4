import { describe, expect, it } from "vitest";
import {
  CONTOSO_SLUG,
  CONTOSO_TENANT_ID,
  DEMO_REALMS,
  FABRIKAM_SLUG,
  FABRIKAM_TENANT_ID,
} from "../../../lib/directory/demo-directory.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("the demo directory", () => {
  it("when realms are listed, then Contoso and Fabrikam carry the published tenant ids and slugs", () => {
    expect(DEMO_REALMS.map((r) => [r.slug, r.tenantId])).toEqual([
      [CONTOSO_SLUG, CONTOSO_TENANT_ID],
      [FABRIKAM_SLUG, FABRIKAM_TENANT_ID],
    ]);
    expect(CONTOSO_TENANT_ID).toBe("11111111-1111-4111-8111-111111111111");
    expect(FABRIKAM_TENANT_ID).toBe("22222222-2222-4222-8222-222222222222");
  });

  it("when ids are collected, then every user and group has a distinct GUID and every member exists", () => {
    const ids = DEMO_REALMS.flatMap((r) => [...r.users.map((u) => u.id), ...r.groups.map((g) => g.id)]);
    for (const id of ids) expect(id).toMatch(GUID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const realm of DEMO_REALMS) {
      const local = new Set([...realm.users.map((u) => u.id), ...realm.groups.map((g) => g.id)]);
      for (const group of realm.groups) for (const member of group.memberIds) expect(local.has(member)).toBe(true);
      for (const user of realm.users) expect(user.userPrincipalName.endsWith(`@${realm.domain}`)).toBe(true);
    }
  });

  it("when Fabrikam's Eve is read, then her display name is the hostile test string", () => {
    const eve = DEMO_REALMS[1]?.users.find((u) => u.userPrincipalName === "eve@fabrikam.example");
    expect(eve?.displayName).toBe("Eve <script>alert(1)</script> & Co");
  });
});
