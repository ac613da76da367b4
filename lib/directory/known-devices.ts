import type { KnownDevices } from "../auth/device-trust.js";
import type { DeviceCertificateTrust } from "./directory.js";

/**
 * The device ids a realm vouches for: those an admin pre-registered (kept in the local directory) and
 * those the realm's own directory has (Graph's device objects, or the local directory of NoGraph realms).
 */
export class DirectoryKnownDevices implements KnownDevices {
  constructor(
    private readonly realmDirectory: DeviceCertificateTrust,
    private readonly preRegistered: DeviceCertificateTrust,
  ) {}

  async isKnown(realmId: string, deviceId: string): Promise<boolean> {
    if ((await this.preRegistered.deviceAlternativeSecurityIds(realmId, deviceId)) !== undefined) return true;
    return (await this.realmDirectory.deviceAlternativeSecurityIds(realmId, deviceId)) !== undefined;
  }
}
