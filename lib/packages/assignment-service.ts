import type { Clock } from "../core/clock.js";
import { notFound } from "../core/errors.js";
import type { AssignmentRepository } from "./assignment-repository.js";
import { parseAssignmentBody, parseAssignmentId, type Assignment } from "./assignment-schema.js";

/** Admin use-cases of package assignments. */
export class AssignmentService {
  constructor(
    private readonly assignments: AssignmentRepository,
    private readonly clock: Clock,
  ) {}

  /** Creates or replaces an assignment from an untrusted body; created tells 201 from 200. Throws AppError validation on a bad id or body. */
  async put(realmId: string, assignmentId: string, body: unknown): Promise<{ assignment: Assignment; created: boolean }> {
    const id = parseAssignmentId(assignmentId);
    const parsed = parseAssignmentBody(body);
    return this.assignments.put(realmId, id, parsed, new Date(this.clock.now()).toISOString());
  }

  /** The assignment; throws AppError validation on a bad id, not-found when absent in this realm. */
  async get(realmId: string, assignmentId: string): Promise<Assignment> {
    const found = await this.assignments.get(realmId, parseAssignmentId(assignmentId));
    if (found === undefined) throw notFound(`No assignment "${assignmentId}" in this realm`);
    return found;
  }

  /** Deletes the assignment; throws AppError validation on a bad id, not-found when absent. */
  async delete(realmId: string, assignmentId: string): Promise<void> {
    if (!(await this.assignments.delete(realmId, parseAssignmentId(assignmentId)))) throw notFound(`No assignment "${assignmentId}" in this realm`);
  }

  /** Every assignment of the realm in assignment-id order. */
  async list(realmId: string): Promise<Assignment[]> {
    return this.assignments.list(realmId);
  }
}
