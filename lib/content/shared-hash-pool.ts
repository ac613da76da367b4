import { availableParallelism } from "node:os";
import { createContentHashPool } from "./content-info-hash-pool.js";
import type { ContentPieceHasher } from "./content-info-hasher.js";

let pool: ContentPieceHasher | undefined;

/** One worker pool per process for content-information hashing (idle workers do not keep the process alive). */
export function sharedContentHashPool(): ContentPieceHasher {
  pool ??= createContentHashPool({ workers: Math.max(1, Math.min(4, availableParallelism())) });
  return pool;
}
