/**
 * Every table, blob container and queue the app uses, by name: the one list the code takes its names from
 * (TableStore and ContainerStore accept only these) and that infra/modules/storage.bicep declares (a test
 * holds the two together). Table names get RJ_TABLE_PREFIX in front ("Devices" -> "rjDevices").
 */
export const APP_TABLES = [
  "Realms",
  "RealmSecrets",
  "Directory",
  "SignatureTemplates",
  "ReplayCache",
  "DevicePins",
  "Signatures",
  "KeyRings",
  "Policies",
  "Devices",
  "DeviceReports",
  "Releases",
  "Packages",
  "Assignments",
  "OnboardingRuns",
  "OnboardingResults",
  "OnboardingHistory",
  "RecoveryKeys",
  "Reconcile",
  "UploadSessions",
  "RetiredDevices",
  "Audit",
] as const;

/**
 * Tables of the local host only: its durable runtime's instances. In Azure the Durable Functions extension
 * keeps orchestrations in its own task hub (tables, queues and a leases container it creates itself).
 */
export const LOCAL_HOST_TABLES = ["DurableInstances"] as const;

/** Blob containers: package files, content information (PeerDist hashes) per package, and state-report details too big for a row. */
export const APP_CONTAINERS = ["packages", "content-info", "device-reports"] as const;

/** Queues: none of the app's own (the Durable extension's task-hub queues are its own business). */
export const APP_QUEUES = [] as const;

export type TableName = (typeof APP_TABLES)[number] | (typeof LOCAL_HOST_TABLES)[number];
export type ContainerName = (typeof APP_CONTAINERS)[number];
