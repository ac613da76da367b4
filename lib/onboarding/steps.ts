import type { RequirementMode } from "../policies/policy.js";

export type CheckName = "updates" | "encryption" | "firewall" | "antivirus";
export const CHECK_NAMES: readonly CheckName[] = ["updates", "encryption", "firewall", "antivirus"];

export type StepKind = "check" | "bitlocker" | "install" | "restart" | "confirm-user" | "second-identity";
export type Phase = "system" | "user";
export type RunStatus = "running" | "succeeded" | "failed";

/** A step as the agent sees it in GET /onboarding. */
export interface PublishedStep {
  id: string;
  kind: StepKind;
  /** How many times this step has been published (1, then each re-publish after a timeout). */
  publication: number;
  name?: CheckName;
  mode?: RequirementMode;
  packageId?: string;
  version?: string;
  installContext?: "system" | "user";
}

/** Why a run failed. */
export type FailureReason =
  | "check-failed"
  | "bitlocker-failed"
  | "bitlocker-escrow"
  | "install-failed"
  | "restart-failed"
  | "confirm-user-failed"
  | "second-identity-failed"
  | "step-timeout"
  | "required-undeliverable"
  | "internal";

export interface RunFailure {
  reason: FailureReason;
  stepId?: string;
  detail?: string;
}

/** What the agent's answer becomes once accepted (secrets removed): the data of the step's external event. */
export interface StepEvent {
  runId: string;
  stepId: string;
  outcome: "succeeded" | "failed";
  detail?: string;
  /** Allow-listed, secret-free step data (never a recovery key). */
  data?: Record<string, string | boolean>;
  /** The signed-in user who answered (user steps). */
  userId?: string;
}

/** Stable step ids. */
export const stepIds = {
  check: (name: CheckName) => `check-${name}`,
  bitlocker: "bitlocker",
  install: (packageId: string) => `install-${packageId.toLowerCase()}`,
  installUser: (packageId: string) => `install-user-${packageId.toLowerCase()}`,
  restart: "restart",
  confirmUser: "confirm-user",
  secondIdentity: "second-identity",
} as const;

/** The phase a step kind belongs to (install depends on its context). */
export function phaseOf(step: Pick<PublishedStep, "kind" | "installContext">): Phase {
  if (step.kind === "confirm-user" || step.kind === "second-identity") return "user";
  if (step.kind === "install") return step.installContext === "user" ? "user" : "system";
  return "system";
}

/** Step kinds that need the signed-in user's token. */
export const USER_STEP_KINDS: readonly StepKind[] = ["confirm-user", "second-identity"];
