import type { ActivityEntry, OrchestratorEntry } from "../registry/types.js";

/** The initial run's orchestrator and activities, as the registry mounts them. */
export const onboardingOrchestrators: OrchestratorEntry[] = [];
export const onboardingActivities: ActivityEntry[] = [];
