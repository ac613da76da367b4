import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/core/errors.js";
import { rejectionOf, thrownBy } from "../../support/app-error.js";

describe("the tests' AppError helpers", () => {
  it("when the call fails with an AppError, then it is returned", async () => {
    const e = new AppError("conflict", "taken");
    expect(await rejectionOf(Promise.reject(e))).toBe(e);
    expect(await rejectionOf(async () => Promise.reject(e))).toBe(e);
    expect(thrownBy(() => {
      throw e;
    })).toBe(e);
  });

  it("when the call succeeds or fails otherwise, then the helper fails the test", async () => {
    await expect(rejectionOf(Promise.resolve(1))).rejects.toThrow(/expected an AppError/);
    await expect(rejectionOf(Promise.reject(new TypeError("boom")))).rejects.toThrow(/expected an AppError.*boom/s);
    expect(() => thrownBy(() => 1)).toThrow(/expected an AppError/);
    expect(() =>
      thrownBy(() => {
        throw new RangeError("off");
      }),
    ).toThrow(/off/);
  });
});
