import { randomBytes } from "node:crypto";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { audienceOf } from "../../../lib/agent-config/audience.js";
import { systemClock } from "../../../lib/core/clock.js";
import type { Device } from "../../../lib/devices/device.js";
import { GraphDirectory } from "../../../lib/directory/graph-directory.js";
import { LocalDirectory } from "../../../lib/directory/local-directory.js";
import { RealmRoutedDirectory } from "../../../lib/directory/realm-routed-directory.js";
import { createPackageServices, type PackageServices } from "../../../lib/packages/package-service.js";
import { TableStore } from "../../../lib/storage/table-store.js";
import { StaticRealmLookup, testRealm } from "../../support/identity-fixtures.js";
import { startFakeGraph, type FakeGraph } from "../../support/fake-graph.js";

const REALM = "11111111-1111-4111-8111-111111111111";
const ADELE = "1a000000-0000-4000-8000-000000000001";
const NESTED_GROUPS = ["9a000000-0000-4000-8000-000000000001", "9a000000-0000-4000-8000-000000000002", "9a000000-0000-4000-8000-000000000003"];
const DEVICE: Device = { realmId: REALM, deviceId: "d0000000-0000-4000-8000-000000000001", enrolledAt: "2026-01-01T00:00:00Z", stale: false, lastSequence: -1, primaryUser: ADELE };

const credential: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: "graph-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };

let fake: FakeGraph;
let packages: PackageServices;
let directory: RealmRoutedDirectory;

beforeAll(async () => {
  fake = await startFakeGraph();
  fake.pageSize = 1;
  fake.state.users = [{ id: ADELE, userPrincipalName: "adele@contoso.example" }];
  fake.state.userGroups.set(ADELE, NESTED_GROUPS);
  const store = new TableStore({ kind: "connection-string", connectionString: inject("storageConnectionString") }, `rj${randomBytes(4).toString("hex")}`);
  packages = createPackageServices({ table: (n) => store.table(n), clock: systemClock, publicBaseUrl: "https://rj.example" });
  const graph = new GraphDirectory({ credentialFor: () => credential, settings: { baseUrl: fake.baseUrl, retryDelaySeconds: 0 }, fetch: fake.fetch });
  directory = new RealmRoutedDirectory(new StaticRealmLookup([testRealm(REALM, { noGraph: false })]), new LocalDirectory(await store.table("Directory")), graph);
  await packages.catalogue.publish(REALM, {
    metadata: { id: "Finance.Reports", version: "2.0.0", dependencyGroups: [], installContext: "user" },
    sha256: "f".repeat(64),
    size: 42,
    blobName: `sha256/${"f".repeat(64)}`,
  });
});

afterAll(async () => {
  await fake.close();
});

describe("Graph membership driving assignments", () => {
  it("when the user's transitive groups span several Graph pages, then an assignment to a group on the last page reaches the device", async () => {
    await packages.assignments.put(REALM, "finance-reports", { packageId: "Finance.Reports", target: { type: "group", id: NESTED_GROUPS[2] }, intent: "required" });
    const audience = await audienceOf(directory, DEVICE, undefined);
    expect(audience.userGroupIds).toEqual(NESTED_GROUPS);
    const pages = fake.requests.filter((r) => r.path === `/v1.0/users/${ADELE}/transitiveMemberOf/microsoft.graph.group`);
    expect(pages.length).toBe(3);
    const manifest = await packages.delivery.manifest(REALM, audience, { acceptLegacyHashes: true });
    expect(manifest.packages).toContainEqual(expect.objectContaining({ id: "Finance.Reports", intent: "required", installContext: "user" }));
  });

  it("when the membership is cached, then the next poll costs no Graph call", async () => {
    const membershipCalls = (): number => fake.requests.filter((r) => r.path.includes("transitiveMemberOf")).length;
    const before = membershipCalls();
    expect((await audienceOf(directory, DEVICE, undefined)).userGroupIds).toEqual(NESTED_GROUPS);
    expect(membershipCalls()).toBe(before);
  });
});
