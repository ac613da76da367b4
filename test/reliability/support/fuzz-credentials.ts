import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from "../../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../../lib/localhost/local-host.js";
import { asDevice, assertionFor, newDevice, operatorToken, userToken, type HostDevice } from "../../support/host-identities.js";
import type { CredentialKind } from "./fuzz-requests.js";

/** Real identities of the demo realms, so fuzzed requests also reach past authentication. */
export interface FuzzIdentities {
  /** The device enrolled in Contoso (the "device" credentials). */
  deviceId: string;
  headersFor(kind: CredentialKind): Promise<Record<string, string>>;
}

async function enrolled(host: RunningLocalHost, tenantId: string): Promise<HostDevice> {
  const device = await newDevice(host, tenantId);
  const res = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, tenantId) });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`enroll answered ${res.status}`);
  return device;
}

/** Enrolls a device in each demo realm and mints user, admin and operator tokens. */
export async function fuzzIdentities(host: RunningLocalHost): Promise<FuzzIdentities> {
  const device = await enrolled(host, CONTOSO_TENANT_ID);
  const foreignDevice = await enrolled(host, FABRIKAM_TENANT_ID);
  const unenrolled = await newDevice(host, CONTOSO_TENANT_ID);
  const user = await userToken(host, CONTOSO_TENANT_ID);
  const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  const foreignUser = await userToken(host, FABRIKAM_TENANT_ID);
  const foreignAdmin = await userToken(host, FABRIKAM_TENANT_ID, { admin: true });
  const operator = await operatorToken(host);
  const replayed = await assertionFor(host, device);
  const spent = await fetch(`${host.url}/api/agent/v1/config`, { headers: { "x-rj-device-assertion": replayed } });
  await spent.arrayBuffer();

  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const as = async (d: HostDevice): Promise<Record<string, string>> => ({ "x-rj-device-assertion": await assertionFor(host, d) });
  return {
    deviceId: device.deviceId,
    async headersFor(kind) {
      switch (kind) {
        case "none":
          return {};
        case "garbage-bearer":
          return { authorization: "Bearer not.a.token" };
        case "garbage-assertion":
          return { "x-rj-device-assertion": "eyJhbGciOiJub25lIn0.e30." };
        case "replayed-assertion":
          return { "x-rj-device-assertion": replayed };
        case "device":
          return await as(device);
        case "device+user":
          return { ...(await as(device)), ...bearer(user) };
        case "device+foreign-user":
          return { ...(await as(device)), ...bearer(foreignUser) };
        case "unenrolled-device":
          return await as(unenrolled);
        case "foreign-device":
          return await as(foreignDevice);
        case "user":
          return bearer(user);
        case "admin":
          return bearer(admin);
        case "foreign-admin":
          return bearer(foreignAdmin);
        case "operator":
          return bearer(operator);
      }
    },
  };
}
