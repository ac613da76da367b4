import type { DeviceCertificateTrust } from "../auth/device-trust.js";
import { certificateMatchesAlternativeSecurityId } from "./alternative-security-id.js";
import type { DeviceCertificateTrust as DirectoryDeviceCertificates } from "./directory.js";

/** Auth's "graph" trust mode: the certificate is trusted when the device object's alternativeSecurityIds name it. */
export class AlternativeSecurityIdTrust implements DeviceCertificateTrust {
  constructor(private readonly directory: DirectoryDeviceCertificates) {}

  async isTrusted(realmId: string, deviceId: string, certDer: Uint8Array): Promise<boolean> {
    const ids = await this.directory.deviceAlternativeSecurityIds(realmId, deviceId);
    return ids !== undefined && certificateMatchesAlternativeSecurityId(certDer, ids);
  }
}
