import type { HttpFunctionEntry } from "../registry/types.js";

/** Operator routes (/api/operator/v1): realm lifecycle. */
export const operatorRoutes: HttpFunctionEntry[] = [];
