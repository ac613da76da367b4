/** A device of a realm, as the registry keeps it. */
export interface Device {
  realmId: string;
  deviceId: string;
  enrolledAt: string;
  /** Entra object id of the primary user; set at first enroll when absent, or by an admin. */
  primaryUser?: string;
  lastSeenAt?: string;
  /** SHA-256 thumbprint of the certificate the device last authenticated with. */
  thumbprint?: string;
  stale: boolean;
  lastSequence: number;
  /** Latest accepted state report without its detail (the package list): see DeviceRepository.latestReport for all of it. */
  state?: StateSummary;
  /** The last accepted reports (at most 20), newest first. */
  reports?: ReportSummary[];
  /** Delivery Optimization group id derived from the latest network fingerprint. */
  doGroupId?: string;
  /** Set by an admin's "sync now"; the next configuration carries it, and serving that configuration clears it. */
  syncRequestedAt?: string;
}

export type InstallStatus = "installed" | "failed" | "pending" | "uninstalled";
export type SecurityState = "ok" | "failed" | "unknown";

export interface StateReport {
  sequence: number;
  reportedAt: string;
  agentVersion: string;
  channel: "stable" | "beta" | "canary";
  installed: { id: string; version: string; status: InstallStatus }[];
  security: { updates: SecurityState; encryption: SecurityState; firewall: SecurityState; antivirus: SecurityState };
  tpm: { present: boolean; ready: boolean };
  network: { gatewayMac: string; fingerprint: string };
  isVirtualMachine?: boolean;
  bootId?: string;
}

/** The parts of a state report that are large and change rarely; kept apart from the device row when too big for it. */
export const REPORT_DETAIL_FIELDS = ["installed"] as const;
export type ReportDetailField = (typeof REPORT_DETAIL_FIELDS)[number];

/** A state report without its detail: small and bounded, kept on the device row. */
export type StateSummary = Omit<StateReport, ReportDetailField>;

/** One line of a device's report history. */
export interface ReportSummary {
  sequence: number;
  reportedAt: string;
  receivedAt: string;
}
