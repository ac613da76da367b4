import type { HttpFunctionEntry } from "../registry/types.js";

/** PUT /api/admin/v1/branchcache. */
export const adminBranchCacheRoutes: HttpFunctionEntry[] = [];
