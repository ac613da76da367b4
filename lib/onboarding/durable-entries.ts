import type { ActivityEntry, OrchestratorEntry } from "../registry/types.js";
import { onboardingActivityEntries } from "./activities.js";
import { ONBOARDING_ORCHESTRATOR } from "./names.js";
import { onboardingOrchestrator } from "./orchestrator.js";

/** The initial run's orchestrator and activities, as the registry mounts them. */
export const onboardingOrchestrators: OrchestratorEntry[] = [{ name: ONBOARDING_ORCHESTRATOR, handler: onboardingOrchestrator }];
export const onboardingActivities: ActivityEntry[] = onboardingActivityEntries;
