import { BUILT_IN_DEFAULTS, type EffectivePolicy, type PolicyDocument } from "./policy.js";

export interface ScopedPolicies {
  realm?: PolicyDocument;
  /** Policies of the groups the device or its user belongs to, keyed by group id. */
  groups: ReadonlyMap<string, PolicyDocument>;
  device?: PolicyDocument;
}

function apply(base: EffectivePolicy, doc: PolicyDocument): EffectivePolicy {
  const { priority: _priority, securityRequirements, deliveryOptimization, ...scalars } = doc;
  const defined = Object.fromEntries(Object.entries(scalars).filter(([, v]) => v !== undefined)) as Partial<EffectivePolicy>;
  return {
    ...base,
    ...defined,
    securityRequirements: { ...base.securityRequirements, ...securityRequirements },
    deliveryOptimization: { ...base.deliveryOptimization, ...deliveryOptimization },
  };
}

/**
 * Precedence, lowest first: built-in defaults, realm, groups, device. Between groups the higher
 * `priority` wins (absent = 0); equal priorities are ordered by group id, the smallest id winning,
 * so the outcome never depends on the order Graph lists memberships in.
 * Returns the effective policy and the group ids in the order they were applied.
 */
export function mergePolicies(scoped: ScopedPolicies): { policy: EffectivePolicy; appliedGroups: string[] } {
  let policy = BUILT_IN_DEFAULTS;
  if (scoped.realm !== undefined) policy = apply(policy, scoped.realm);
  const groups = [...scoped.groups.entries()].sort(([aId, a], [bId, b]) => {
    const byPriority = (a.priority ?? 0) - (b.priority ?? 0);
    return byPriority !== 0 ? byPriority : bId.localeCompare(aId);
  });
  for (const [, doc] of groups) policy = apply(policy, doc);
  if (scoped.device !== undefined) policy = apply(policy, scoped.device);
  return { policy, appliedGroups: groups.map(([id]) => id) };
}
