import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, inject } from "vitest";
import { effectivePolicyFor } from "../../../lib/agent-config/effective-policy.js";
import type { Device } from "../../../lib/devices/device.js";
import type { GroupMembership } from "../../../lib/directory/directory.js";
import type { PolicyDocument } from "../../../lib/policies/policy.js";
import { PolicyRepository } from "../../../lib/policies/policy-repository.js";
import { TableStore } from "../../../lib/storage/table-store.js";
import { uniquePrefix } from "../../support/test-host.js";

/*
 * The documented precedence (README "Policy precedence"): built-in defaults < realm < groups < device; between
 * groups the higher priority wins (absent = 0), equal priorities fall to the smallest group id. The same field is
 * set at every level, stored in the real policy table, and the directory lists the groups in every order and
 * split between the device's and the user's memberships: the outcome must never depend on that listing.
 */

const USER = randomUUID();
/** Group ids chosen so that listing order, id order and priority order all disagree. */
const G = {
  low: "c0000000-0000-4000-8000-000000000001", // priority 1
  high: "a0000000-0000-4000-8000-000000000002", // priority 5
  eqSmall: "b0000000-0000-4000-8000-000000000003", // priority 3, smaller id
  eqLarge: "d0000000-0000-4000-8000-000000000004", // priority 3, larger id
  unprioritised: "e0000000-0000-4000-8000-000000000005", // no priority (0)
  negative: "10000000-0000-4000-8000-000000000006", // priority -1
};
const INTERVAL = { realm: 600, low: 1200, high: 1800, eqSmall: 2400, eqLarge: 3000, unprioritised: 3600, negative: 4200, device: 7200 };
const GROUP_POLICIES: Record<keyof typeof G, PolicyDocument> = {
  low: { priority: 1, reportIntervalSeconds: INTERVAL.low, releaseChannel: "beta" },
  high: { priority: 5, reportIntervalSeconds: INTERVAL.high },
  eqSmall: { priority: 3, reportIntervalSeconds: INTERVAL.eqSmall },
  eqLarge: { priority: 3, reportIntervalSeconds: INTERVAL.eqLarge, makeAdmin: true },
  unprioritised: { reportIntervalSeconds: INTERVAL.unprioritised },
  negative: { priority: -1, reportIntervalSeconds: INTERVAL.negative },
};

let policies: PolicyRepository;

/** A directory that lists the given groups in exactly this order, the first `deviceCount` as the device's own. */
function listing(order: string[], deviceCount: number): GroupMembership {
  return {
    deviceGroupIds: async () => order.slice(0, deviceCount),
    transitiveGroupIds: async (_realm, userId) => (userId === USER ? order.slice(deviceCount) : []),
    refresh: () => undefined,
  };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** A realm holding a realm policy, every group policy above and (optionally) a device policy of `deviceId`. */
async function realmWith(options: { device?: boolean } = {}): Promise<{ realmId: string; device: Device }> {
  const realmId = randomUUID();
  const device: Device = { realmId, deviceId: randomUUID(), enrolledAt: "2026-01-01T00:00:00Z", primaryUser: USER, stale: false, lastSequence: 0 };
  const at = "2026-01-01T00:00:00Z";
  await policies.put(realmId, { kind: "realm" }, { reportIntervalSeconds: INTERVAL.realm, releaseChannel: "canary", makeAdmin: false }, at);
  for (const [name, id] of Object.entries(G) as [keyof typeof G, string][]) await policies.put(realmId, { kind: "group", id }, GROUP_POLICIES[name], at);
  if (options.device === true) await policies.put(realmId, { kind: "device", id: device.deviceId }, { reportIntervalSeconds: INTERVAL.device }, at);
  return { realmId, device };
}

/** Every listing order of `groups` (upper- and lower-case, as Graph may return either), each split two ways between device and user. */
async function outcomes(device: Device, groups: string[]): Promise<{ interval: number; channel: string; makeAdmin: boolean; applied: string[]; order: string }[]> {
  const results = [];
  for (const order of permutations(groups)) {
    for (const deviceCount of [0, Math.ceil(order.length / 2)]) {
      const listed = order.map((id, i) => (i % 2 === 0 ? id.toUpperCase() : id));
      const { policy, appliedGroups } = await effectivePolicyFor({ policies, directory: listing(listed, deviceCount) }, device, undefined);
      results.push({
        interval: policy.reportIntervalSeconds,
        channel: policy.releaseChannel,
        makeAdmin: policy.makeAdmin,
        applied: appliedGroups,
        order: `${order.join(",")} (${deviceCount} from the device)`,
      });
    }
  }
  return results;
}

beforeAll(() => {
  const cs = inject("storageConnectionString");
  const tables = new TableStore({ kind: "connection-string", connectionString: cs }, uniquePrefix());
  policies = new PolicyRepository(() => tables.table("Policies"));
});

describe("policy precedence: realm < groups (priority, then smallest id) < device", () => {
  it("when the device is in no group with a policy, then the realm's value beats the built-in default", async () => {
    const { device } = await realmWith();
    const [only] = await outcomes(device, []);
    expect(only).toMatchObject({ interval: INTERVAL.realm, channel: "canary", applied: [] });
  });

  it("when two groups of different priority set the field, then the higher priority wins in every listing order", async () => {
    const { device } = await realmWith();
    for (const r of await outcomes(device, [G.low, G.high])) {
      expect(r.interval, r.order).toBe(INTERVAL.high);
      // A field only the losing group sets still beats the realm's.
      expect(r.channel, r.order).toBe("beta");
      expect(r.applied, r.order).toEqual([G.low, G.high]);
    }
  });

  it("when two groups of equal priority set the field, then the smaller group id wins in every listing order", async () => {
    const { device } = await realmWith();
    for (const r of await outcomes(device, [G.eqLarge, G.eqSmall])) {
      expect(r.interval, r.order).toBe(INTERVAL.eqSmall);
      expect(r.makeAdmin, r.order).toBe(true);
      expect(r.applied, r.order).toEqual([G.eqLarge, G.eqSmall]);
    }
  });

  it("when a group has no priority, then it counts as 0: above a negative priority, below a positive one, in every listing order", async () => {
    const { device } = await realmWith();
    for (const r of await outcomes(device, [G.negative, G.unprioritised, G.low])) {
      expect(r.interval, r.order).toBe(INTERVAL.low);
      expect(r.applied, r.order).toEqual([G.negative, G.unprioritised, G.low]);
    }
    for (const r of await outcomes(device, [G.negative, G.unprioritised])) expect(r.interval, r.order).toBe(INTERVAL.unprioritised);
  });

  it("when every level sets the field, then the device's own policy wins over all groups in every listing order, and the groups still order as documented", async () => {
    const { device } = await realmWith({ device: true });
    for (const r of await outcomes(device, [G.low, G.high, G.eqSmall, G.eqLarge])) {
      expect(r.interval, r.order).toBe(INTERVAL.device);
      expect(r.channel, r.order).toBe("beta");
      expect(r.makeAdmin, r.order).toBe(true);
      expect(r.applied, r.order).toEqual([G.low, G.eqLarge, G.eqSmall, G.high]);
    }
  });

  it("when the device policy is absent, then of four groups the highest priority wins in every listing order", async () => {
    const { device } = await realmWith();
    for (const r of await outcomes(device, [G.low, G.high, G.eqSmall, G.eqLarge])) expect(r.interval, r.order).toBe(INTERVAL.high);
  });
});
