/** One package the initial run installs. */
export interface PlannedPackage {
  packageId: string;
  version: string;
  installContext: "system" | "user";
}

/** A required package the device cannot be given, and why (missing, unsatisfiable, cycle, excluded dependency...). */
export interface UndeliverableRequiredPackage {
  packageId: string;
  reason: string;
  detail: string;
}

/** The required packages of a device and its user, dependencies first (the packages domain implements it). */
export interface RequiredPackagesSource {
  /** Required packages, in install order, each once; empty when none. */
  requiredPackages(realmId: string, deviceId: string, userId: string | undefined): Promise<PlannedPackage[]>;
  /** Required packages that cannot be delivered to the device and user; absent means none can be undeliverable. */
  undeliverableRequired?(realmId: string, deviceId: string, userId: string | undefined): Promise<UndeliverableRequiredPackage[]>;
}

/** No required packages (until the package catalogue is wired in). */
export const noRequiredPackages: RequiredPackagesSource = { requiredPackages: async () => [] };
