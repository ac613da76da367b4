import type { LocalDirectoryGroup, LocalDirectoryUser } from "./local-directory.js";

/** Contoso's Entra tenant id (realm id). */
export const CONTOSO_TENANT_ID = "11111111-1111-4111-8111-111111111111";
/** Fabrikam's Entra tenant id (realm id). */
export const FABRIKAM_TENANT_ID = "22222222-2222-4222-8222-222222222222";
export const CONTOSO_SLUG = "contoso";
export const FABRIKAM_SLUG = "fabrikam";
export const CONTOSO_DOMAIN = "contoso.example";
export const FABRIKAM_DOMAIN = "fabrikam.example";

/** A group with its direct members (user ids, Entra device ids or group ids). */
export type DemoGroup = LocalDirectoryGroup & { memberIds: string[] };

/** One realm's directory content. */
export interface DemoRealm {
  tenantId: string;
  slug: string;
  name: string;
  domain: string;
  /** Undefined: Entra's default (90 days). */
  passwordValidityDays?: number;
  users: LocalDirectoryUser[];
  groups: DemoGroup[];
}

/** Object ids of the demo users and groups, for tests and dev tokens. */
export const DEMO_IDS = {
  contoso: {
    adele: "1a000000-0000-4000-8000-000000000001",
    megan: "1a000000-0000-4000-8000-000000000002",
    alex: "1a000000-0000-4000-8000-000000000003",
    allStaff: "1b000000-0000-4000-8000-000000000001",
    finance: "1b000000-0000-4000-8000-000000000002",
    itAdmins: "1b000000-0000-4000-8000-000000000003",
  },
  fabrikam: {
    eve: "2a000000-0000-4000-8000-000000000001",
    frank: "2a000000-0000-4000-8000-000000000002",
    allStaff: "2b000000-0000-4000-8000-000000000001",
    sales: "2b000000-0000-4000-8000-000000000002",
  },
} as const;

const C = DEMO_IDS.contoso;
const F = DEMO_IDS.fabrikam;

const contoso: DemoRealm = {
  tenantId: CONTOSO_TENANT_ID,
  slug: CONTOSO_SLUG,
  name: "Contoso Ltd.",
  domain: CONTOSO_DOMAIN,
  passwordValidityDays: 90,
  users: [
    {
      id: C.adele,
      userPrincipalName: `adele@${CONTOSO_DOMAIN}`,
      displayName: "Adele Vance",
      givenName: "Adele",
      surname: "Vance",
      jobTitle: "IT Administrator",
      department: "IT",
      companyName: "Contoso Ltd.",
      officeLocation: "Building 18/1106",
      businessPhones: ["+1 425 555 0109"],
      mobilePhone: "+1 425 555 0110",
      mail: `adele@${CONTOSO_DOMAIN}`,
      streetAddress: "1 Contoso Way",
      city: "Redmond",
      postalCode: "98052",
      country: "United States",
      lastPasswordChangeDateTime: "2025-12-01T09:00:00Z",
    },
    {
      id: C.megan,
      userPrincipalName: `megan@${CONTOSO_DOMAIN}`,
      displayName: "Megan Bowen",
      givenName: "Megan",
      surname: "Bowen",
      jobTitle: "Finance Manager",
      department: "Finance",
      companyName: "Contoso Ltd.",
      officeLocation: "Building 12/1100",
      businessPhones: ["+1 412 555 0109", "+1 412 555 0111"],
      mail: `megan@${CONTOSO_DOMAIN}`,
      streetAddress: "1 Contoso Way",
      city: "Redmond",
      postalCode: "98052",
      country: "United States",
      lastPasswordChangeDateTime: "2025-10-20T14:30:00Z",
    },
    {
      id: C.alex,
      userPrincipalName: `alex@${CONTOSO_DOMAIN}`,
      displayName: "Alex Wilber",
      givenName: "Alex",
      surname: "Wilber",
      jobTitle: "Marketing Assistant",
      department: "Marketing",
      companyName: "Contoso Ltd.",
      businessPhones: [],
      mail: `alex@${CONTOSO_DOMAIN}`,
      city: "Tulsa",
      country: "United States",
      lastPasswordChangeDateTime: "2024-03-01T08:00:00Z",
      passwordNeverExpires: true,
    },
  ],
  groups: [
    // Finance and IT Admins are nested in All Staff, so Megan and Adele reach All Staff only transitively.
    { id: C.allStaff, displayName: "All Staff", memberIds: [C.alex, C.finance, C.itAdmins] },
    { id: C.finance, displayName: "Finance", memberIds: [C.megan] },
    { id: C.itAdmins, displayName: "IT Admins", memberIds: [C.adele] },
  ],
};

const fabrikam: DemoRealm = {
  tenantId: FABRIKAM_TENANT_ID,
  slug: FABRIKAM_SLUG,
  name: "Fabrikam, Inc.",
  domain: FABRIKAM_DOMAIN,
  users: [
    {
      id: F.eve,
      userPrincipalName: `eve@${FABRIKAM_DOMAIN}`,
      // Deliberately hostile: signatures must render it as text.
      displayName: "Eve <script>alert(1)</script> & Co",
      givenName: "Eve",
      surname: "O'Hara",
      jobTitle: "Sales \"Lead\"",
      department: "Sales",
      companyName: "Fabrikam, Inc.",
      businessPhones: ["+44 20 7946 0000"],
      mail: `eve@${FABRIKAM_DOMAIN}`,
      city: "London",
      country: "United Kingdom",
      lastPasswordChangeDateTime: "2025-11-15T10:00:00Z",
    },
    {
      id: F.frank,
      userPrincipalName: `frank@${FABRIKAM_DOMAIN}`,
      displayName: "Frank Miller",
      givenName: "Frank",
      surname: "Miller",
      jobTitle: "Engineer",
      department: "Engineering",
      companyName: "Fabrikam, Inc.",
      businessPhones: ["+44 20 7946 0001"],
      mail: `frank@${FABRIKAM_DOMAIN}`,
      city: "Manchester",
      country: "United Kingdom",
      lastPasswordChangeDateTime: "2025-12-20T10:00:00Z",
    },
  ],
  groups: [
    { id: F.allStaff, displayName: "All Staff", memberIds: [F.frank, F.sales] },
    { id: F.sales, displayName: "Sales", memberIds: [F.eve] },
  ],
};

/** The demo directory: Contoso and Fabrikam. */
export const DEMO_REALMS: readonly DemoRealm[] = [contoso, fabrikam];
