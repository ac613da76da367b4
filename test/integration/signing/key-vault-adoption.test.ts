import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "../../../lib/core/clock.js";
import { InMemoryKeyRingStore } from "../../../lib/signing/in-memory-key-ring-store.js";
import { KeyVaultKeyWrapper, wrappingKeyName } from "../../../lib/signing/key-vault-key-wrapper.js";
import { KeyVaultSigningKeySource, signingKeyName } from "../../../lib/signing/key-vault-signing-key-source.js";
import { RealmKeyRing } from "../../../lib/signing/realm-key-ring.js";
import { signCompactJws } from "../../../lib/signing/compact-jws.js";
import { rejectionOf } from "../../support/app-error.js";
import { startFakeKeyVault, type FakeKeyVault } from "../../support/fake-key-vault.js";
import { verifyWithJwks } from "../../unit/signing/jose-verify.js";

// The real @azure/keyvault-keys client against a local HTTPS server answering Key Vault's REST shapes
// (challenge, get key, create key, sign, wrapkey, unwrapkey, 403 on create when the identity may not create).

let vault: FakeKeyVault;
let now = Date.UTC(2026, 0, 1);
const clock: Clock = { now: () => now };

beforeAll(async () => {
  vault = await startFakeKeyVault();
});
afterAll(async () => {
  await vault.close();
});
beforeEach(() => {
  vault.allowCreate(true);
});

const clientOptions = () => ({ tlsOptions: { ca: vault.caPem }, disableChallengeResourceVerification: true });

function keyRing(createKeys: boolean): RealmKeyRing {
  const keys = new KeyVaultSigningKeySource({ vaultUrl: vault.url, credential: vault.credential, keySize: 2048, createKeys, clientOptions: clientOptions() });
  return new RealmKeyRing({ keys, store: new InMemoryKeyRingStore(), clock, overlapMs: 14 * 86_400_000 });
}

function wrapper(createKeys: boolean): KeyVaultKeyWrapper {
  return new KeyVaultKeyWrapper({ vaultUrl: vault.url, credential: vault.credential, keySize: 2048, createKeys, clientOptions: clientOptions() });
}

const creates = (name: string) => vault.requests.filter((r) => r.method === "POST" && r.path === `/keys/${name}/create` && r.status !== 401);

describe("Key Vault keys the deployment made", () => {
  it("when the Bicep pre-created rj-sign-<realm>, then the key ring adopts that version, signs with it and creates none", async () => {
    const realm = randomUUID();
    const seeded = await vault.seedKey(signingKeyName(realm), ["sign", "verify"]);
    vault.allowCreate(false);
    const ring = keyRing(false);

    const signer = await ring.currentSigner(realm);
    const jws = await signCompactJws(signer, "rj-config+jwt", { realm });

    expect(signer.kid).toBe(`${realm}.${seeded}`);
    expect(vault.versions(signingKeyName(realm))).toEqual([seeded]);
    expect(creates(signingKeyName(realm))).toEqual([]);
    await expect(verifyWithJwks(jws, await ring.jwks(realm))).resolves.toBeDefined();
  });

  it("when the Bicep pre-created rj-wrap-<realm>, then wrapping adopts it and unwrap gives the secret back, creating none", async () => {
    const realm = randomUUID();
    const seeded = await vault.seedKey(wrappingKeyName(realm), ["wrapKey", "unwrapKey"]);
    vault.allowCreate(false);
    const keys = wrapper(false);

    const wrapped = await keys.wrapKey(realm, Buffer.from("bitlocker-passphrase"));

    expect(wrapped.kid).toBe(`${realm}.${seeded}`);
    expect(Buffer.from(await keys.unwrapKey(realm, wrapped)).toString()).toBe("bitlocker-passphrase");
    expect(creates(wrappingKeyName(realm))).toEqual([]);
  });

  it("when no key exists and creation is allowed, then the key ring creates exactly one version", async () => {
    const realm = randomUUID();
    const ring = keyRing(true);
    await Promise.all([ring.currentSigner(realm), ring.currentSigner(realm)]);
    expect(vault.versions(signingKeyName(realm))).toHaveLength(1);
  });
});

describe("Key Vault keys the app may not create", () => {
  it("when no key exists and RJ_KEY_VAULT_CREATE_KEYS is false, then the error names the key and the vault is never asked to create", async () => {
    const realm = randomUUID();
    const error = await rejectionOf(keyRing(false).currentSigner(realm));
    expect(error).toMatchObject({ status: 503, code: "key-vault-key-missing", extensions: { keyName: signingKeyName(realm) } });
    expect(error.message).toContain(signingKeyName(realm));
    expect(error.message).toContain("RJ_KEY_VAULT_CREATE_KEYS");
    expect(creates(signingKeyName(realm))).toEqual([]);
  });

  it("when creation is allowed by the setting but the vault answers 403, then the error names the key (503, not an upstream 500)", async () => {
    const realm = randomUUID();
    vault.allowCreate(false);
    const error = await rejectionOf(keyRing(true).currentSigner(realm));
    expect(error).toMatchObject({ status: 503, code: "key-vault-key-missing", extensions: { keyName: signingKeyName(realm) } });
    expect(error.message).toContain("403");
    expect(creates(signingKeyName(realm)).map((r) => r.status)).toEqual([403]);
  });

  it("when the wrapping key is missing and the vault answers 403, then wrapping fails naming rj-wrap-<realm>", async () => {
    const realm = randomUUID();
    vault.allowCreate(false);
    const error = await rejectionOf(wrapper(true).wrapKey(realm, Buffer.from("x")));
    expect(error).toMatchObject({ status: 503, code: "key-vault-key-missing", extensions: { keyName: wrappingKeyName(realm) } });
  });

  it("when signing keeps failing for a missing key, then the vault is asked again only after a back-off, not on every request", async () => {
    const realm = randomUUID();
    vault.allowCreate(false);
    const ring = keyRing(true);
    await rejectionOf(ring.currentSigner(realm));
    await rejectionOf(ring.currentSigner(realm));
    await rejectionOf(ring.currentSigner(realm));
    expect(creates(signingKeyName(realm))).toHaveLength(1);

    now += 61_000;
    vault.allowCreate(true);
    const signer = await ring.currentSigner(realm);
    expect(signer.kid.startsWith(`${realm}.`)).toBe(true);
    expect(creates(signingKeyName(realm)).map((r) => r.status)).toEqual([403, 200]);
  });
});
