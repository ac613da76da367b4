import { describe, expect, it } from "vitest";
import { parseAssignmentBody, parseAssignmentId } from "../../../lib/packages/assignment-schema.js";
import { thrownBy as error } from "../../support/app-error.js";

describe("assignment body", () => {
  it("when the body is valid, then it parses with target ids lower-cased", () => {
    expect(parseAssignmentBody({ packageId: "Contoso.App", range: "[1.0, 2.0)", target: { type: "group", id: "ABC-123" }, intent: "required" })).toEqual({
      packageId: "Contoso.App",
      range: "[1.0, 2.0)",
      target: { type: "group", id: "abc-123" },
      intent: "required",
    });
  });

  it("when the target is all, then no id is needed and an id is refused", () => {
    expect(parseAssignmentBody({ packageId: "A", target: { type: "all" }, intent: "available" }).target).toEqual({ type: "all" });
    expect(error(() => parseAssignmentBody({ packageId: "A", target: { type: "all", id: "x" }, intent: "available" })).status).toBe(400);
  });

  it.each([
    ["an unknown field", { packageId: "A", target: { type: "all" }, intent: "required", extra: 1 }],
    ["a user target without id", { packageId: "A", target: { type: "user" }, intent: "required" }],
    ["an unknown target type", { packageId: "A", target: { type: "tenant" }, intent: "required" }],
    ["an unknown intent", { packageId: "A", target: { type: "all" }, intent: "mandatory" }],
    ["an invalid range", { packageId: "A", range: "[2.0, 1.0]", target: { type: "all" }, intent: "required" }],
    ["an invalid package id", { packageId: "a..b", target: { type: "all" }, intent: "required" }],
    ["an unsafe target id", { packageId: "A", target: { type: "device", id: "../x" }, intent: "required" }],
    ["not an object", "required"],
  ])("when the body has %s, then it is refused with 400", (_name, body) => {
    const e = error(() => parseAssignmentBody(body));
    expect(e.status).toBe(400);
    expect(e.code).toBe("invalid-assignment");
  });

  it("when the assignment id is a safe token, then it is accepted; otherwise refused", () => {
    expect(parseAssignmentId("office-2024_v1.x")).toBe("office-2024_v1.x");
    for (const bad of ["", "a/b", "a b", "x".repeat(65), "ä"]) expect(error(() => parseAssignmentId(bad)).code).toBe("invalid-assignment-id");
  });
});
