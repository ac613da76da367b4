import { z } from "zod";
import { isPlainLine } from "../core/well-formed-text.js";

export const requirementMode = z.enum(["enforce", "audit"]);
export type RequirementMode = z.infer<typeof requirementMode>;
export const releaseChannel = z.enum(["stable", "beta", "canary"]);
export type ReleaseChannel = z.infer<typeof releaseChannel>;

/**
 * A policy as an admin writes it for one scope: every field optional, unknown fields refused
 * (no mass assignment). Group policies may carry a priority (higher wins between groups).
 */
export const policyDocumentSchema = z
  .object({
    bitlockerEnabled: z.boolean(),
    bitlockerOnVirtualMachines: z.boolean(),
    securityRequirements: z
      .object({ updates: requirementMode, encryption: requirementMode, firewall: requirementMode, antivirus: requirementMode })
      .partial()
      .strict(),
    makeAdmin: z.boolean(),
    releaseChannel,
    deliveryOptimization: z.object({ enabled: z.boolean() }).strict(),
    reportIntervalSeconds: z.number().int().min(60).max(86_400),
    /** Retired: which escrow a realm uses follows the realm's directory mode, set by the operator, never a policy. */
    noGraph: z.never({ error: "noGraph follows the realm's directory mode, which the operator sets; a policy cannot set it" }),
    acceptLegacyHashes: z.boolean(),
    /** Names the legacy Active Directory authentication provider; its presence adds the second-identity step. */
    // Signed into every device's configuration: one plain line, no control character of any kind.
    legacyAuthProvider: z.string().trim().min(1).max(256).refine(isPlainLine, "must be well-formed text without control characters").nullable(),
    priority: z.number().int().min(-1000).max(1000),
  })
  .partial()
  .strict();

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;

/** A policy as stored; documents written before noGraph was retired lose it (it never decides anything now). */
export function storedPolicyDocument(raw: unknown): PolicyDocument {
  if (typeof raw === "object" && raw !== null && "noGraph" in raw) {
    const { noGraph: _retired, ...rest } = raw as Record<string, unknown>;
    return policyDocumentSchema.parse(rest);
  }
  return policyDocumentSchema.parse(raw);
}

/** The merged policy that applies to one device (and its user). */
export interface EffectivePolicy {
  bitlockerEnabled: boolean;
  bitlockerOnVirtualMachines: boolean;
  securityRequirements: { updates: RequirementMode; encryption: RequirementMode; firewall: RequirementMode; antivirus: RequirementMode };
  makeAdmin: boolean;
  releaseChannel: ReleaseChannel;
  deliveryOptimization: { enabled: boolean };
  reportIntervalSeconds: number;
  acceptLegacyHashes: boolean;
  legacyAuthProvider: string | null;
}

/** What applies when no scope says otherwise. */
export const BUILT_IN_DEFAULTS: EffectivePolicy = {
  bitlockerEnabled: false,
  bitlockerOnVirtualMachines: false,
  securityRequirements: { updates: "audit", encryption: "audit", firewall: "audit", antivirus: "audit" },
  makeAdmin: false,
  releaseChannel: "stable",
  deliveryOptimization: { enabled: false },
  reportIntervalSeconds: 900,
  acceptLegacyHashes: true,
  legacyAuthProvider: null,
};

export type PolicyScope = { kind: "realm" } | { kind: "group"; id: string } | { kind: "device"; id: string };

/** Parses "realm", "group:{id}", "device:{id}"; undefined for anything else. */
export function parsePolicyScope(text: string): PolicyScope | undefined {
  if (text === "realm") return { kind: "realm" };
  const m = /^(group|device):([A-Za-z0-9._-]{1,128})$/.exec(text);
  if (m === null) return undefined;
  return { kind: m[1] as "group" | "device", id: (m[2] ?? "").toLowerCase() };
}

export function formatPolicyScope(scope: PolicyScope): string {
  return scope.kind === "realm" ? "realm" : `${scope.kind}:${scope.id}`;
}
