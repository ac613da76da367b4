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
  /** Latest accepted state report (the full body). */
  state?: StateReport;
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
