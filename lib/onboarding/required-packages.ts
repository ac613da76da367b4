/** One package the initial run installs. */
export interface PlannedPackage {
  packageId: string;
  version: string;
  installContext: "system" | "user";
}

/** The required packages of a device and its user, dependencies first (the packages domain implements it). */
export interface RequiredPackagesSource {
  /** Required packages, in install order, each once; empty when none. */
  requiredPackages(realmId: string, deviceId: string, userId: string | undefined): Promise<PlannedPackage[]>;
}

/** No required packages (until the package catalogue is wired in). */
export const noRequiredPackages: RequiredPackagesSource = { requiredPackages: async () => [] };
