import { randomUUID } from "node:crypto";
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { isNotFound } from "../storage/rest-error.js";

/**
 * The row key of a realm's delivery generation, stored in the realm's own partition of the table it guards.
 * keyPart percent-encodes "|", so no row key built from an id can ever equal it.
 */
export const GENERATION_ROW = "|generation";

/** What a realm's partition answers before its first bump (data written before generations existed). */
export const NO_GENERATION = "";

interface GenerationEntity {
  token: string;
}

/**
 * The transaction action that gives the partition a new generation. Submitted in the same transaction as the
 * write it guards, so the change and the bump are stored together or not at all. A fresh random token, not a
 * counter: concurrent writers each leave a value no reader has seen, so no bump can be lost or repeated.
 */
export function bumpGenerationAction(partitionKey: string): TransactionAction {
  return ["upsert", { partitionKey, rowKey: GENERATION_ROW, token: randomUUID() }, "Replace"];
}

/** The partition's current generation token; NO_GENERATION when it was never bumped. Throws only storage errors. */
export async function readGeneration(client: TableClient, partitionKey: string): Promise<string> {
  try {
    const e = await client.getEntity<GenerationEntity>(partitionKey, GENERATION_ROW, { queryOptions: { select: ["token"] } });
    return typeof e.token === "string" ? e.token : NO_GENERATION;
  } catch (error) {
    if (isNotFound(error)) return NO_GENERATION;
    throw error;
  }
}
