/**
 * Every custom event the back-end emits, with its dimensions. The workbook's KQL in infra/ may name
 * only these (a test parses the queries), and emit() accepts only these (the compiler checks).
 * Dimensions never hold secrets: no tokens, SAS URLs, recovery keys or passphrases.
 */
export const TELEMETRY_EVENTS = {
  DeviceEnrolled: ["realmId", "deviceId", "primaryUserSet", "trust"],
  StateReported: ["realmId", "deviceId", "sequence", "accepted", "agentVersion", "channel"],
  PackageInstallReported: ["realmId", "deviceId", "packageId", "version", "status"],
  OnboardingTransition: ["realmId", "deviceId", "runId", "status", "phase", "stepId", "stepKind", "outcome", "reason", "event"],
  EscrowOutcome: ["realmId", "deviceId", "runId", "outcome", "attempts"],
  RequiredPackageUndeliverable: ["realmId", "deviceId", "runId", "packageId", "reason", "phase"],
  ConfigServed: ["realmId", "deviceId", "notModified", "hash"],
  ManifestServed: ["realmId", "deviceId", "notModified", "packages", "undeliverable"],
  PackagePublished: ["realmId", "packageId", "version", "size", "outcome"],
  ReconcilePass: [
    "stuckRuns",
    "failedRuns",
    "staleDevices",
    "refreshedMemberships",
    "purgedHistories",
    "purgedReplayEntries",
    "purgedRealms",
    "recomputedConfigs",
    "expiredUploads",
    "purgedAuditEntries",
    "rotatedSigningKeys",
    "durationMs",
    "budgetExhausted",
    "failedTasks",
    "realmId",
  ],
  RealmChanged: ["realmId", "action", "operator"],
  /** Unknown fields of agent bodies (newer agents), ignored; aggregated per route and minute, "name=count" pairs. */
  UnknownFieldsIgnored: ["route", "requests", "fields"],
} as const;

export type TelemetryEventName = keyof typeof TELEMETRY_EVENTS;
export type TelemetryDimensions<E extends TelemetryEventName> = Partial<Record<(typeof TELEMETRY_EVENTS)[E][number], string | number | boolean>>;
