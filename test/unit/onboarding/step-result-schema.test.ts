import { describe, expect, it } from "vitest";
import { parseStepData, resultHash, stepResultBodySchema } from "../../../lib/onboarding/step-result-schema.js";
import { thrownBy as refusal } from "../../support/app-error.js";

const RECOVERY = "111111-222222-333333-444444-555555-666666-777777-888888";

describe("step result bodies", () => {
  it("when a body has an over-long detail or an unknown outcome, then it is refused; the schema itself names unknown fields (the route drops them)", () => {
    expect(stepResultBodySchema.safeParse({ outcome: "succeeded", extra: true }).success).toBe(false);
    expect(stepResultBodySchema.safeParse({ outcome: "failed", detail: "x".repeat(501) }).success).toBe(false);
    expect(stepResultBodySchema.safeParse({ outcome: "done" }).success).toBe(false);
    expect(stepResultBodySchema.safeParse({ outcome: "failed", detail: "exit code 1603" }).success).toBe(true);
  });

  it("when second-identity carries anything but the account name, then the rest is dropped (never kept) and only its name is reported", () => {
    const ignored: string[] = [];
    const parsed = parseStepData("second-identity", { outcome: "succeeded", data: { accountName: "CORP\\adele", password: "hunter2" } }, (paths) => ignored.push(...paths));
    expect(parsed.data).toEqual({ accountName: "CORP\\adele" });
    expect(ignored).toEqual(["data.password"]);
    const error = refusal(() => parseStepData("second-identity", { outcome: "succeeded", data: { accountName: "CORP\"adele", password: "hunter2" } }));
    expect(error.status).toBe(400);
    expect(error.message).not.toContain("hunter2");
  });

  it("when a succeeded step omits the data its kind needs, then it is refused", () => {
    expect(refusal(() => parseStepData("restart", { outcome: "succeeded" })).status).toBe(400);
    expect(refusal(() => parseStepData("bitlocker", { outcome: "succeeded" })).status).toBe(400);
    expect(refusal(() => parseStepData("second-identity", { outcome: "succeeded" })).status).toBe(400);
    expect(parseStepData("restart", { outcome: "failed", detail: "reboot blocked" }).data).toBeUndefined();
  });

  it("when a check or confirm-user carries data (a newer agent's), then it is dropped, not refused", () => {
    expect(parseStepData("check", { outcome: "succeeded", data: { score: 1 } }).data).toEqual({});
    expect(parseStepData("confirm-user", { outcome: "succeeded", data: { password: "x" } }).data).toEqual({});
  });

  it("when BitLocker data carries an unknown field beside valid ones, then the known ones pass and the rules still hold", () => {
    const ignored: string[] = [];
    expect(parseStepData("bitlocker", { outcome: "succeeded", data: { keyId: "k1", joinedToEntra: true, tpmVersion: "2.0" } }, (p) => ignored.push(...p)).data).toEqual({ keyId: "k1", joinedToEntra: true });
    expect(ignored).toEqual(["data.tpmVersion"]);
    expect(refusal(() => parseStepData("bitlocker", { outcome: "succeeded", data: { keyId: "k1", joinedToEntra: true, recoveryKey: RECOVERY, future: 1 } })).status).toBe(400);
  });

  it("when BitLocker data mixes a recovery key with an Entra join, or a device outside Entra sends no key, then it is refused", () => {
    expect(refusal(() => parseStepData("bitlocker", { outcome: "succeeded", data: { keyId: "k1", joinedToEntra: true, recoveryKey: RECOVERY } })).status).toBe(400);
    expect(refusal(() => parseStepData("bitlocker", { outcome: "succeeded", data: { keyId: "k1", joinedToEntra: false } })).status).toBe(400);
    expect(refusal(() => parseStepData("bitlocker", { outcome: "succeeded", data: { keyId: "k1", recoveryKey: "not-a-recovery-password" } })).status).toBe(400);
    expect(parseStepData("bitlocker", { outcome: "succeeded", data: { keyId: "k1", protectorId: "{abc}", recoveryKey: RECOVERY } }).data).toMatchObject({ keyId: "k1" });
  });
});

describe("result fingerprints", () => {
  it("when a repeat differs only in unknown data fields, then the hash is the same", () => {
    expect(resultHash({ outcome: "succeeded", data: { bootId: "b1", uptime: 5 } })).toBe(resultHash({ outcome: "succeeded", data: { bootId: "b1" } }));
  });

  it("when a result is repeated with the same fields in another order, then the hash is the same; a changed field changes it", () => {
    const a = resultHash({ outcome: "succeeded", data: { bootId: "b1" }, detail: "ok" });
    const b = resultHash({ detail: "ok", data: { bootId: "b1" }, outcome: "succeeded" });
    expect(a).toBe(b);
    expect(resultHash({ outcome: "succeeded", data: { bootId: "b2" }, detail: "ok" })).not.toBe(a);
  });

  it("when a result carries a recovery key, then the key does not enter the hash", () => {
    const withKey = resultHash({ outcome: "succeeded", data: { keyId: "k1", recoveryKey: RECOVERY } });
    expect(withKey).toBe(resultHash({ outcome: "succeeded", data: { keyId: "k1" } }));
  });
});
