import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { AssignmentRepository } from "../../../lib/packages/assignment-repository.js";
import type { PublishInput } from "../../../lib/packages/catalogue-record.js";
import { CatalogueRepository } from "../../../lib/packages/catalogue-repository.js";
import { CatalogueService } from "../../../lib/packages/catalogue-service.js";
import { AssignmentService } from "../../../lib/packages/assignment-service.js";
import type { NuspecMetadata } from "../../../lib/packages/nuspec-metadata.js";
import { rejectionOf as rejection } from "../../support/app-error.js";

const REALM_A = "aaaaaaaa-0000-4000-8000-000000000001";
const REALM_B = "bbbbbbbb-0000-4000-8000-000000000002";

const hex = (c: string): string => c.repeat(64);
const upload = (id: string, version: string, sha: string, extra: Partial<PublishInput["metadata"]> = {}): PublishInput => ({
  metadata: {
    id,
    version,
    title: `${id} title`,
    description: "desc",
    authors: ["Contoso"],
    tags: ["tools"],
    dependencyGroups: [{ dependencies: [{ id: "Dep", range: "1.0" }] }],
    installContext: "system",
    ...extra,
  },
  sha256: sha,
  size: 3_000_000_000,
  blobName: `sha256/${sha}`,
});

let catalogue: CatalogueService;
let assignments: AssignmentService;
let repo: CatalogueRepository;

beforeAll(async () => {
  const cs = inject("storageConnectionString");
  const suffix = randomBytes(4).toString("hex");
  const packages = TableClient.fromConnectionString(cs, `pkgcat${suffix}`, { allowInsecureConnection: true });
  const assigned = TableClient.fromConnectionString(cs, `pkgasg${suffix}`, { allowInsecureConnection: true });
  await packages.createTable();
  await assigned.createTable();
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  repo = new CatalogueRepository(async () => packages);
  const assignmentRepo = new AssignmentRepository(async () => assigned);
  catalogue = new CatalogueService(repo, assignmentRepo, clock);
  assignments = new AssignmentService(assignmentRepo, clock);
});

describe("catalogue on Table Storage", () => {
  it("when a version is published, then it reads back whole, with a size beyond Int32", async () => {
    const r = await catalogue.publish(REALM_A, upload("Contoso.Tool", "1.0", hex("1")));
    expect(r.created).toBe(true);
    const got = await catalogue.getVersion(REALM_A, "contoso.tool", "1.0.0");
    expect(got).toEqual({
      realmId: REALM_A,
      id: "Contoso.Tool",
      version: "1.0.0",
      title: "Contoso.Tool title",
      description: "desc",
      authors: ["Contoso"],
      tags: ["tools"],
      dependencyGroups: [{ dependencies: [{ id: "Dep", range: "[1.0.0, )" }] }],
      installContext: "system",
      size: 3_000_000_000,
      publishedAt: "2026-03-01T00:00:00.000Z",
      sha256: hex("1"),
      blobName: `sha256/${hex("1")}`,
      contentInfo: {},
    });
  });

  it("when the same bytes are published again, then created is false and nothing changes", async () => {
    await catalogue.publish(REALM_A, upload("Same", "2.0.0", hex("2"), { title: "first" }));
    const again = await catalogue.publish(REALM_A, upload("Same", "2.0", hex("2"), { title: "second" }));
    expect(again.created).toBe(false);
    expect(again.record.title).toBe("first");
    expect((await catalogue.getVersion(REALM_A, "Same", "2.0.0")).title).toBe("first");
  });

  it("when the same id and version are published with other bytes, then 409 version-exists", async () => {
    await catalogue.publish(REALM_A, upload("Clash", "1.0.0", hex("3")));
    const e = await rejection(catalogue.publish(REALM_A, upload("CLASH", "1.0.0", hex("4"))));
    expect([e.status, e.code]).toEqual([409, "version-exists"]);
    expect((await catalogue.getVersion(REALM_A, "Clash", "1.0.0")).sha256).toBe(hex("3"));
  });

  it("when two realms publish the same package id, then neither sees the other's versions", async () => {
    await catalogue.publish(REALM_A, upload("Shared.Id", "1.0.0", hex("5")));
    await catalogue.publish(REALM_B, upload("Shared.Id", "1.0.0", hex("6")));
    await catalogue.publish(REALM_B, upload("Shared.Id", "9.0.0", hex("7")));
    expect((await catalogue.get(REALM_A, "Shared.Id")).versions.map((v) => v.sha256)).toEqual([hex("5")]);
    expect((await catalogue.get(REALM_B, "shared.id")).versions.map((v) => v.version)).toEqual(["1.0.0", "9.0.0"]);
    expect((await catalogue.list(REALM_B)).map((p) => p.id)).toEqual(["Shared.Id"]);
  });

  it("when the realm has several packages, then list groups versions by id in NuGet order", async () => {
    const realm = "cccccccc-0000-4000-8000-000000000003";
    for (const [v, c] of [["10.0.0", "8"], ["2.0.0", "9"], ["2.0.0-beta", "a"]] as const) await catalogue.publish(realm, upload("Zeta", v, hex(c)));
    await catalogue.publish(realm, upload("alpha", "1.0.0", hex("b")));
    const list = await catalogue.list(realm);
    expect(list.map((p) => [p.id, p.versions.map((v) => v.version)])).toEqual([
      ["alpha", ["1.0.0"]],
      ["Zeta", ["2.0.0-beta", "2.0.0", "10.0.0"]],
    ]);
  });

  it("when a package or version is absent, then get and getVersion answer 404", async () => {
    expect((await rejection(catalogue.get(REALM_A, "Nope"))).status).toBe(404);
    expect((await rejection(catalogue.getVersion(REALM_A, "Contoso.Tool", "9.9.9"))).status).toBe(404);
    expect((await rejection(catalogue.getVersion(REALM_B, "Contoso.Tool", "1.0.0"))).status).toBe(404);
  });

  it("when a legacy package is imported twice with the same SHA-1, then the second is not created; another SHA-1 is 409", async () => {
    const body = { id: "Legacy.App", version: "3.1", sha1: "c".repeat(40), size: 42, url: "https://cdn.example.test/l.nupkg", installContext: "user", dependencies: [] };
    expect((await catalogue.importLegacy(REALM_A, body)).created).toBe(true);
    expect((await catalogue.importLegacy(REALM_A, body)).created).toBe(false);
    expect((await rejection(catalogue.importLegacy(REALM_A, { ...body, sha1: "d".repeat(40) }))).code).toBe("version-exists");
    const got = await catalogue.getVersion(REALM_A, "Legacy.App", "3.1.0");
    expect(got).toMatchObject({ legacyHash: true, sha1: "c".repeat(40), url: "https://cdn.example.test/l.nupkg", size: 42 });
    expect(got.blobName).toBeUndefined();
  });

  it("when content information is recorded, then the flags read back and the rest is unchanged", async () => {
    await catalogue.publish(REALM_A, upload("WithInfo", "1.0.0", hex("e")));
    await catalogue.setContentInfo(REALM_A, "WithInfo", "1.0", { v1: "pccrc/v1/x" });
    const r = await catalogue.setContentInfo(REALM_A, "WithInfo", "1.0.0", { v2: "pccrc/v2/x" });
    expect(r.contentInfo).toEqual({ v1: "pccrc/v1/x", v2: "pccrc/v2/x" });
    expect((await catalogue.getVersion(REALM_A, "WithInfo", "1.0.0")).size).toBe(3_000_000_000);
  });

  it("when the upload pipeline hands over an ingested package, then it is published, and a clashing upload is refused before finalize", async () => {
    const metadata: NuspecMetadata = {
      id: "Ingested",
      version: "1.0.0",
      originalVersion: "1.0",
      title: undefined,
      description: "from a nuspec",
      authors: ["A"],
      tags: ["realmjoin:user"],
      installContext: "user",
      dependencyGroups: [{ targetFramework: undefined, dependencies: [{ id: "Dep", range: "[1.0.0, )" }] }],
    };
    await catalogue.assertPublishable(REALM_A, metadata, hex("9"));
    const r = await catalogue.publishIngested(REALM_A, { metadata, sha256Hex: hex("9"), size: 7, contentBlobName: `sha256/${hex("9")}`, copied: true });
    expect(r.record).toMatchObject({ id: "Ingested", version: "1.0.0", installContext: "user", description: "from a nuspec", size: 7 });
    await catalogue.assertPublishable(REALM_A, metadata, hex("9"));
    expect((await rejection(catalogue.assertPublishable(REALM_A, metadata, hex("8")))).code).toBe("version-exists");
    await catalogue.assertPublishable(REALM_B, metadata, hex("8"));
  });

  describe("delete", () => {
    it("when an assignment's range admits the version, then delete is refused with 409 assigned; outside the range it is allowed", async () => {
      await catalogue.publish(REALM_A, upload("Del.Me", "1.0.0", hex("f")));
      await catalogue.publish(REALM_A, upload("Del.Me", "2.0.0", hex("0")));
      await assignments.put(REALM_A, "del-1", { packageId: "del.me", range: "[2.0, )", target: { type: "all" }, intent: "required" });
      const e = await rejection(catalogue.delete(REALM_A, "Del.Me", "2.0.0"));
      expect([e.status, e.code]).toEqual([409, "assigned"]);
      expect(e.extensions).toEqual({ assignmentIds: ["del-1"] });
      await catalogue.delete(REALM_A, "Del.Me", "1.0.0");
      expect((await catalogue.get(REALM_A, "Del.Me")).versions.map((v) => v.version)).toEqual(["2.0.0"]);
    });

    it("when the assignment is removed or only excludes the package, then the version can be deleted", async () => {
      await assignments.put(REALM_A, "del-1", { packageId: "Del.Me", target: { type: "device", id: "d1" }, intent: "exclude" });
      await catalogue.delete(REALM_A, "Del.Me", "2.0.0");
      expect((await rejection(catalogue.get(REALM_A, "Del.Me"))).status).toBe(404);
      expect((await rejection(catalogue.delete(REALM_A, "Del.Me", "2.0.0"))).status).toBe(404);
    });

    it("when another realm assigns the same id, then it does not block this realm's delete", async () => {
      await catalogue.publish(REALM_A, upload("Cross", "1.0.0", hex("5")));
      await assignments.put(REALM_B, "cross", { packageId: "Cross", target: { type: "all" }, intent: "required" });
      await catalogue.delete(REALM_A, "Cross", "1.0.0");
      expect(await repo.getVersion(REALM_A, "Cross", "1.0.0")).toBeUndefined();
    });
  });
});
