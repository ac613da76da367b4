import { randomUUID } from "node:crypto";
import { createDeviceAssertion } from "../auth/device-assertion-client.js";
import type { DevDeviceCa } from "../auth/dev-device-ca.js";

/** Header carrying the device assertion (API.md). */
export const DEVICE_ASSERTION_HEADER = "X-RJ-Device-Assertion";

/** A device's key pair and certificate (CN = device id), as Entra's device registration would leave them. */
export interface DeviceIdentity {
  deviceId: string;
  tenantId: string;
  keyPem: string;
  certPem: string;
  alg: "ES256" | "RS256" | "PS256";
}

/** Generates a key pair and has the dev device CA certify it; throws when the CA cannot issue. */
export async function issueDeviceIdentity(
  ca: DevDeviceCa,
  tenantId: string,
  deviceId: string = randomUUID(),
  alg: DeviceIdentity["alg"] = "ES256",
): Promise<DeviceIdentity> {
  const issued = await ca.issueDeviceCertificate(deviceId, { generate: alg });
  if (issued.keyPem === undefined) throw new Error("the device CA returned no private key");
  return { deviceId: deviceId.toLowerCase(), tenantId: tenantId.toLowerCase(), keyPem: issued.keyPem, certPem: issued.certPem, alg };
}

/** A fresh single-use assertion (new jti) for one request, bound to its method and URL when given. */
export async function freshAssertion(identity: DeviceIdentity, audience: string, request?: { method: string; url: string }): Promise<string> {
  return createDeviceAssertion({
    keyPem: identity.keyPem,
    certPem: identity.certPem,
    tenantId: identity.tenantId,
    deviceId: identity.deviceId,
    audience,
    alg: identity.alg,
    jti: randomUUID(),
    ...(request === undefined ? {} : { request }),
  });
}
