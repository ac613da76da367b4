import type { HttpFunctionEntry } from "../registry/types.js";

/** Agent and admin routes of the initial run. */
export const onboardingRoutes: HttpFunctionEntry[] = [];
