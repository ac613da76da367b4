import { randomUUID } from "node:crypto";
import { BlobClient, StorageSharedKeyCredential, type ContainerClient, type UserDelegationKey } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { AppError } from "../../../lib/core/errors.js";
import { UserDelegationKeyCache } from "../../../lib/packages/blob-delegation-key.js";
import { readSasUrl } from "../../../lib/packages/blob-sas.js";
import { blobServiceFor } from "../../../lib/storage/blob-store.js";

const MINUTE = 60_000;
let container: ContainerClient;
let sharedKey: StorageSharedKeyCredential;

beforeAll(async () => {
  const { service, sharedKey: key } = blobServiceFor({ kind: "connection-string", connectionString: inject("storageConnectionString") });
  if (key === undefined) throw new Error("Azurite's connection string carries an account key");
  sharedKey = key;
  container = service.getContainerClient(`sas-${randomUUID()}`);
  await container.create();
  await container.getBlockBlobClient("sha256/abc").upload("package bytes", 13);
});

afterAll(async () => {
  await container.deleteIfExists();
});

describe("readSasUrl", () => {
  it("when signed with the account key, then the URL reads the blob without other credentials", async () => {
    const url = readSasUrl(container.getBlobClient("sha256/abc"), { sharedKey }, new Date(Date.now() + 10 * MINUTE));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("package bytes");
  });

  it("when the URL is used to write, then storage refuses it (read-only)", async () => {
    const url = readSasUrl(container.getBlobClient("sha256/abc"), { sharedKey }, new Date(Date.now() + 10 * MINUTE));
    const response = await fetch(url, { method: "PUT", headers: { "x-ms-blob-type": "BlockBlob" }, body: "overwritten" });
    expect(response.status).toBe(403);
    expect(await (await fetch(url)).text()).toBe("package bytes");
  });

  it("when the SAS has expired, then storage refuses it", async () => {
    const clock = new ManualClock(Date.now() - 2 * 60 * MINUTE);
    const url = readSasUrl(container.getBlobClient("sha256/abc"), { sharedKey }, new Date(clock.now() + 30 * MINUTE), clock);
    expect((await fetch(url)).status).toBe(403);
  });

  it("when the endpoint is http (Azurite), then http is allowed; when https, then https only", () => {
    const local = new URL(readSasUrl(container.getBlobClient("sha256/abc"), { sharedKey }, new Date(Date.now() + MINUTE)));
    expect(local.searchParams.get("spr")).toBe("https,http");
    expect(local.searchParams.get("sp")).toBe("r");
    const cloud = new URL(readSasUrl(new BlobClient("https://acct.blob.core.windows.net/packages/sha256/abc"), { sharedKey }, new Date(Date.now() + MINUTE)));
    expect(cloud.searchParams.get("spr")).toBe("https");
  });

  it("when only a user-delegation key is given, then the SAS is signed with it for the blob's account", () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const key: UserDelegationKey = {
      signedObjectId: "11111111-1111-1111-1111-111111111111",
      signedTenantId: "22222222-2222-2222-2222-222222222222",
      signedStartsOn: new Date(clock.now()),
      signedExpiresOn: new Date(clock.now() + 24 * 60 * MINUTE),
      signedService: "b",
      signedVersion: "2025-01-05",
      value: Buffer.alloc(32, 7).toString("base64"),
    };
    const url = new URL(
      readSasUrl(new BlobClient("https://acct.blob.core.windows.net/packages/sha256/abc"), { userDelegationKey: key }, new Date(clock.now() + 5 * MINUTE), clock),
    );
    expect(url.searchParams.get("skoid")).toBe(key.signedObjectId);
    expect(url.searchParams.get("sp")).toBe("r");
    expect(url.searchParams.get("se")).toBe("2026-01-01T00:05:00Z");
    expect(url.pathname).toBe("/packages/sha256/abc");
  });

  it.each([
    ["more than an hour away", 61 * MINUTE],
    ["in the past", -MINUTE],
  ])("when the expiry is %s, then it is refused", (_label, offset) => {
    const clock = new ManualClock();
    expect(() => readSasUrl(container.getBlobClient("sha256/abc"), { sharedKey }, new Date(clock.now() + offset), clock)).toThrow(AppError);
  });

  it("when no key is given, then it is refused", () => {
    expect(() => readSasUrl(container.getBlobClient("sha256/abc"), {}, new Date(Date.now() + MINUTE))).toThrow(/No key to sign/);
  });
});

describe("UserDelegationKeyCache", () => {
  const issued = (startsOn: Date, expiresOn: Date): UserDelegationKey => ({
    signedObjectId: "o",
    signedTenantId: "t",
    signedStartsOn: startsOn,
    signedExpiresOn: expiresOn,
    signedService: "b",
    signedVersion: "2025-01-05",
    value: Buffer.alloc(32, 1).toString("base64"),
  });

  it("when the key has more than an hour left, then it is reused; when less, then a new one is issued", async () => {
    const clock = new ManualClock();
    const requests: Array<{ startsOn: Date; expiresOn: Date }> = [];
    const cache = new UserDelegationKeyCache(
      {
        getUserDelegationKey: async (startsOn, expiresOn) => {
          requests.push({ startsOn, expiresOn });
          return issued(startsOn, expiresOn);
        },
      },
      clock,
      6 * 60 * MINUTE,
    );
    const [a, b] = await Promise.all([cache.key(), cache.key()]);
    expect(a).toBe(b);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.expiresOn.getTime()).toBe(clock.now() + 6 * 60 * MINUTE);
    clock.advance(4 * 60 * MINUTE);
    expect(await cache.key()).toBe(a);
    clock.advance(60 * MINUTE);
    expect(await cache.key()).not.toBe(a);
    expect(requests).toHaveLength(2);
  });

  it("when issuing fails, then the failure is not cached", async () => {
    let calls = 0;
    const cache = new UserDelegationKeyCache(
      {
        getUserDelegationKey: async (startsOn, expiresOn) => {
          calls++;
          if (calls === 1) throw new Error("403 AuthorizationPermissionMismatch");
          return issued(startsOn, expiresOn);
        },
      },
      new ManualClock(),
    );
    await expect(cache.key()).rejects.toThrow("403");
    expect((await cache.key()).signedObjectId).toBe("o");
  });
});
