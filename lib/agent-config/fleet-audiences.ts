import type { DeviceRepository } from "../devices/device-repository.js";
import type { GroupMembership } from "../directory/directory.js";
import type { FleetMember } from "../packages/delivery-impact.js";
import type { FleetSource } from "../packages/impact-service.js";
import type { PolicyRepository } from "../policies/policy-repository.js";
import { audienceOf } from "./audience.js";
import { effectivePolicyFor } from "./effective-policy.js";

/**
 * Every enrolled device of a realm with its audience (its groups, its primary user and theirs, through the cached
 * memberships) and whether its policy accepts legacy hashes. The realm's policies are read once per call.
 */
export class DeviceFleet implements FleetSource {
  constructor(private readonly deps: { devices: DeviceRepository; policies: PolicyRepository; directory: GroupMembership }) {}

  async fleet(realmId: string): Promise<FleetMember[]> {
    const stored = await this.deps.policies.list(realmId);
    const policyDeps = { policies: { listForAgents: () => Promise.resolve(stored) }, directory: this.deps.directory };
    const out: FleetMember[] = [];
    let token: string | undefined;
    do {
      const page = await this.deps.devices.list(realmId, 200, token);
      const members = await Promise.all(
        page.devices.map(async (device) => {
          const [audience, { policy }] = await Promise.all([audienceOf(this.deps.directory, device, undefined), effectivePolicyFor(policyDeps, device, undefined)]);
          return { audience, acceptLegacyHashes: policy.acceptLegacyHashes };
        }),
      );
      out.push(...members);
      token = page.continuationToken;
    } while (token !== undefined);
    return out;
  }
}
