/** Trust-on-first-use record of which certificate a device enrolled with. */
export interface DevicePinStore {
  /** Returns the pinned thumbprint (lowercase hex), or undefined when the device was never pinned. */
  getPin(realmId: string, deviceId: string): Promise<string | undefined>;
  /** Pins the thumbprint unless one exists already (first writer wins); returns which happened. */
  pinIfAbsent(realmId: string, deviceId: string, thumbprint: string): Promise<"pinned" | "exists">;
  /** Removes the pin so the device can enrol again (a re-imaged device); returns false when there was none. */
  clearPin(realmId: string, deviceId: string): Promise<boolean>;
}

/** Which device ids a realm vouches for; pinned trust pins no others. Implemented by the directory domain. */
export interface KnownDevices {
  /** True when the realm's directory has the device, or an admin pre-registered its id. Throws AppError "upstream" when the directory cannot answer. */
  isKnown(realmId: string, deviceId: string): Promise<boolean>;
}

/** The directory's view of a device's certificates (Graph: alternativeSecurityIds); implemented by the directory domain. */
export interface DeviceCertificateTrust {
  /** True when the directory binds this certificate to the device; false when the device or binding is absent. Throws AppError "upstream" when the directory cannot answer. */
  isTrusted(realmId: string, deviceId: string, certDer: Uint8Array): Promise<boolean>;
}

/** Pins kept in memory: tests and single-process local use only. */
export class MemoryDevicePinStore implements DevicePinStore {
  private readonly pins = new Map<string, string>();

  async getPin(realmId: string, deviceId: string): Promise<string | undefined> {
    return this.pins.get(`${realmId}|${deviceId}`);
  }

  async pinIfAbsent(realmId: string, deviceId: string, thumbprint: string): Promise<"pinned" | "exists"> {
    const key = `${realmId}|${deviceId}`;
    if (this.pins.has(key)) return "exists";
    this.pins.set(key, thumbprint);
    return "pinned";
  }

  async clearPin(realmId: string, deviceId: string): Promise<boolean> {
    return this.pins.delete(`${realmId}|${deviceId}`);
  }
}
