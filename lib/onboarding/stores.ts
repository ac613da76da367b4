import type { TableStore } from "../storage/table-store.js";
import { HistoryStore } from "./history-store.js";
import { RecoveryKeyStore } from "./recovery-key-store.js";
import { ResultStore } from "./result-store.js";
import { RunStore } from "./run-store.js";

/** The initial run's tables. */
export interface OnboardingStores {
  runs: RunStore;
  results: ResultStore;
  history: HistoryStore;
  recoveryKeys: RecoveryKeyStore;
}

/** The stores over the app's tables (each table is created once by the TableStore). */
export function onboardingStores(tables: TableStore): OnboardingStores {
  return {
    runs: new RunStore(() => tables.table("OnboardingRuns")),
    results: new ResultStore(() => tables.table("OnboardingResults")),
    history: new HistoryStore(() => tables.table("OnboardingHistory")),
    recoveryKeys: new RecoveryKeyStore(() => tables.table("RecoveryKeys")),
  };
}
