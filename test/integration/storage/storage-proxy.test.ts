import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { twoCoreLimit } from "../../bench/content-info.js";
import { startRawStorageServer, type RawStorageServer } from "../../bench/raw-storage-server.js";
import { classifyStorageRequest, describeStorageRequest, startStorageProxy, type StorageProxy } from "../../support/storage-proxy.js";
import { uniquePrefix } from "../../support/test-host.js";

let proxy: StorageProxy;
beforeAll(async () => {
  proxy = await startStorageProxy(inject("storageConnectionString"));
});
afterAll(async () => {
  await proxy.close();
});

describe("the counting storage proxy", () => {
  it("when table operations go through it, then each is forwarded, answered and classified by kind", async () => {
    const name = `${uniquePrefix()}Things`;
    const client = TableClient.fromConnectionString(proxy.connectionString, name, { allowInsecureConnection: true });
    await client.createTable();
    const mark = proxy.mark();
    await client.createEntity({ partitionKey: "p", rowKey: "r", n: 1 });
    const read = await client.getEntity<{ n: number }>("p", "r");
    await client.updateEntity({ partitionKey: "p", rowKey: "r", n: 2 }, "Replace", { etag: read.etag });
    await client.upsertEntity({ partitionKey: "p", rowKey: "s", n: 3 }, "Replace");
    for await (const _ of client.listEntities({ queryOptions: { filter: "PartitionKey eq 'p'" } })) void _;
    await client.submitTransaction([["delete", { partitionKey: "p", rowKey: "s" }]]);
    await client.deleteEntity("p", "r");
    const seen = await proxy.since(mark);
    expect(seen.map((r) => describeStorageRequest(r))).toEqual([`insert ${name}`, `read ${name}`, `update ${name}`, `upsert ${name}`, `query ${name}`, "batch $batch", `delete ${name}`]);
    expect(seen.map((r) => r.status)).toEqual([204, 200, 204, 204, 200, 202, 204]);
  });

  it("when a blob request is classified, then reads, writes and deletes are told apart from container housekeeping", () => {
    expect(classifyStorageRequest("blob", "PUT", "/acct/device-reports/r/d/h.json", {}).op).toBe("upsert");
    expect(classifyStorageRequest("blob", "GET", "/acct/device-reports/r/d/h.json", {}).op).toBe("read");
    expect(classifyStorageRequest("blob", "PUT", "/acct/device-reports?restype=container", {}).op).toBe("create");
    expect(classifyStorageRequest("table", "PUT", "/acct/T(PartitionKey='a',RowKey='b')", { "if-match": "*" }).op).toBe("update");
  });
});

describe("the raw-storage baseline server", () => {
  let raw: RawStorageServer;
  const deviceId = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const assertion = (jti: string) => `h.${Buffer.from(JSON.stringify({ sub: deviceId, jti })).toString("base64url")}.s`;
  beforeAll(async () => {
    raw = await startRawStorageServer({ connectionString: proxy.connectionString, tablePrefix: uniquePrefix(), deviceIds: [deviceId] });
  });
  afterAll(async () => {
    await raw.close();
  });

  it("when it answers a poll, then it made exactly the floor's two storage requests, and a replayed assertion is refused", async () => {
    const mark = proxy.mark();
    const res = await fetch(raw.origin, { headers: { "x-rj-device-assertion": assertion("one"), "if-none-match": '"x"' } });
    expect(res.status).toBe(304);
    expect((await proxy.since(mark)).map((r) => r.op)).toEqual(["insert", "read"]);
    expect((await fetch(raw.origin, { headers: { "x-rj-device-assertion": assertion("one") } })).status).toBe(401);
  });
});

describe("the content-information limit", () => {
  it("when SHA-256 and SHA-512 run at r1 and r2 per core, then two cores reach 2 / (1/r1 + 1/r2)", () => {
    expect(twoCoreLimit(2000, 800)).toBeCloseTo(1142.857, 2);
    expect(twoCoreLimit(1000, 1000)).toBe(1000);
  });
});
