import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { DocumentSigner } from "../../../lib/signing/document-signer.js";
import { FileKeyRingStore } from "../../../lib/signing/file-key-ring-store.js";
import { KeyVaultSigningKeySource, signingKeyName } from "../../../lib/signing/key-vault-signing-key-source.js";
import { LocalSigningKeySource } from "../../../lib/signing/local-signing-key-source.js";
import { RealmKeyRing } from "../../../lib/signing/realm-key-ring.js";
import type { Signer } from "../../../lib/signing/signer.js";
import type { SigningKeySource } from "../../../lib/signing/signing-key-source.js";
import { TableKeyRingStore } from "../../../lib/signing/table-key-ring-store.js";
import { TableSignatureCache } from "../../../lib/signing/table-signature-cache.js";
import { startFakeKeyVault, type FakeKeyVault } from "../../support/fake-key-vault.js";
import { CountingSigner } from "../../unit/signing/memory-key-source.js";
import { verifyWithJwks } from "../../unit/signing/jose-verify.js";

const REALM = "12345678-aaaa-4bbb-8ccc-1234567890ab";
const OVERLAP = 14 * 86_400_000;

/** Counts real signatures made through any signer the source opens. */
class CountingSource implements SigningKeySource {
  private readonly signers: CountingSigner[] = [];
  constructor(private readonly inner: SigningKeySource) {}
  existingKey(realmId: string): Promise<string | undefined> {
    return this.inner.existingKey(realmId);
  }
  createKey(realmId: string): Promise<string> {
    return this.inner.createKey(realmId);
  }
  async openSigner(realmId: string, version: string): Promise<Signer> {
    const signer = new CountingSigner(await this.inner.openSigner(realmId, version));
    this.signers.push(signer);
    return signer;
  }
  get signCalls(): number {
    return this.signers.reduce((sum, s) => sum + s.signCalls, 0);
  }
}

const body = { realm: REALM, deviceId: "device-7", makeAdmin: false, releaseChannel: "stable" };

let tables: TableClient[] = [];
async function newTable(prefix: string): Promise<TableClient> {
  const table = TableClient.fromConnectionString(inject("storageConnectionString"), `${prefix}${randomBytes(4).toString("hex")}`, {
    allowInsecureConnection: true,
  });
  await table.createTable();
  tables.push(table);
  return table;
}

afterAll(async () => {
  await Promise.all(tables.map((t) => t.deleteTable()));
  tables = [];
});

describe("local host signing (PEM files + Azurite)", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "rj-localhost-signing-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("when the host restarts, then the realm keeps its PEM key and a known document is served without signing again", async () => {
    const cacheTable = await newTable("sigs");
    const clock = new ManualClock();
    const boot = () => {
      const keys = new CountingSource(new LocalSigningKeySource({ dir, modulusLength: 2048 }));
      const ring = new RealmKeyRing({ keys, store: new FileKeyRingStore(dir), clock, overlapMs: OVERLAP });
      return { keys, ring, documents: new DocumentSigner({ keys: ring, cache: new TableSignatureCache(cacheTable), clock }) };
    };

    const first = boot();
    const signed = await first.documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body });
    expect(first.keys.signCalls).toBe(1);
    expect(await readdir(join(dir, "signing", REALM))).toEqual(expect.arrayContaining([`${signed.kid.split(".")[1]}.pem`, "ring.json"]));

    const second = boot();
    clock.advance(3_600_000);
    const again = await second.documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body });
    expect(again).toEqual(signed);
    expect(second.keys.signCalls).toBe(0);
    await expect(verifyWithJwks(again.jws, await second.ring.jwks(REALM))).resolves.toMatchObject({ header: { kid: signed.kid } });
  });
});

describe("Azure signing (Key Vault over HTTPS + Table Storage)", () => {
  let vault: FakeKeyVault;
  beforeAll(async () => {
    vault = await startFakeKeyVault();
  });
  afterAll(async () => {
    await vault.close();
  });

  it("when a realm's config is served many times and then the key rotates, then the vault signs once per key and both keys are published", async () => {
    const clock = new ManualClock();
    const keys = new KeyVaultSigningKeySource({
      vaultUrl: vault.url,
      credential: vault.credential,
      keySize: 2048,
      clientOptions: { tlsOptions: { ca: vault.caPem }, disableChallengeResourceVerification: true },
    });
    const ring = new RealmKeyRing({ keys, store: new TableKeyRingStore(await newTable("rings")), clock, overlapMs: OVERLAP });
    const documents = new DocumentSigner({ keys: ring, cache: new TableSignatureCache(await newTable("sigs")), clock });
    const signRequests = () => vault.requests.filter((r) => r.path.endsWith("/sign") && r.status === 200).length;

    let signed = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body });
    for (let i = 0; i < 50; i++) signed = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body });
    expect(signRequests()).toBe(1);
    await expect(verifyWithJwks(signed.jws, await ring.jwks(REALM))).resolves.toBeDefined();

    const rotated = await ring.rotate(REALM);
    expect(vault.versions(signingKeyName(REALM))).toHaveLength(2);
    const after = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body });
    expect(after.kid).toBe(rotated.kid);
    expect(signRequests()).toBe(2);
    const jwks = await ring.jwks(REALM);
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.kid, signed.kid]);
    await expect(verifyWithJwks(signed.jws, jwks)).resolves.toBeDefined();
    await expect(verifyWithJwks(after.jws, jwks)).resolves.toBeDefined();
  });
});
