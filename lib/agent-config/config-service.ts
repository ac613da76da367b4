import type { AuthContext } from "../auth/principals.js";
import { AppError } from "../core/errors.js";
import type { Device } from "../devices/device.js";
import type { DeviceRepository } from "../devices/device-repository.js";
import type { GroupMembership } from "../directory/directory.js";
import type { PolicyRepository } from "../policies/policy-repository.js";
import type { RealmLookup } from "../realms/realm.js";
import { hashDocument, type DocumentSigner } from "../signing/index.js";
import { buildConfigDocument, type ConfigDocument } from "./config-document.js";
import { effectivePolicyFor, type PolicyContext } from "./effective-policy.js";

export interface ConfigDeps {
  devices: DeviceRepository;
  policies: PolicyRepository;
  directory: GroupMembership;
  realms: RealmLookup;
  documents: DocumentSigner;
}

export interface DeviceConfig {
  device: Device;
  document: ConfigDocument;
  hash: string;
  policy: PolicyContext;
}

/** The enrolled device of the caller; 404 `not-enrolled` when it never enrolled. */
export async function enrolledDevice(devices: DeviceRepository, auth: AuthContext): Promise<Device> {
  const deviceId = auth.device?.deviceId;
  if (deviceId === undefined) throw new AppError("unauthorized", "Device assertion required");
  const device = await devices.get(auth.realmId, deviceId);
  if (device === undefined) throw new AppError("not-found", "This device has not enrolled; POST /api/agent/v1/enroll first", { code: "not-enrolled" });
  return device;
}

/** Computes the caller's configuration and its hash, without signing (enough for a 304 or a state answer). */
export async function currentConfig(deps: ConfigDeps, auth: AuthContext): Promise<DeviceConfig> {
  return await configOf(deps, auth, await enrolledDevice(deps.devices, auth));
}

/** The configuration of a device already read (or just written) by this request: no second device read. */
export async function configOf(deps: Omit<ConfigDeps, "devices">, auth: AuthContext, device: Device): Promise<DeviceConfig> {
  const realm = await deps.realms.get(auth.realmId);
  const policy = await effectivePolicyFor(deps, device, auth.user?.userId);
  const document = buildConfigDocument({
    device,
    policy: policy.policy,
    realmNoGraph: realm?.noGraph ?? false,
    ...(auth.user ? { sessionUserId: auth.user.userId } : {}),
  });
  return { device, document, hash: hashDocument(document), policy };
}

/** Signs a configuration (once per distinct hash; later calls come from the signature cache). */
export async function signedConfig(deps: ConfigDeps, config: DeviceConfig): Promise<{ jws: string; hash: string }> {
  const signed = await deps.documents.signDocument({ realmId: config.device.realmId, typ: "rj-config+jwt", body: config.document });
  return { jws: signed.jws, hash: signed.hash };
}
