import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { InMemorySignatureCache } from "../../../lib/signing/in-memory-signature-cache.js";
import type { SignatureCache, SignatureCacheKey } from "../../../lib/signing/signature-cache.js";
import { TableSignatureCache } from "../../../lib/signing/table-signature-cache.js";

let table: TableClient;

beforeAll(async () => {
  table = TableClient.fromConnectionString(inject("storageConnectionString"), `sigcache${randomBytes(4).toString("hex")}`, {
    allowInsecureConnection: true,
  });
  await table.createTable();
});
afterAll(async () => {
  await table.deleteTable();
});

const implementations: Array<[string, () => SignatureCache]> = [
  ["in memory", () => new InMemorySignatureCache()],
  ["Table Storage (Azurite)", () => new TableSignatureCache(table)],
];

describe.each(implementations)("SignatureCache contract: %s", (_name, make) => {
  const key = (over: Partial<SignatureCacheKey> = {}): SignatureCacheKey => ({
    realmId: "eeeeeeee-0000-4000-8000-00000000000e",
    kid: "eeeeeeee-0000-4000-8000-00000000000e.v1",
    typ: "rj-config+jwt",
    hash: randomBytes(32).toString("hex"),
    ...over,
  });

  it("when nothing was stored, then get returns undefined", async () => {
    expect(await make().get(key())).toBeUndefined();
  });

  it("when a JWS is stored, then it is found only under the same realm, kid, typ and hash", async () => {
    const cache = make();
    const k = key();
    await cache.put(k, "a.b.c");
    expect(await cache.get(k)).toBe("a.b.c");
    expect(await cache.get({ ...k, typ: "rj-manifest+jwt" })).toBeUndefined();
    expect(await cache.get({ ...k, kid: `${k.realmId}.v2` })).toBeUndefined();
    expect(await cache.get({ ...k, realmId: "ffffffff-0000-4000-8000-00000000000f" })).toBeUndefined();
  });

  it("when a JWS is stored again under the same key, then the later one is returned", async () => {
    const cache = make();
    const k = key();
    await cache.put(k, "first.jws.x");
    await cache.put(k, "second.jws.y");
    expect(await cache.get(k)).toBe("second.jws.y");
  });

  it("when a large manifest JWS (over one Table property) is stored, then it comes back whole", async () => {
    const cache = make();
    const k = key({ typ: "rj-manifest+jwt" });
    const jws = `${"h".repeat(40)}.${randomBytes(150_000).toString("base64url")}.${"s".repeat(512)}`;
    await cache.put(k, jws);
    expect(await cache.get(k)).toBe(jws);
  });
});
