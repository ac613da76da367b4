import type { RealmRole } from "../auth/principals.js";

/** Where an entry is kept: a realm's log, or the operators' log (realm lifecycle and key rotation). */
export type AuditScope = { kind: "realm"; realmId: string } | { kind: "operator" };

/** Who acted, from the validated token. */
export interface AuditActor {
  /** Entra object id. */
  id: string;
  upn: string | null;
  /** The highest realm role held, "operator" for operators, null for a user without a role. */
  role: RealmRole | "operator" | null;
}

/** One append-only record. Never holds secrets: summaries name fields, not values of passphrases or keys. */
export interface AuditEntry {
  /** Opaque, unique, newest sorts first. */
  id: string;
  at: string;
  actor: AuditActor;
  /** The function name of the route (e.g. "adminPutPolicy"). */
  action: string;
  /** Method and route template, e.g. "PUT admin/v1/policies/{scope}". */
  route: string;
  /** What was acted on (a device id, a policy scope, a realm id...). */
  target: string;
  summary: string;
  /** "success" for a change made (or a secret read); "denied" for a refused authorisation. */
  outcome: "success" | "denied";
  status: number;
  requestId: string;
}

// Bounds keep every row far below Table limits (32 K characters per property, 1 MiB per entity).
export const AUDIT_LIMITS = { upn: 320, target: 512, summary: 2000, route: 300, action: 120, requestId: 128 } as const;

/** Cuts a value to a bound, marking the cut. */
export function clip(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max - 1) + "…";
}
