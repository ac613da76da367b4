import type { Clock } from "../core/clock.js";
import type { GroupDirectory, UserDirectory } from "../directory/directory.js";
import { AppError } from "../core/errors.js";
import { DELIVERING_INTENTS, parseAssignmentBody, parseAssignmentId, type Assignment, type AssignmentTarget } from "./assignment-schema.js";
import type { AssignmentService } from "./assignment-service.js";
import type { CatalogueService } from "./catalogue-service.js";
import type { DeliveryImpact } from "./delivery-impact.js";
import type { ImpactFlags, ImpactService } from "./impact-service.js";
import { normalizePackageId } from "./package-id.js";

/** The outcome of a guarded change: done (with the impact it had), or only previewed (dryRun). */
export type Guarded<T> = { done: true; value: T; impact: DeliveryImpact } | { done: false; impact: DeliveryImpact };

interface Deps {
  impact: ImpactService;
  /** The realm's directory (Graph or local), to refuse targets that do not exist. */
  directory: GroupDirectory & UserDirectory;
  catalogue: CatalogueService;
  assignments: AssignmentService;
  clock: Clock;
}

/**
 * Admin changes that can alter what devices receive, each checked for its impact on required packages first:
 * refused with 409 would-break-required unless forced, only previewed on a dry run. The check and the write are two
 * steps; a concurrent change in between is not re-checked (the realm-level undeliverable list shows the result).
 */
export class GuardedChanges {
  constructor(private readonly deps: Deps) {}

  /**
   * PUT an assignment. Throws validation errors; not-found "package-not-found" when a delivering intent names no
   * catalogue package, "group-not-found" / "user-not-found" when the directory has no such target; 409.
   */
  async putAssignment(realmId: string, assignmentId: string, body: unknown, flags: ImpactFlags): Promise<Guarded<{ assignment: Assignment; created: boolean }>> {
    const id = parseAssignmentId(assignmentId);
    const parsed = parseAssignmentBody(body);
    if (DELIVERING_INTENTS.has(parsed.intent)) {
      const key = normalizePackageId(parsed.packageId);
      const known = (await this.deps.catalogue.list(realmId)).some((p) => normalizePackageId(p.id) === key);
      if (!known) throw new AppError("not-found", `No package "${parsed.packageId}" in this realm; publish it before assigning it`, { code: "package-not-found" });
    }
    await this.requireTarget(realmId, parsed.target);
    const candidate: Assignment = { ...parsed, realmId, assignmentId: id, updatedAt: new Date(this.deps.clock.now()).toISOString() };
    const impact = await this.deps.impact.guard(realmId, { kind: "put-assignment", assignment: candidate }, flags);
    if (flags.dryRun) return { done: false, impact };
    return { done: true, value: await this.deps.assignments.put(realmId, id, body), impact };
  }

  /**
   * Groups and users must exist in the realm's directory, as Intune only lets admins pick existing ones: an
   * assignment to a mistyped id would otherwise reach nobody without a word. Device targets are not checked:
   * they name the agent's device id, which may be assigned before the device first enrolls.
   */
  private async requireTarget(realmId: string, target: AssignmentTarget): Promise<void> {
    if (target.type === "group" && (await this.deps.directory.getGroup(realmId, target.id)) === undefined) {
      throw new AppError("not-found", `No group "${target.id}" in this realm's directory`, { code: "group-not-found" });
    }
    if (target.type === "user" && (await this.deps.directory.getUser(realmId, target.id)) === undefined) {
      throw new AppError("not-found", `No user "${target.id}" in this realm's directory`, { code: "user-not-found" });
    }
  }

  /** DELETE an assignment. Throws not-found when absent, 409 when breaking. */
  async deleteAssignment(realmId: string, assignmentId: string, flags: ImpactFlags): Promise<Guarded<undefined>> {
    const existing = await this.deps.assignments.get(realmId, assignmentId);
    const impact = await this.deps.impact.guard(realmId, { kind: "delete-assignment", assignmentId: existing.assignmentId }, flags);
    if (flags.dryRun) return { done: false, impact };
    await this.deps.assignments.delete(realmId, assignmentId);
    return { done: true, value: undefined, impact };
  }

  /** DELETE a package version. Throws not-found, conflict "assigned" (the catalogue's own rule), 409 when breaking. */
  async deleteVersion(realmId: string, id: string, version: string, flags: ImpactFlags): Promise<Guarded<undefined>> {
    const record = await this.deps.catalogue.getVersion(realmId, id, version);
    const impact = await this.deps.impact.guard(realmId, { kind: "delete-version", id: record.id, version: record.version }, flags);
    if (flags.dryRun) return { done: false, impact };
    await this.deps.catalogue.delete(realmId, id, version);
    return { done: true, value: undefined, impact };
  }
}
