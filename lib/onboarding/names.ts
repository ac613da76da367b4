/** Name of the initial-run orchestrator. */
export const ONBOARDING_ORCHESTRATOR = "onboardingOrchestrator";

/** Names of the initial run's activities. */
export const ONBOARDING_ACTIVITIES = {
  loadPlan: "onboardingLoadPlan",
  publishStep: "onboardingPublishStep",
  record: "onboardingRecord",
  bitlockerDecision: "onboardingBitlockerDecision",
  verifyEscrow: "onboardingVerifyEscrow",
  confirmUser: "onboardingConfirmUser",
  loadUserPlan: "onboardingLoadUserPlan",
  finish: "onboardingFinish",
} as const;

/** The external event carrying the agent's result of one step. */
export const stepEventName = (stepId: string): string => `result:${stepId}`;

// Realm and device ids are GUIDs; anything else is reduced to characters every durable backend accepts.
const idPart = (value: string): string => value.toLowerCase().replace(/[^a-z0-9-]/g, "_");

/** The one orchestration instance of a device's initial run: the same for every start, so a second start is a no-op. */
export const onboardingInstanceId = (realmId: string, deviceId: string): string => `onb-${idPart(realmId)}-${idPart(deviceId)}`;

/** The run id of one attempt (attempt 1 is the first run; each admin retry adds one). */
export const onboardingRunId = (instanceId: string, attempt: number): string => `${instanceId}-r${attempt}`;
