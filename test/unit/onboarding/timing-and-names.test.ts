import { describe, expect, it } from "vitest";
import { onboardingInstanceId, onboardingRunId } from "../../../lib/onboarding/names.js";
import { phaseOf, stepIds } from "../../../lib/onboarding/steps.js";
import { runTimingFrom } from "../../../lib/onboarding/timing.js";

const settings = { RJ_STEP_TIMEOUT_SECONDS: 3600, RJ_STEP_RETRIES: 2, RJ_ESCROW_FIRST_RETRY_SECONDS: 30, RJ_ESCROW_ATTEMPTS: 6, RJ_TIME_SCALE: 1 };

describe("run timing", () => {
  it("when the time scale is 60 (--fast), then every duration is divided by 60 and counts stay", () => {
    expect(runTimingFrom(settings)).toEqual({ stepTimeoutMs: 3_600_000, stepRetries: 2, escrowFirstRetryMs: 30_000, escrowAttempts: 6 });
    expect(runTimingFrom({ ...settings, RJ_TIME_SCALE: 60 })).toEqual({ stepTimeoutMs: 60_000, stepRetries: 2, escrowFirstRetryMs: 500, escrowAttempts: 6 });
  });
});

describe("instance and step ids", () => {
  it("when the same device starts twice, then the instance id is the same; each attempt has its own run id", () => {
    const id = onboardingInstanceId("11111111-1111-4111-8111-111111111111", "AAAAAAAA-0000-4000-8000-000000000001");
    expect(id).toBe(onboardingInstanceId("11111111-1111-4111-8111-111111111111", "aaaaaaaa-0000-4000-8000-000000000001"));
    expect(id).toMatch(/^onb-[0-9a-f-]+-[0-9a-f-]+$/);
    expect(onboardingRunId(id, 1)).not.toBe(onboardingRunId(id, 2));
  });

  it("when an id holds characters a durable backend refuses, then they are replaced", () => {
    expect(onboardingInstanceId("r/1", "d#?\\2")).toBe("onb-r_1-d___2");
  });

  it("when steps are named, then system and user installs differ and phases follow the kind", () => {
    expect(stepIds.install("Contoso.App")).toBe("install-contoso.app");
    expect(stepIds.installUser("Contoso.App")).toBe("install-user-contoso.app");
    expect(phaseOf({ kind: "install", installContext: "user" })).toBe("user");
    expect(phaseOf({ kind: "restart" })).toBe("system");
    expect(phaseOf({ kind: "second-identity" })).toBe("user");
  });
});
