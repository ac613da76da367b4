import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { AssignmentRepository } from "../../../lib/packages/assignment-repository.js";
import { AssignmentService } from "../../../lib/packages/assignment-service.js";
import { rejectionOf as rejection } from "../../support/app-error.js";

const REALM_A = "aaaaaaaa-1111-4000-8000-000000000001";
const REALM_B = "bbbbbbbb-1111-4000-8000-000000000002";

let service: AssignmentService;
let clock: ManualClock;

beforeAll(async () => {
  const table = TableClient.fromConnectionString(inject("storageConnectionString"), `pkgassign${randomBytes(4).toString("hex")}`, { allowInsecureConnection: true });
  await table.createTable();
  clock = new ManualClock(Date.UTC(2026, 3, 1));
  service = new AssignmentService(new AssignmentRepository(async () => table), clock);
});

describe("assignments on Table Storage", () => {
  it("when an assignment is put, then it is created, reads back, and a second put replaces it", async () => {
    const first = await service.put(REALM_A, "office", { packageId: "Contoso.Office", range: "[16.0, 17.0)", target: { type: "group", id: "G-1" }, intent: "required" });
    expect(first.created).toBe(true);
    expect(await service.get(REALM_A, "office")).toEqual({
      realmId: REALM_A,
      assignmentId: "office",
      packageId: "Contoso.Office",
      range: "[16.0, 17.0)",
      target: { type: "group", id: "g-1" },
      intent: "required",
      updatedAt: "2026-04-01T00:00:00.000Z",
    });
    clock.advance(1000);
    const second = await service.put(REALM_A, "office", { packageId: "Contoso.Office", target: { type: "all" }, intent: "available" });
    expect(second.created).toBe(false);
    const got = await service.get(REALM_A, "office");
    expect(got.range).toBeUndefined();
    expect(got.target).toEqual({ type: "all" });
    expect(got.intent).toBe("available");
  });

  it("when two realms use the same assignment id, then each sees only its own", async () => {
    await service.put(REALM_A, "same-id", { packageId: "A", target: { type: "all" }, intent: "required" });
    await service.put(REALM_B, "same-id", { packageId: "B", target: { type: "device", id: "dev" }, intent: "exclude" });
    expect((await service.get(REALM_A, "same-id")).packageId).toBe("A");
    expect((await service.get(REALM_B, "same-id")).packageId).toBe("B");
    expect((await service.list(REALM_B)).map((a) => a.assignmentId)).toEqual(["same-id"]);
    await service.delete(REALM_B, "same-id");
    expect((await service.get(REALM_A, "same-id")).packageId).toBe("A");
    expect((await rejection(service.get(REALM_B, "same-id"))).status).toBe(404);
  });

  it("when assignments are listed, then they come in assignment-id order", async () => {
    const realm = "cccccccc-1111-4000-8000-000000000003";
    for (const id of ["b.2", "a_1", "C-3"]) await service.put(realm, id, { packageId: "P", target: { type: "all" }, intent: "available" });
    expect((await service.list(realm)).map((a) => a.assignmentId)).toEqual(["C-3", "a_1", "b.2"]);
  });

  it("when an assignment is absent, then get and delete answer 404; a bad id or body is 400 and stores nothing", async () => {
    expect((await rejection(service.get(REALM_A, "missing"))).status).toBe(404);
    expect((await rejection(service.delete(REALM_A, "missing"))).status).toBe(404);
    expect((await rejection(service.put(REALM_A, "bad/id", { packageId: "P", target: { type: "all" }, intent: "required" }))).status).toBe(400);
    expect((await rejection(service.put(REALM_A, "nobody", { packageId: "P", target: { type: "user" }, intent: "required" }))).status).toBe(400);
    expect((await rejection(service.get(REALM_A, "nobody"))).status).toBe(404);
  });
});
