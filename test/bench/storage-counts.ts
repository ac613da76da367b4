import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import { startLocalHost, type RunningLocalHost } from "../../lib/localhost/local-host.js";
import { localHostSettings } from "../../lib/localhost/local-settings.js";
import { silentLogger } from "../../lib/telemetry/logger.js";
import { asUser, assertionFor, newDevice, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { buildNupkg } from "../support/nupkg-builder.js";
import { describeStorageRequest, startStorageProxy, type StorageProxy, type StorageRequest } from "../support/storage-proxy.js";
import { round, type Figure } from "./figure.js";

const ROUNDS = 10;
const PREFIX = "rjcount";

/** One kind of agent request to count, sent ROUNDS times after warm-up. */
interface CountedKind {
  id: string;
  label: string;
  /** At most this many storage requests on average (issue 16's goals); undefined for figures given for information. */
  goal?: number;
  send(): Promise<Response>;
}

async function countOf(proxy: StorageProxy, kind: CountedKind): Promise<{ mean: number; last: StorageRequest[] }> {
  let total = 0;
  let last: StorageRequest[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const mark = proxy.mark();
    const res = await kind.send();
    await res.arrayBuffer();
    if (res.status >= 400) throw new Error(`${kind.label} answered ${res.status}`);
    last = await proxy.since(mark);
    total += last.length;
  }
  return { mean: total / ROUNDS, last };
}

async function setUp(host: RunningLocalHost): Promise<HostDevice> {
  const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  const published = await fetch(`${host.url}/api/admin/v1/packages`, {
    method: "PUT",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
    body: buildNupkg({ id: "Count.Tool", version: "1.0.0" }),
  });
  await published.arrayBuffer();
  if (published.status !== 201) throw new Error(`publishing answered ${published.status}`);
  await (await asUser(host, admin, "/api/admin/v1/assignments/count-tool", { method: "PUT", body: { packageId: "Count.Tool", target: { type: "all" }, intent: "required" } })).arrayBuffer();
  const device = await newDevice(host, CONTOSO_TENANT_ID);
  const enrolled = await fetch(`${host.url}/api/agent/v1/enroll`, {
    method: "POST",
    headers: { "x-rj-device-assertion": await assertionFor(host, device), authorization: `Bearer ${await userToken(host, CONTOSO_TENANT_ID)}` },
  });
  await enrolled.arrayBuffer();
  if (enrolled.status !== 201) throw new Error(`enrollment answered ${enrolled.status}`);
  return device;
}

/**
 * Storage requests per agent request kind, counted at a loopback proxy in front of the bench's Azurite (a second
 * in-process host with its own tables uses the proxy, so the throughput host is not slowed by the extra hop). Each
 * figure is the mean over ten requests after warm-up; the note names what the last one did.
 */
export async function storageCountFigures(azuriteConnectionString: string): Promise<Figure[]> {
  const proxy = await startStorageProxy(azuriteConnectionString);
  const dataDir = mkdtempSync(join(tmpdir(), "rj-bench-count-"));
  let host: RunningLocalHost | undefined;
  try {
    const settings = localHostSettings({
      env: { AzureWebJobsStorage: proxy.connectionString, RJ_TABLE_PREFIX: PREFIX, RJ_DEVICE_RATE_PER_MINUTE: String(1_000_000_000), RJ_RECONCILE_SCHEDULE: "0 0 0 1 1 *" },
      dataDir,
      fast: false,
    });
    host = await startLocalHost({ settings, port: 0, log: silentLogger, seedPackages: false });
    const running = host;
    const device = await setUp(running);
    const get = async (path: string, etag?: string) =>
      await fetch(`${running.url}${path}`, { headers: { "x-rj-device-assertion": await assertionFor(running, device), ...(etag === undefined ? {} : { "if-none-match": etag }) } });
    const etagOf = async (path: string) => (await get(path)).headers.get("etag") ?? "";
    const configEtag = await etagOf("/api/agent/v1/config");
    const manifestEtag = await etagOf("/api/agent/v1/packages");
    let sequence = 0;
    const installed = Array.from({ length: 10 }, (_, i) => ({ id: `Bench.C${i}.L4`, version: "1.4.0", status: "installed" }));
    const kinds: CountedKind[] = [
      { id: "config304", label: "config poll (304)", goal: 2, send: () => get("/api/agent/v1/config", configEtag) },
      { id: "manifest304", label: "manifest poll (304)", goal: 2, send: () => get("/api/agent/v1/packages", manifestEtag) },
      {
        id: "state",
        label: "state report (unchanged package list)",
        goal: 3,
        send: async () =>
          await fetch(`${running.url}/api/agent/v1/state`, {
            method: "POST",
            headers: { "x-rj-device-assertion": await assertionFor(running, device), "content-type": "application/json" },
            body: JSON.stringify(stateReport(++sequence, { installed })),
          }),
      },
      { id: "config200", label: "config full fetch (200)", send: () => get("/api/agent/v1/config") },
      { id: "manifest200", label: "manifest full fetch (200)", send: () => get("/api/agent/v1/packages") },
    ];
    const figures: Figure[] = [];
    for (const kind of kinds) {
      await countOf(proxy, kind); // warm-up round: JIT, caches, signature cache
      const { mean, last } = await countOf(proxy, kind);
      const value = round(mean, 2);
      figures.push({
        id: `storage.${kind.id}`,
        label: `Storage requests: ${kind.label}`,
        value,
        unit: "requests",
        baseline: last.map((r) => describeStorageRequest(r, PREFIX)).join(", "),
        ...(kind.goal === undefined ? { goal: "(information)" } : { goal: `<= ${kind.goal}`, met: value <= kind.goal }),
        details: { rounds: ROUNDS, last: last.map((r) => ({ ...r })) },
      });
    }
    return figures;
  } finally {
    await host?.stop();
    await proxy.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
