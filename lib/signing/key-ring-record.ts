import { z } from "zod";
import { conflict } from "../core/errors.js";
import type { RealmKeyRecord } from "./key-ring-store.js";

const recordSchema = z.object({
  version: z.string().min(1),
  createdAt: z.number(),
  retiredAt: z.number().optional(),
});
const ringSchema = z.array(recordSchema);

/** Serialises a ring for storage as one JSON string. */
export const serializeKeyRing = (keys: RealmKeyRecord[]): string => JSON.stringify(keys);

/** Parses a stored ring; throws (a plain Error, this is corrupt state) when it does not match the schema. */
export function parseKeyRing(json: string): RealmKeyRecord[] {
  const keys = ringSchema.parse(JSON.parse(json) as unknown);
  return keys.map((k) => (k.retiredAt === undefined ? { version: k.version, createdAt: k.createdAt } : { ...k, retiredAt: k.retiredAt }));
}

/** The conflict every KeyRingStore throws when its ETag check fails. */
export const keyRingChanged = () => conflict("The realm key ring changed concurrently", "key-ring-changed");
