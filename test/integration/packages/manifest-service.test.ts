import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { AppError } from "../../../lib/core/errors.js";
import type { DeliveryAudience } from "../../../lib/packages/assignment-effective.js";
import type { PublishInput } from "../../../lib/packages/catalogue-record.js";
import { TableStore } from "../../../lib/storage/table-store.js";
import { createPackageServices, type PackageServices } from "../../../lib/packages/package-service.js";

const REALM = "dddddddd-2222-4000-8000-000000000004";
const OTHER = "eeeeeeee-2222-4000-8000-000000000005";
const audience: DeliveryAudience = { deviceId: "dev-9", deviceGroupIds: [], userId: "user-9", userGroupIds: ["pilot"] };

const upload = (id: string, version: string, deps: Record<string, string>, c: string): PublishInput => ({
  metadata: { id, version, dependencyGroups: [{ dependencies: Object.entries(deps).map(([d, range]) => ({ id: d, range })) }], installContext: "system" },
  sha256: c.repeat(64),
  size: 10,
  blobName: `sha256/${c.repeat(64)}`,
});

let services: PackageServices;

beforeAll(async () => {
  const cs = inject("storageConnectionString");
  const store = new TableStore({ kind: "connection-string", connectionString: cs }, `rj${randomBytes(4).toString("hex")}`);
  services = createPackageServices({
    table: (name) => store.table(name),
    clock: new ManualClock(),
    publicBaseUrl: "https://rj.example.test",
  });
  const { catalogue, assignments } = services;
  await catalogue.publish(REALM, upload("App", "1.0.0", { Lib: "1.0" }, "1"));
  await catalogue.publish(REALM, upload("Lib", "1.0.0", { Core: "[1.0, 2.0)" }, "2"));
  await catalogue.publish(REALM, upload("Core", "1.5.0", {}, "3"));
  await catalogue.publish(REALM, upload("Unassigned", "1.0.0", {}, "4"));
  await catalogue.publish(OTHER, upload("Core", "1.0.0", {}, "5"));
  await assignments.put(REALM, "app", { packageId: "App", target: { type: "group", id: "pilot" }, intent: "available" });
});

describe("delivery service on Table Storage", () => {
  it("when the manifest is built, then it loads the dependency closure from the realm's catalogue", async () => {
    const m = await services.delivery.manifest(REALM, audience, { acceptLegacyHashes: false });
    expect(m.packages.map((p) => ("version" in p ? `${p.id}@${p.version}:${p.intent}` : p.id))).toEqual(["Core@1.5.0:dependency", "Lib@1.0.0:dependency", "App@1.0.0:available"]);
    expect(m.undeliverable).toEqual([]);
  });

  it("when the install link names an assigned, an unassigned and an absent package, then 200, 403 and 404", async () => {
    const ok = await services.delivery.installLink(REALM, audience, "app", { acceptLegacyHashes: true });
    expect(ok.dependencies.map((d) => d.id)).toEqual(["Core", "Lib"]);
    const status = async (id: string) =>
      services.delivery.installLink(REALM, audience, id, { acceptLegacyHashes: true }).then(
        () => 200,
        (e: unknown) => (e instanceof AppError ? e.status : 500),
      );
    expect(await status("Unassigned")).toBe(403);
    expect(await status("Nothing")).toBe(404);
    expect(await services.delivery.installLink(OTHER, audience, "Core", { acceptLegacyHashes: true }).catch((e: unknown) => (e as AppError).code)).toBe("not-assigned");
  });

  it("when a package is explained, then the path comes from stored data; an unknown id is 404", async () => {
    const x = await services.delivery.explain(REALM, audience, "Core", { acceptLegacyHashes: true });
    expect(x.dependencyPath).toEqual(["App", "Lib", "Core"]);
    expect(await services.delivery.explain(REALM, audience, "Nothing", { acceptLegacyHashes: true }).catch((e: unknown) => (e as AppError).status)).toBe(404);
  });
});
