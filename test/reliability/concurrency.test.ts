import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, asUser, newDevice, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { startReliabilityHost } from "./support/reliability-host.js";

let host: RunningLocalHost;
let adele: string;
let megan: string;

beforeAll(async () => {
  host = await startReliabilityHost({ env: { RJ_DEVICE_RATE_PER_MINUTE: "100000" } });
  adele = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  megan = await userToken(host, CONTOSO_TENANT_ID, { upn: "megan@contoso.example", admin: true });
});
afterAll(async () => {
  await host.stop();
});

interface Answer {
  status: number;
  etag: string | null;
  type: string | null;
  body: Record<string, unknown>;
}

async function answer(res: Response): Promise<Answer> {
  return { status: res.status, etag: res.headers.get("etag"), type: res.headers.get("content-type"), body: (await res.json()) as Record<string, unknown> };
}

async function putPolicy(token: string, scope: string, policy: Record<string, unknown>, headers: Record<string, string>): Promise<Answer> {
  return await answer(await asUser(host, token, `/api/admin/v1/policies/${scope}`, { method: "PUT", body: policy, headers }));
}

async function getPolicy(scope: string): Promise<Answer> {
  return await answer(await asUser(host, adele, `/api/admin/v1/policies/${scope}`));
}

describe("two admins changing one policy at once", () => {
  it("when both write over the same ETag, then exactly one wins, the other gets 412 and succeeds after re-reading, and no write is lost", async () => {
    const scope = `group:${randomUUID()}`;
    const created = await putPolicy(adele, scope, { reportIntervalSeconds: 300 }, { "if-none-match": "*" });
    expect(created.status).toBe(200);
    for (let round = 0; round < 5; round++) {
      const current = await getPolicy(scope);
      const etag = current.etag ?? "";
      const writes = [
        { token: adele, policy: { reportIntervalSeconds: 600 + 2 * round } },
        { token: megan, policy: { reportIntervalSeconds: 601 + 2 * round } },
      ];
      const answers = await Promise.all(writes.map(async (w) => await putPolicy(w.token, scope, w.policy, { "if-match": etag })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
      const winner = answers.findIndex((a) => a.status === 200);
      const loser = 1 - winner;
      expect(answers[loser]?.type).toBe("application/problem+json");
      const afterRace = await getPolicy(scope);
      expect(afterRace.body["policy"]).toEqual(writes[winner]?.policy);
      expect(afterRace.etag).toBe(answers[winner]?.etag);

      // The loser re-reads and applies its change over the winner's: both changes were seen, none silently lost.
      const retried = await putPolicy(writes[loser]?.token ?? "", scope, writes[loser]?.policy ?? {}, { "if-match": afterRace.etag ?? "" });
      expect(retried.status).toBe(200);
      expect((await getPolicy(scope)).body["policy"]).toEqual(writes[loser]?.policy);
    }
  });

  it("when a write carries a stale ETag, then 412 problem+json and the stored policy is unchanged", async () => {
    const scope = `group:${randomUUID()}`;
    const first = await putPolicy(adele, scope, { reportIntervalSeconds: 300 }, {});
    const second = await putPolicy(megan, scope, { reportIntervalSeconds: 400 }, { "if-match": first.etag ?? "" });
    expect(second.status).toBe(200);
    const stale = await putPolicy(adele, scope, { reportIntervalSeconds: 500 }, { "if-match": first.etag ?? "" });
    expect(stale.status).toBe(412);
    expect(stale.type).toBe("application/problem+json");
    expect(stale.body["requestId"]).toEqual(expect.any(String));
    expect((await getPolicy(scope)).body["policy"]).toEqual({ reportIntervalSeconds: 400 });
  });

  it("when both create a missing policy at once with If-None-Match: *, then exactly one creates it", async () => {
    const scope = `group:${randomUUID()}`;
    const answers = await Promise.all([
      putPolicy(adele, scope, { reportIntervalSeconds: 700 }, { "if-none-match": "*" }),
      putPolicy(megan, scope, { reportIntervalSeconds: 701 }, { "if-none-match": "*" }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
    const winner = answers.findIndex((a) => a.status === 200);
    expect((await getPolicy(scope)).body["policy"]).toEqual({ reportIntervalSeconds: winner === 0 ? 700 : 701 });
  });
});

describe("one device reporting from two processes", () => {
  async function enrolled(): Promise<HostDevice> {
    const device = await newDevice(host, CONTOSO_TENANT_ID);
    const res = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, CONTOSO_TENANT_ID) });
    expect(res.status).toBe(201);
    return device;
  }

  async function report(device: HostDevice, sequence: number): Promise<{ sequence: number; status: number; accepted: unknown }> {
    const res = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(sequence, { agentVersion: `4.2.${sequence}` }) });
    const body = (await res.json()) as Record<string, unknown>;
    return { sequence, status: res.status, accepted: body["accepted"] };
  }

  it("when two streams send interleaved sequences at once, then the stored sequence is the highest and every accepted report is kept", async () => {
    const device = await enrolled();
    // 20 reports in all: the device keeps its last 20, so every accepted one must still be there.
    const odd = Array.from({ length: 10 }, (_, i) => 2 * i + 1);
    const even = Array.from({ length: 10 }, (_, i) => 2 * i + 2);
    const stream = async (sequences: number[]): Promise<{ sequence: number; status: number; accepted: unknown }[]> => {
      const out = [];
      for (const s of sequences) out.push(await report(device, s));
      return out;
    };
    const results = (await Promise.all([stream(odd), stream(even)])).flat();
    expect(results.every((r) => r.status === 202)).toBe(true);
    const accepted = results.filter((r) => r.accepted === true).map((r) => r.sequence).sort((a, b) => a - b);
    expect(accepted).toContain(20);

    const view = await answer(await asUser(host, adele, `/api/admin/v1/devices/${device.deviceId}`));
    expect(view.status).toBe(200);
    expect(view.body["lastSequence"]).toBe(20);
    expect(view.body["state"]).toMatchObject({ sequence: 20, agentVersion: "4.2.20" });
    const kept = (view.body["reports"] as { sequence: number }[]).map((r) => r.sequence);
    for (const sequence of accepted) expect(kept).toContain(sequence);
    // A report acknowledged but not accepted was older than one already stored, so it never became state.
    expect(new Set(kept).size).toBe(kept.length);
  });
});
