import { describe, expect, it } from "vitest";
import { buildConfigDocument } from "../../../lib/agent-config/config-document.js";
import { parseInput } from "../../../lib/http/validation.js";
import { BUILT_IN_DEFAULTS, policyDocumentSchema, storedPolicyDocument } from "../../../lib/policies/policy.js";
import { mergePolicies } from "../../../lib/policies/policy-merge.js";
import type { Device } from "../../../lib/devices/device.js";
import { thrownBy as refusal } from "../../support/app-error.js";

const device = { realmId: "r", deviceId: "d" } as Device;

describe("escrow follows the realm, never a policy", () => {
  it("when an admin writes noGraph in a policy (true or false), then 400 naming the operator's realm setting", () => {
    for (const noGraph of [true, false]) {
      const error = refusal(() => parseInput(policyDocumentSchema, { noGraph, makeAdmin: true }));
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/noGraph: .*directory mode/);
    }
  });

  it("when a policy stored before noGraph was retired still holds it, then it reads without it and decides nothing", () => {
    const doc = storedPolicyDocument({ noGraph: true, makeAdmin: true });
    expect(doc).toEqual({ makeAdmin: true });
    const { policy } = mergePolicies({ realm: doc, groups: new Map(), device: storedPolicyDocument({ noGraph: true }) });
    expect(policy).not.toHaveProperty("noGraph");
  });

  it("when the configuration is built, then noGraph is the realm's directory mode alone", () => {
    expect(buildConfigDocument({ device, policy: BUILT_IN_DEFAULTS, realmNoGraph: false }).noGraph).toBe(false);
    expect(buildConfigDocument({ device, policy: BUILT_IN_DEFAULTS, realmNoGraph: true }).noGraph).toBe(true);
  });
});
