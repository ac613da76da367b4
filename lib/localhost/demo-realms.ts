import type { Realm } from "../realms/realm.js";

export const CONTOSO_TENANT_ID = "11111111-1111-4111-8111-111111111111";
export const FABRIKAM_TENANT_ID = "22222222-2222-4222-8222-222222222222";

/** The two demo realms of the local host. Contoso is served as a Graph realm by the local directory; Fabrikam is NoGraph. */
export function demoRealms(createdAt: string, deviceCaPem: string | undefined): Realm[] {
  const trust = deviceCaPem === undefined ? ({ deviceTrust: "pinned" } as const) : ({ deviceTrust: "device-ca", deviceCaPem } as const);
  return [
    { id: CONTOSO_TENANT_ID, name: "Contoso", slug: "contoso", status: "active", noGraph: false, createdAt, ...trust },
    { id: FABRIKAM_TENANT_ID, name: "Fabrikam", slug: "fabrikam", status: "active", noGraph: true, createdAt, ...trust },
  ];
}
