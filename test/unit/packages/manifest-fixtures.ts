import { createHash } from "node:crypto";
import type { DeliveryAudience } from "../../../lib/packages/assignment-effective.js";
import type { Assignment, AssignmentIntent, AssignmentTarget } from "../../../lib/packages/assignment-schema.js";
import type { CatalogueRecord } from "../../../lib/packages/catalogue-record.js";
import type { ManifestInput } from "../../../lib/packages/manifest-types.js";
import { parseRange, toNormalizedRangeString } from "../../../lib/packages/nuget-range.js";

export const REALM = "11111111-2222-4333-8444-555555555555";
export const BASE_URL = "https://rj.example.test/";

export const sha256Of = (id: string, version: string): string => createHash("sha256").update(`${id}@${version}`).digest("hex");

/** A published version with flat dependencies { DepId: "range" }. */
export function rec(id: string, version: string, deps: Record<string, string> = {}, extra: Partial<CatalogueRecord> = {}): CatalogueRecord {
  const sha256 = sha256Of(id, version);
  return {
    realmId: REALM,
    id,
    version,
    title: id,
    description: "",
    authors: [],
    tags: [],
    dependencyGroups: [{ dependencies: Object.entries(deps).map(([d, r]) => ({ id: d, range: toNormalizedRangeString(parseRange(r)) })) }],
    installContext: "system",
    size: 1000,
    publishedAt: "2026-01-01T00:00:00.000Z",
    sha256,
    blobName: `sha256/${sha256}`,
    contentInfo: {},
    ...extra,
  };
}

/** A legacy import (SHA-1 only). */
export function legacy(id: string, version: string, deps: Record<string, string> = {}): CatalogueRecord {
  const { sha256: _s, blobName: _b, ...rest } = rec(id, version, deps);
  return { ...rest, sha1: "a".repeat(40), legacyHash: true, url: `https://legacy.example.test/${id}.${version}.nupkg` };
}

export const all: AssignmentTarget = { type: "all" };
export const device = (id = "dev-1"): AssignmentTarget => ({ type: "device", id });
export const user = (id = "user-1"): AssignmentTarget => ({ type: "user", id });
export const group = (id: string): AssignmentTarget => ({ type: "group", id });

export function assign(assignmentId: string, packageId: string, intent: AssignmentIntent, target: AssignmentTarget = all, range?: string): Assignment {
  return { realmId: REALM, assignmentId, packageId, intent, target, ...(range === undefined ? {} : { range }), updatedAt: "2026-01-01T00:00:00.000Z" };
}

export const audience: DeliveryAudience = { deviceId: "dev-1", deviceGroupIds: ["dg-1"], userId: "user-1", userGroupIds: ["ug-1"] };

export function input(assignments: Assignment[], catalogue: CatalogueRecord[], extra: Partial<ManifestInput> = {}): ManifestInput {
  return { realmId: REALM, audience, assignments, catalogue, acceptLegacyHashes: true, baseUrl: BASE_URL, ...extra };
}
