import { z } from "zod";

/** Step kinds of the initial run (API.md), in order. */
export const STEP_KINDS = ["check", "bitlocker", "install", "restart", "confirm-user", "second-identity"] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** The four security requirement checks. */
export const CHECK_NAMES = ["updates", "encryption", "firewall", "antivirus"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

const mode = z.enum(["enforce", "audit"]);

/** The agent reads what it needs and tolerates fields it does not know (a newer back-end). */
export const configPayloadSchema = z.looseObject({
  realm: z.string(),
  deviceId: z.string(),
  bitlockerEnabled: z.boolean().optional(),
  securityRequirements: z.looseObject({ updates: mode, encryption: mode, firewall: mode, antivirus: mode }).partial().optional(),
  makeAdmin: z.boolean().optional(),
  releaseChannel: z.string().optional(),
  deliveryOptimization: z.looseObject({ downloadMode: z.number().optional(), groupId: z.string().optional() }).optional(),
  reportIntervalSeconds: z.number().positive().optional(),
  noGraph: z.boolean().optional(),
});
export type ConfigPayload = z.infer<typeof configPayloadSchema>;

export const manifestEntrySchema = z.looseObject({
  id: z.string().min(1),
  version: z.string().min(1),
  sha256: z.string().min(1),
  size: z.number().int().nonnegative(),
  installContext: z.string(),
  intent: z.string().optional(),
  dependencies: z.array(z.looseObject({ id: z.string(), range: z.string().optional() })).optional(),
  downloadUrl: z.string().min(1),
  contentInfoUrl: z.string().optional(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export const manifestPayloadSchema = z.looseObject({
  realm: z.string(),
  deviceId: z.string(),
  packages: z.array(manifestEntrySchema),
});
export type ManifestPayload = z.infer<typeof manifestPayloadSchema>;

export const enrollResponseSchema = z.looseObject({
  deviceId: z.string(),
  primaryUser: z.unknown().optional(),
  onboarding: z.unknown().optional(),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

export const stateAckSchema = z.looseObject({
  nextReportSeconds: z.number().positive().optional(),
  configHash: z.string().optional(),
});
export type StateAck = z.infer<typeof stateAckSchema>;

export const onboardingStepSchema = z.looseObject({
  id: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().optional(),
  packageId: z.string().optional(),
  version: z.string().optional(),
  installContext: z.string().optional(),
});
export type OnboardingStep = z.infer<typeof onboardingStepSchema>;

export const onboardingSchema = z.looseObject({
  runId: z.string().min(1),
  status: z.enum(["running", "succeeded", "failed"]),
  phase: z.string().optional(),
  step: onboardingStepSchema.nullish(),
  failure: z.unknown().optional(),
});
export type Onboarding = z.infer<typeof onboardingSchema>;

/** The body of POST /onboarding/{runId}/steps/{stepId}. */
export interface StepAnswer {
  outcome: "succeeded" | "failed";
  detail?: string;
  data?: Record<string, unknown>;
}

/** The body of POST /state (API.md). */
export interface StateReportBody {
  sequence: number;
  reportedAt: string;
  agentVersion: string;
  channel: "stable" | "beta" | "canary";
  installed: { id: string; version: string; status: "installed" | "failed" | "pending" | "uninstalled" }[];
  security: { updates: SecurityState; encryption: SecurityState; firewall: SecurityState; antivirus: SecurityState };
  tpm: { present: boolean; ready: boolean };
  network: { gatewayMac: string; fingerprint: string };
  isVirtualMachine: boolean;
  bootId: string;
}
export type SecurityState = "ok" | "failed" | "unknown";

/** A failure reason as a short string, whatever shape the back-end gives it (string, {reason}, {code}, ...). */
export function failureReason(failure: unknown): string {
  if (failure === undefined || failure === null) return "unknown";
  if (typeof failure === "string") return failure;
  if (typeof failure === "object") {
    const o = failure as Record<string, unknown>;
    for (const key of ["reason", "code", "type", "kind", "detail", "message"]) {
      const v = o[key];
      if (typeof v === "string" && v !== "") return v;
    }
    return JSON.stringify(failure).slice(0, 120);
  }
  return typeof failure === "number" || typeof failure === "boolean" ? String(failure) : "unknown";
}
