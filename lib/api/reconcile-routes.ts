import type { HttpFunctionEntry } from "../registry/types.js";

/** POST /api/admin/v1/reconcile and friends. */
export const reconcileRoutes: HttpFunctionEntry[] = [];
