import type { Device } from "../devices/device.js";
import type { GroupMembership } from "../directory/directory.js";
import type { DeliveryAudience } from "../packages/assignment-effective.js";

/** Who a device's packages are for: the device and its groups, the session user (else the primary user) and theirs. */
export async function audienceOf(directory: GroupMembership, device: Device, sessionUserId: string | undefined): Promise<DeliveryAudience> {
  const userId = sessionUserId ?? device.primaryUser;
  const [deviceGroupIds, userGroupIds] = await Promise.all([
    directory.deviceGroupIds(device.realmId, device.deviceId),
    userId === undefined ? Promise.resolve([]) : directory.transitiveGroupIds(device.realmId, userId),
  ]);
  return { deviceId: device.deviceId, deviceGroupIds, userGroupIds, ...(userId !== undefined ? { userId } : {}) };
}
