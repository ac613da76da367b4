import { describe, expect, it } from "vitest";
import { isAppError } from "../../../lib/core/errors.js";
import {
  isValidPackageId,
  MAX_PACKAGE_ID_LENGTH,
  normalizePackageId,
  packageIdsEqual,
  validatePackageId,
} from "../../../lib/packages/package-id.js";

function validationMessage(id: string): string {
  try {
    validatePackageId(id);
  } catch (e) {
    if (isAppError(e) && e.kind === "validation") return e.message;
    throw e;
  }
  throw new Error(`"${id}" was accepted`);
}

describe("package ids", () => {
  it("when an id is exactly the maximum length, then it is valid, and one more character makes it invalid", () => {
    expect(isValidPackageId("a".repeat(MAX_PACKAGE_ID_LENGTH))).toBe(true);
    expect(isValidPackageId("a".repeat(MAX_PACKAGE_ID_LENGTH + 1))).toBe(false);
    expect(validationMessage("a".repeat(101))).toBe("Package id is 101 characters long; the maximum is 100");
  });

  it("when separators start, end or follow each other, then the id is refused; underscores count as word characters", () => {
    for (const bad of [".a", "a.", "-a", "a-", "a..b", "a.-b", "a b", "a/b", "a*"]) expect(isValidPackageId(bad), bad).toBe(false);
    for (const good of ["a.b-c", "_a", "a_", "a__b", "A1.B2", "Überpaket.Ärger"]) expect(isValidPackageId(good), good).toBe(true);
    expect(validationMessage("a..b")).toContain('"a..b" is not a valid package id');
  });

  it("when ids differ only in case, then they normalize to the same lower-case key", () => {
    expect(normalizePackageId("Newtonsoft.Json")).toBe("newtonsoft.json");
    expect(packageIdsEqual("Newtonsoft.Json", "NEWTONSOFT.JSON")).toBe(true);
    expect(packageIdsEqual("Newtonsoft.Json", "Newtonsoft.Json.Bson")).toBe(false);
  });
});
