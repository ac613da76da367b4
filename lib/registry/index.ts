import { adminConfigRoutes } from "../api/admin-config-routes.js";
import { adminDeviceRoutes } from "../api/admin-device-routes.js";
import { adminDeviceTrustRoutes } from "../api/admin-device-trust-routes.js";
import { adminDeviceActionRoutes } from "../api/admin-device-action-routes.js";
import { auditRoutes } from "../api/audit-routes.js";
import { adminDirectoryRoutes } from "../api/admin-directory-routes.js";
import { agentConfigRoutes } from "../api/agent-config-routes.js";
import { adminPackageRoutes } from "../api/admin-package-routes.js";
import { adminUploadRoutes } from "../api/admin-upload-routes.js";
import { agentPackageRoutes } from "../api/agent-package-routes.js";
import { contentRoutes } from "../api/content-routes.js";
import { directoryRoutes } from "../api/directory-routes.js";
import { endpointsRoute } from "../api/endpoints-route.js";
import { onboardingRoutes } from "../api/onboarding-routes.js";
import { operatorRoutes } from "../api/operator-routes.js";
import { reconcileRoutes } from "../api/reconcile-routes.js";
import { adminBranchCacheRoutes } from "../api/admin-branchcache-routes.js";
import { reconcileTimers } from "../reconcile/timer-entries.js";
import { onboardingActivities, onboardingOrchestrators } from "../onboarding/durable-entries.js";
import { uploadActivities, uploadOrchestrators } from "../packages/upload-durable-entries.js";
import { healthRoute, openApiRoute } from "../api/system-routes.js";
import { notFoundEntry, routerFor } from "./not-found.js";
import type { FunctionRegistry, HttpFunctionEntry } from "./types.js";

const routes: HttpFunctionEntry[] = [
  healthRoute,
  openApiRoute(() => routes),
  ...agentConfigRoutes,
  ...adminConfigRoutes,
  ...adminDeviceRoutes,
  ...adminDeviceTrustRoutes,
  ...adminDeviceActionRoutes,
  ...auditRoutes,
  ...adminDirectoryRoutes,
  ...agentPackageRoutes,
  ...adminPackageRoutes,
  ...adminUploadRoutes,
  ...contentRoutes,
  ...directoryRoutes,
  endpointsRoute,
  ...onboardingRoutes,
  ...operatorRoutes,
  ...reconcileRoutes,
  ...adminBranchCacheRoutes,
];

/** The registry's HTTP functions plus `extra` ones (the local host's dev routes), with the catch-all over all of them. */
export function httpFunctionsWith(extra: readonly HttpFunctionEntry[]): HttpFunctionEntry[] {
  const all = [...routes, ...extra];
  return [...all, notFoundEntry(routerFor(all))];
}

/** Every function of the app, declared once; both hosts mount exactly this (the local host adds its dev routes). */
export const registry: FunctionRegistry = {
  http: httpFunctionsWith([]),
  timers: [...reconcileTimers],
  orchestrators: [...onboardingOrchestrators, ...uploadOrchestrators],
  activities: [...onboardingActivities, ...uploadActivities],
};
