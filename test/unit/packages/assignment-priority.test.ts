import { describe, expect, it } from "vitest";
import { effectiveAssignments } from "../../../lib/packages/assignment-effective.js";
import { compareIntents, INTENT_PRIORITY } from "../../../lib/packages/assignment-priority.js";
import type { AssignmentIntent } from "../../../lib/packages/assignment-schema.js";
import { all, assign, audience, device, group, user } from "./manifest-fixtures.js";

describe("intent priority", () => {
  it("when intents are compared, then uninstall > exclude > update > preview > available > required", () => {
    const shuffled: AssignmentIntent[] = ["required", "preview", "exclude", "available", "uninstall", "update"];
    expect([...shuffled].sort(compareIntents)).toEqual(["uninstall", "exclude", "update", "preview", "available", "required"]);
    expect(INTENT_PRIORITY).toEqual(["uninstall", "exclude", "update", "preview", "available", "required"]);
  });

  it("when every pair of intents reaches one device, then the higher one wins and the other is kept as beaten", () => {
    for (const [i, high] of INTENT_PRIORITY.entries()) {
      for (const low of INTENT_PRIORITY.slice(i + 1)) {
        const eff = effectiveAssignments([assign("x-low", "Pkg", low), assign("y-high", "Pkg", high)], audience).get("pkg");
        expect(eff?.winner.assignment.intent).toBe(high);
        expect(eff?.beaten.map((b) => b.assignment.intent)).toEqual([low]);
        expect(eff?.beaten[0]?.beatenBecause).toBe(`intent ${high} takes priority over ${low}`);
      }
    }
  });

  it("when two assignments have the same intent, then the more specific target wins, then the smaller assignment id", () => {
    const eff = effectiveAssignments(
      [assign("a", "Pkg", "required", all, "[1.0, )"), assign("b", "Pkg", "required", device(), "[2.0, )"), assign("c", "Pkg", "required", device(), "[3.0, )")],
      audience,
    ).get("pkg");
    expect(eff?.winner.assignment.assignmentId).toBe("b");
    expect(eff?.beaten.map((b) => b.assignment.assignmentId)).toEqual(["c", "a"]);
    expect(eff?.beaten[1]?.beatenBecause).toContain("more specific");
  });

  it("when package ids differ in case, then they are one package", () => {
    const eff = effectiveAssignments([assign("a", "Pkg", "required"), assign("b", "PKG", "exclude")], audience);
    expect([...eff.keys()]).toEqual(["pkg"]);
    expect(eff.get("pkg")?.winner.assignment.intent).toBe("exclude");
  });

  it("when an assignment reaches through several ways, then each is named", () => {
    const eff = effectiveAssignments(
      [assign("a", "P", "required", group("shared")), assign("b", "Q", "required", user()), assign("c", "R", "required", device())],
      { ...audience, userGroupIds: ["shared"], deviceGroupIds: ["SHARED"] },
    );
    expect(eff.get("p")?.winner.reachedBy).toEqual(["group shared (user's group)", "group shared (device's group)"]);
    expect(eff.get("q")?.winner.reachedBy).toEqual(["user"]);
    expect(eff.get("r")?.winner.reachedBy).toEqual(["device"]);
  });

  it("when no assignment reaches the audience, then there is no effective package", () => {
    expect(effectiveAssignments([assign("a", "P", "required", device("other")), assign("b", "P", "exclude", group("nope"))], audience).size).toBe(0);
  });
});
