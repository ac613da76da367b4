import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { keyPart, odataString, realmKey } from "../storage/keys.js";
import { isConflict, isNotFound } from "../storage/rest-error.js";
import { ASSIGNMENT_INTENTS, type Assignment, type AssignmentBody, type AssignmentIntent, type AssignmentTarget } from "./assignment-schema.js";
import { bumpGenerationAction, GENERATION_ROW, readGeneration } from "./delivery-generation.js";

interface AssignmentEntity {
  packageId: string;
  range?: string;
  targetType: string;
  targetId?: string;
  intent: string;
  updatedAt: string;
}

const partition = (realmId: string): string => realmKey(realmId, "assignments");

function toEntity(body: AssignmentBody, updatedAt: string): AssignmentEntity {
  return {
    packageId: body.packageId,
    ...(body.range === undefined ? {} : { range: body.range }),
    targetType: body.target.type,
    ...(body.target.type === "all" ? {} : { targetId: body.target.id }),
    intent: body.intent,
    updatedAt,
  };
}

function toTarget(e: AssignmentEntity): AssignmentTarget {
  const id = e.targetId ?? "";
  switch (e.targetType) {
    case "user":
      return { type: "user", id };
    case "group":
      return { type: "group", id };
    case "device":
      return { type: "device", id };
    default:
      return { type: "all" };
  }
}

function toAssignment(realmId: string, assignmentId: string, e: AssignmentEntity): Assignment {
  // Only parsed bodies are written; an unknown intent (edited by hand) fails closed as exclude.
  const intent = (ASSIGNMENT_INTENTS as readonly string[]).includes(e.intent) ? (e.intent as AssignmentIntent) : "exclude";
  return {
    realmId,
    assignmentId,
    packageId: e.packageId,
    ...(e.range ? { range: e.range } : {}),
    target: toTarget(e),
    intent,
    updatedAt: e.updatedAt,
  };
}

/** The assignments of every realm (Table "Assignments"): one partition per realm, one row per assignment id. */
export class AssignmentRepository {
  constructor(
    private readonly table: () => Promise<TableClient>,
    /** Called after every stored change that bumps the generation (the composition root bumps the realm's delivery token). */
    private readonly afterChange: (realmId: string) => Promise<void> = async () => {},
  ) {}

  /** Creates or replaces the assignment and bumps the realm's assignment generation; created tells which. */
  async put(realmId: string, assignmentId: string, body: AssignmentBody, updatedAt: string): Promise<{ assignment: Assignment; created: boolean }> {
    const client = await this.table();
    const entity = { partitionKey: partition(realmId), rowKey: keyPart(assignmentId), ...toEntity(body, updatedAt) };
    let created = true;
    try {
      await client.submitTransaction([["create", entity], bumpGenerationAction(entity.partitionKey)]);
    } catch (error) {
      if (!isConflict(error)) throw error;
      created = false;
      await client.submitTransaction([["update", entity, "Replace"], bumpGenerationAction(entity.partitionKey)]);
    }
    await this.afterChange(realmId);
    return { assignment: toAssignment(realmId, assignmentId, toEntity(body, updatedAt)), created };
  }

  /** The assignment, or undefined when absent in this realm. */
  async get(realmId: string, assignmentId: string): Promise<Assignment | undefined> {
    const client = await this.table();
    try {
      const e = await client.getEntity<AssignmentEntity>(partition(realmId), keyPart(assignmentId));
      return toAssignment(realmId, assignmentId, e);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Removes the assignment and bumps the realm's assignment generation; false (and no bump) when it was not there. */
  async delete(realmId: string, assignmentId: string): Promise<boolean> {
    const client = await this.table();
    const pk = partition(realmId);
    try {
      await client.submitTransaction([["delete", { partitionKey: pk, rowKey: keyPart(assignmentId) }], bumpGenerationAction(pk)]);
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
    await this.afterChange(realmId);
    return true;
  }

  /** A token that changes with every put or delete in the realm (see delivery-generation); "" before the first. */
  async generation(realmId: string): Promise<string> {
    return readGeneration(await this.table(), partition(realmId));
  }

  /** Every assignment of the realm, in assignment-id order; [] when none. */
  async list(realmId: string): Promise<Assignment[]> {
    const client = await this.table();
    const out: Assignment[] = [];
    const entities = client.listEntities<AssignmentEntity>({ queryOptions: { filter: `PartitionKey eq ${odataString(partition(realmId))}` } });
    for await (const e of entities as AsyncIterable<TableEntityResult<AssignmentEntity>>) {
      if (e.rowKey === GENERATION_ROW) continue;
      out.push(toAssignment(realmId, decodeURIComponent(e.rowKey ?? ""), e));
    }
    return out.sort((a, b) => (a.assignmentId < b.assignmentId ? -1 : a.assignmentId > b.assignmentId ? 1 : 0));
  }
}
