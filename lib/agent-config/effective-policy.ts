import type { Device } from "../devices/device.js";
import type { GroupMembership } from "../directory/directory.js";
import { mergePolicies } from "../policies/policy-merge.js";
import type { EffectivePolicy, PolicyDocument } from "../policies/policy.js";
import type { PolicyRepository } from "../policies/policy-repository.js";

export interface PolicyContext {
  policy: EffectivePolicy;
  /** The groups whose policies applied, lowest precedence first. */
  appliedGroups: string[];
  /** Every group of the device and of the user whose policy was considered. */
  groupIds: string[];
}

/**
 * The device's effective policy: realm, then the policies of the device's groups and of the user's
 * groups (the signed-in user, else the primary user), then the device's own override.
 */
export async function effectivePolicyFor(
  deps: { policies: Pick<PolicyRepository, "listForAgents">; directory: GroupMembership },
  device: Device,
  userId: string | undefined,
): Promise<PolicyContext> {
  const stored = await deps.policies.listForAgents(device.realmId);
  const user = userId ?? device.primaryUser;
  const [deviceGroups, userGroups] = await Promise.all([
    deps.directory.deviceGroupIds(device.realmId, device.deviceId),
    user === undefined ? Promise.resolve([]) : deps.directory.transitiveGroupIds(device.realmId, user),
  ]);
  const groupIds = [...new Set([...deviceGroups, ...userGroups].map((g) => g.toLowerCase()))];
  const byScope = new Map(stored.map((p) => [p.scope, p.document] as const));
  const groups = new Map<string, PolicyDocument>();
  for (const id of groupIds) {
    const doc = byScope.get(`group:${id}`);
    if (doc !== undefined) groups.set(id, doc);
  }
  const realm = byScope.get("realm");
  const own = byScope.get(`device:${device.deviceId.toLowerCase()}`);
  const { policy, appliedGroups } = mergePolicies({ groups, ...(realm ? { realm } : {}), ...(own ? { device: own } : {}) });
  return { policy, appliedGroups, groupIds };
}
