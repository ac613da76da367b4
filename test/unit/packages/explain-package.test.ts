import { describe, expect, it } from "vitest";
import type { Assignment } from "../../../lib/packages/assignment-schema.js";
import { explainPackage } from "../../../lib/packages/explain-package.js";
import { planDelivery } from "../../../lib/packages/manifest-plan.js";
import { all, assign, device, group, input, legacy, rec } from "./manifest-fixtures.js";

const catalogue = [rec("App", "1.0.0", { Lib: "1.0" }), rec("App", "2.0.0", { Lib: "1.0" }), rec("Lib", "1.0.0"), rec("Lib", "1.5.0"), legacy("Old", "1.0.0")];
const explain = (assignments: Assignment[], id: string, acceptLegacyHashes = true) => explainPackage(planDelivery(input(assignments, catalogue, { acceptLegacyHashes })), id);

describe("explainPackage", () => {
  it("when a user-group assignment beats a required-for-all one, then both are shown with how they reached the device", () => {
    const x = explain([assign("everyone", "App", "required", all), assign("pilot", "App", "available", group("ug-1"), "[1.0, 2.0)")], "app");
    expect(x.outcome).toBe("delivered");
    expect(x.intent).toBe("available");
    expect(x.selectedVersion).toBe("1.0.0");
    expect(x.winner).toEqual({ assignmentId: "pilot", intent: "available", target: { type: "group", id: "ug-1" }, range: "[1.0, 2.0)", reachedBy: ["group ug-1 (user's group)"] });
    expect(x.beaten).toEqual([
      { assignmentId: "everyone", intent: "required", target: { type: "all" }, reachedBy: ["all"], beatenBecause: "intent available takes priority over required" },
    ]);
    expect(x.dependencyPath).toEqual(["App"]);
    expect(x.rules.priority).toContain("uninstall > exclude");
  });

  it("when the package comes only as a dependency, then the path from the assigned package is shown", () => {
    const x = explain([assign("a", "App", "required", device())], "Lib");
    expect(x.outcome).toBe("delivered");
    expect(x.intent).toBe("dependency");
    expect(x.selectedVersion).toBe("1.0.0");
    expect(x.dependencyPath).toEqual(["App", "Lib"]);
    expect(x.requiredBy).toEqual(["App"]);
    expect(x.winner).toBeUndefined();
    expect(x.rules.selection).toContain("lowest");
  });

  it("when exclude wins, then the outcome is excluded and the beaten assignment says why", () => {
    const x = explain([assign("a", "App", "required"), assign("b", "App", "exclude", device())], "App");
    expect(x.outcome).toBe("excluded");
    expect(x.winner?.reachedBy).toEqual(["device"]);
    expect(x.beaten[0]?.beatenBecause).toBe("intent exclude takes priority over required");
  });

  it("when the package cannot be delivered, then the reason and detail are given", () => {
    const x = explain([assign("a", "Old", "required")], "Old", false);
    expect(x.outcome).toBe("undeliverable");
    expect(x.undeliverable?.reason).toBe("legacy-hash-refused");
  });

  it("when nothing reaches the device, then the outcome is not-assigned", () => {
    const x = explain([assign("a", "App", "required", device("other-device"))], "App");
    expect(x.outcome).toBe("not-assigned");
    expect(x.beaten).toEqual([]);
  });
});
