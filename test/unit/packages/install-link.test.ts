import { describe, expect, it } from "vitest";
import type { Assignment } from "../../../lib/packages/assignment-schema.js";
import { resolveInstallLink } from "../../../lib/packages/install-link.js";
import { planDelivery } from "../../../lib/packages/manifest-plan.js";
import { all, assign, device, input, rec, user } from "./manifest-fixtures.js";
import { thrownBy as failure } from "../../support/app-error.js";

const catalogue = [
  rec("App", "1.0.0", { Lib: "1.0" }),
  rec("Lib", "1.0.0", { Core: "1.0" }),
  rec("Core", "1.0.0"),
  rec("Other", "1.0.0"),
  rec("Broken", "1.0.0", { Nowhere: "1.0" }),
];

const link = (assignments: Assignment[], id: string, exists = true) => resolveInstallLink(planDelivery(input(assignments, catalogue)), id, exists);

describe("resolveInstallLink", () => {
  it("when the package is available to the user, then it answers the entry and its dependency closure, dependencies first", () => {
    const r = link([assign("a", "App", "available", user())], "app");
    expect(r.package.id).toBe("App");
    expect(r.package.intent).toBe("available");
    expect(r.dependencies.map((d) => d.id)).toEqual(["Core", "Lib"]);
    expect(r.dependencies.every((d) => d.intent === "dependency")).toBe(true);
  });

  it.each(["required", "preview", "update"] as const)("when the package is %s for the device, then the link is allowed", (intent) => {
    expect(link([assign("a", "Other", intent, device())], "Other").package.intent).toBe(intent);
  });

  it("when the package exists but nothing assigns it, then 403 not-assigned", () => {
    const e = failure(() => link([assign("a", "App", "available")], "Other"));
    expect([e.status, e.code]).toEqual([403, "not-assigned"]);
  });

  it("when the package is only delivered as a dependency, then it is not assigned (403)", () => {
    expect(failure(() => link([assign("a", "App", "available")], "Lib")).status).toBe(403);
  });

  it.each(["exclude", "uninstall"] as const)("when %s beats available, then 403 not-assigned", (intent) => {
    const e = failure(() => link([assign("a", "Other", "available", all), assign("b", "Other", intent, device())], "Other"));
    expect([e.status, e.code]).toEqual([403, "not-assigned"]);
  });

  it("when the package does not exist in the realm, then 404", () => {
    expect(failure(() => link([assign("a", "Ghost", "available")], "Ghost", false)).status).toBe(404);
  });

  it("when the package is assigned but cannot be delivered, then 409 undeliverable with the reason", () => {
    const e = failure(() => link([assign("a", "Broken", "available")], "Broken"));
    expect([e.status, e.code]).toEqual([409, "undeliverable"]);
    expect(e.extensions).toEqual({ reason: "missing" });
    expect(e.message).toContain("Nowhere");
  });
});
