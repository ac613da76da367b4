import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import type { DeliveryAudience } from "../../../lib/packages/assignment-effective.js";
import { AssignmentRepository } from "../../../lib/packages/assignment-repository.js";
import type { CatalogueRecord, PublishInput } from "../../../lib/packages/catalogue-record.js";
import { CatalogueRepository } from "../../../lib/packages/catalogue-repository.js";
import { DeliveryService } from "../../../lib/packages/manifest-service.js";
import type { ManifestBody } from "../../../lib/packages/manifest-types.js";
import { ASSIGNMENTS_TABLE, createPackageServices, PACKAGES_TABLE, type PackageServices } from "../../../lib/packages/package-service.js";
import { TableStore } from "../../../lib/storage/table-store.js";

const REALM = "abababab-3333-4000-8000-000000000001";
const audience: DeliveryAudience = { deviceId: "dev-1", deviceGroupIds: [], userId: "user-1", userGroupIds: [] };
const policy = { acceptLegacyHashes: true };

const upload = (id: string, version: string, deps: Record<string, string>, c: string): PublishInput => ({
  metadata: { id, version, dependencyGroups: [{ dependencies: Object.entries(deps).map(([d, range]) => ({ id: d, range })) }], installContext: "system" },
  sha256: c.repeat(64),
  size: 10,
  blobName: `sha256/${c.repeat(64)}`,
});

const entries = (m: ManifestBody): string[] => m.packages.map((p) => ("version" in p ? `${p.id}@${p.version}` : `-${p.id}`));

/** One host instance: its own TableStore and services over the shared tables (same prefix). */
const instance = (prefix: string): PackageServices => {
  const store = new TableStore({ kind: "connection-string", connectionString: inject("storageConnectionString") }, prefix);
  return createPackageServices({ table: (name) => store.table(name), clock: new ManualClock(Date.UTC(2026, 3, 1)), publicBaseUrl: "https://rj.example.test" });
};

/** A catalogue repository that counts full listings, to see whether a poll reloaded. */
class CountingCatalogue extends CatalogueRepository {
  listings = 0;
  override async listAll(realmId: string): Promise<CatalogueRecord[]> {
    this.listings++;
    return super.listAll(realmId);
  }
}

let prefix: string;
let a: PackageServices;
let b: PackageServices;

beforeEach(() => {
  prefix = `rjgen${randomBytes(4).toString("hex")}`;
  a = instance(prefix);
  b = instance(prefix);
});

describe("delivery generation across instances", () => {
  it("when instance A publishes, assigns, replaces, deletes, then instance B's very next poll sees each change", async () => {
    expect(entries(await b.delivery.manifest(REALM, audience, policy))).toEqual([]);

    await a.catalogue.publish(REALM, upload("App", "1.0.0", { Lib: "[1.0, 2.0)" }, "1"));
    await a.catalogue.publish(REALM, upload("Lib", "1.0.0", {}, "2"));
    expect(entries(await b.delivery.manifest(REALM, audience, policy))).toEqual([]);

    await a.assignments.put(REALM, "app", { packageId: "App", target: { type: "all" }, intent: "required" });
    expect(entries(await b.delivery.manifest(REALM, audience, policy))).toEqual(["Lib@1.0.0", "App@1.0.0"]);

    await a.catalogue.publish(REALM, upload("App", "1.1.0", { Lib: "[1.0, 2.0)" }, "3"));
    expect(entries(await b.delivery.manifest(REALM, audience, policy))).toEqual(["Lib@1.0.0", "App@1.1.0"]);

    await a.catalogue.importLegacy(REALM, { id: "App", version: "1.2.0", sha1: "a".repeat(40), size: 5, installContext: "system", dependencies: [] });
    expect(entries(await b.delivery.manifest(REALM, audience, policy))).toEqual(["App@1.2.0"]);

    await a.assignments.put(REALM, "app", { packageId: "App", range: "[1.0, 1.2)", target: { type: "all" }, intent: "required" });
    expect(entries(await b.delivery.manifest(REALM, audience, policy))).toEqual(["Lib@1.0.0", "App@1.1.0"]);

    await a.catalogue.delete(REALM, "Lib", "1.0.0");
    const afterDelete = await b.delivery.manifest(REALM, audience, policy);
    expect(entries(afterDelete)).toEqual([]);
    expect(afterDelete.undeliverable.map((u) => u.id)).toEqual(["App", "Lib"]);

    await a.assignments.delete(REALM, "app");
    const afterUnassign = await b.delivery.manifest(REALM, audience, policy);
    expect([entries(afterUnassign), afterUnassign.undeliverable]).toEqual([[], []]);
  });

  it("when install links and explanations follow a change on another instance, then they see it too", async () => {
    await b.delivery.manifest(REALM, audience, policy);
    await a.catalogue.publish(REALM, upload("Tool", "2.0.0", {}, "4"));
    await a.assignments.put(REALM, "tool", { packageId: "Tool", target: { type: "all" }, intent: "available" });
    expect((await b.delivery.installLink(REALM, audience, "tool", policy)).package.version).toBe("2.0.0");
    expect((await b.delivery.explain(REALM, audience, "Tool", policy)).outcome).toBe("delivered");
  });

  it("when two instances write concurrently, then no bump is lost and a third instance sees every write", async () => {
    const c = instance(prefix);
    await c.delivery.manifest(REALM, audience, policy);
    const ids = Array.from({ length: 12 }, (_, i) => `Pkg${i}`);
    const seen = new Set<string>();
    await Promise.all(
      ids.map(async (id, i) => {
        const writer = i % 2 === 0 ? a : b;
        await writer.catalogue.publish(REALM, upload(id, "1.0.0", {}, (i % 16).toString(16)));
        // A poll between the writes caches whatever it saw under the generation it read.
        entries(await c.delivery.manifest(REALM, audience, policy)).forEach((e) => seen.add(e));
        await writer.assignments.put(REALM, id.toLowerCase(), { packageId: id, target: { type: "all" }, intent: "required" });
      }),
    );
    expect(entries(await c.delivery.manifest(REALM, audience, policy)).sort()).toEqual(ids.map((id) => `${id}@1.0.0`).sort());
  });

  it("when writes bump the generation, then every token differs from all earlier ones and an unchanged realm keeps its token", async () => {
    const store = new TableStore({ kind: "connection-string", connectionString: inject("storageConnectionString") }, prefix);
    const catalogue = new CatalogueRepository(() => store.table(PACKAGES_TABLE));
    const assignments = new AssignmentRepository(() => store.table(ASSIGNMENTS_TABLE));
    expect(await catalogue.generation(REALM)).toBe("");
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      await a.catalogue.publish(REALM, upload("Same", `1.${i}.0`, {}, String(i)));
      tokens.push(await catalogue.generation(REALM));
    }
    await Promise.all([a.assignments.put(REALM, "x", { packageId: "Same", target: { type: "all" }, intent: "required" }), b.assignments.put(REALM, "y", { packageId: "Same", target: { type: "all" }, intent: "required" })]);
    tokens.push(await assignments.generation(REALM));
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(await catalogue.generation(REALM)).toBe(tokens[4]);
  });
});

describe("delivery snapshot reuse", () => {
  it("when nothing changed, then polls plan over the cached snapshot; a publish, or the snapshot's age, reloads it", async () => {
    const store = new TableStore({ kind: "connection-string", connectionString: inject("storageConnectionString") }, prefix);
    const clock = new ManualClock(Date.UTC(2026, 3, 1));
    const catalogue = new CountingCatalogue(() => store.table(PACKAGES_TABLE));
    const delivery = new DeliveryService(catalogue, new AssignmentRepository(() => store.table(ASSIGNMENTS_TABLE)), "https://rj.example.test", { clock, maxAgeMs: 60_000 });
    await a.catalogue.publish(REALM, upload("App", "1.0.0", {}, "1"));
    await a.assignments.put(REALM, "app", { packageId: "App", target: { type: "all" }, intent: "required" });

    await Promise.all([1, 2, 3].map(() => delivery.manifest(REALM, audience, policy)));
    await delivery.manifest(REALM, { ...audience, deviceId: "dev-2" }, policy);
    expect(catalogue.listings).toBe(1);

    // Content information is not part of any manifest, so recording it keeps the snapshot.
    await a.catalogue.setContentInfo(REALM, "App", "1.0.0", { v1: "pccrc/v1/x" });
    await delivery.manifest(REALM, audience, policy);
    expect(catalogue.listings).toBe(1);

    await a.catalogue.publish(REALM, upload("App", "2.0.0", {}, "2"));
    expect(entries(await delivery.manifest(REALM, audience, policy))).toEqual(["App@2.0.0"]);
    expect(catalogue.listings).toBe(2);

    clock.advance(60_000);
    await delivery.manifest(REALM, audience, policy);
    expect(catalogue.listings).toBe(3);
  });

  it("when a publish repeats the same bytes or a delete finds nothing, then the generation stays", async () => {
    await a.catalogue.publish(REALM, upload("App", "1.0.0", {}, "1"));
    const store = new TableStore({ kind: "connection-string", connectionString: inject("storageConnectionString") }, prefix);
    const catalogue = new CatalogueRepository(() => store.table(PACKAGES_TABLE));
    const before = await catalogue.generation(REALM);
    expect((await a.catalogue.publish(REALM, upload("App", "1.0.0", {}, "1"))).created).toBe(false);
    expect(await catalogue.delete(REALM, "App", "9.9.9")).toBe(false);
    expect(await catalogue.generation(REALM)).toBe(before);
    expect((await a.catalogue.list(REALM)).map((p) => p.id)).toEqual(["App"]);
  });
});
