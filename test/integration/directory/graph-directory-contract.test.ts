import { afterAll } from "vitest";
import { DEMO_REALMS, type DemoRealm } from "../../../lib/directory/demo-directory.js";
import { GraphDirectory } from "../../../lib/directory/graph-directory.js";
import { emptyFakeGraphState, startFakeGraph, type FakeGraph, type FakeGraphState } from "../../support/fake-graph.js";
import { directoryContract } from "./directory-contract.js";

let fake: FakeGraph | undefined;

afterAll(async () => {
  await fake?.close();
});

/** The demo realm as Graph would hold it: transitive memberships precomputed, nulls for unset fields. */
function graphStateOf(realm: DemoRealm): FakeGraphState {
  const state = emptyFakeGraphState();
  state.users = realm.users.map(({ passwordNeverExpires, ...user }) => ({
    ...user,
    passwordPolicies: passwordNeverExpires === true ? "DisablePasswordExpiration" : null,
  }));
  for (const user of realm.users) state.userGroups.set(user.id, closure(realm, user.id));
  state.domains.set(realm.domain, realm.passwordValidityDays ?? null);
  return state;
}

function closure(realm: DemoRealm, memberId: string): string[] {
  const found = new Set<string>();
  const visit = (id: string) => {
    for (const group of realm.groups) {
      if (group.memberIds.includes(id) && !found.has(group.id)) {
        found.add(group.id);
        visit(group.id);
      }
    }
  };
  visit(memberId);
  return [...found];
}

directoryContract("GraphDirectory over a fake Graph", async () => {
  fake = await startFakeGraph();
  const graph = fake;
  const token = (tenantId: string) => `token-for-${tenantId}`;
  for (const realm of DEMO_REALMS) graph.stateByToken.set(token(realm.tenantId), graphStateOf(realm));
  const stateOf = (realmId: string) => {
    const state = graph.stateByToken.get(token(realmId));
    if (state === undefined) throw new Error(`no realm ${realmId}`);
    return state;
  };
  return {
    directory: new GraphDirectory({
      credentialFor: (tenantId) => ({
        getToken: async () => ({ token: token(tenantId), expiresOnTimestamp: Date.now() + 3_600_000 }),
      }),
      settings: { baseUrl: graph.baseUrl },
      fetch: graph.fetch,
    }),
    addDevice: async (realmId, deviceId, directGroupIds, altIds) => {
      const realm = DEMO_REALMS.find((r) => r.tenantId === realmId);
      if (realm === undefined) throw new Error(`no realm ${realmId}`);
      const objectId = `0b${deviceId.slice(2)}`;
      const state = stateOf(realmId);
      state.devices.push({
        id: objectId,
        deviceId,
        alternativeSecurityIds: altIds.map((a) => ({ type: a.type, identityProvider: a.identityProvider ?? null, key: a.key })),
      });
      const groups = new Set(directGroupIds);
      for (const id of directGroupIds) for (const outer of closure(realm, id)) groups.add(outer);
      state.deviceGroups.set(objectId, [...groups]);
    },
    recordBitlockerKey: async (realmId, deviceId, keyId) => {
      stateOf(realmId).recoveryKeys.push({ id: keyId, deviceId, createdDateTime: "2026-01-01T00:00:00Z", volumeType: 1 });
    },
  };
});
