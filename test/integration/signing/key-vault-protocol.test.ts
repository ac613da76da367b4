import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signCompactJws } from "../../../lib/signing/compact-jws.js";
import { KeyVaultSigningKeySource, signingKeyName } from "../../../lib/signing/key-vault-signing-key-source.js";
import { startFakeKeyVault, type FakeKeyVault } from "../../support/fake-key-vault.js";
import { verifyWithJwks } from "../../unit/signing/jose-verify.js";

const REALM = "0b5e8f6a-1c2d-4e3f-8a9b-000000000001";

describe("Key Vault signing over HTTPS", () => {
  let vault: FakeKeyVault;

  beforeAll(async () => {
    vault = await startFakeKeyVault();
  });
  afterAll(async () => {
    await vault.close();
  });

  const source = () =>
    new KeyVaultSigningKeySource({
      vaultUrl: vault.url,
      credential: vault.credential,
      keySize: 2048,
      clientOptions: { tlsOptions: { ca: vault.caPem }, disableChallengeResourceVerification: true },
    });

  it("when a client first calls the vault, then it answers the 401 challenge with a token for the challenged resource and tenant", async () => {
    const before = vault.requests.length;
    await source().createKey(REALM);
    const seen = vault.requests.slice(before);
    expect(seen[0]).toMatchObject({ method: "POST", path: `/keys/${signingKeyName(REALM)}/create`, status: 401 });
    expect(seen[1]).toMatchObject({ method: "POST", path: `/keys/${signingKeyName(REALM)}/create`, status: 200 });
    expect(vault.credential.calls).toContainEqual({ scopes: ["https://vault.azure.net/.default"], tenantId: vault.tenantId });
  });

  it("when a JWS is signed by the vault, then jose verifies it with the key's public JWK", async () => {
    const keys = source();
    const version = await keys.createKey(REALM);
    const signer = await keys.openSigner(REALM, version);
    const jws = await signCompactJws(signer, "rj-config+jwt", { realm: REALM, deviceId: "d1", hello: "world" });
    const { header, payload } = await verifyWithJwks(jws, { keys: [await signer.publicJwk()] });
    expect(header).toEqual({ alg: "PS256", kid: `${REALM}.${version}`, typ: "rj-config+jwt" });
    expect(payload.hello).toBe("world");
    expect(vault.requests.at(-1)).toMatchObject({ path: `/keys/${signingKeyName(REALM)}/${version}/sign`, status: 200 });
  });

  it("when the vault answers 429 with Retry-After, then the sign is retried and succeeds", async () => {
    const keys = source();
    const version = await keys.createKey(REALM);
    const signer = await keys.openSigner(REALM, version);
    await signer.sign(Buffer.from("warm-up: completes the challenge"));
    const before = vault.requests.length;
    vault.throttleNext(1);
    const jws = await signCompactJws(signer, "rj-manifest+jwt", { realm: REALM, deviceId: "d1" });
    const signPath = `/keys/${signingKeyName(REALM)}/${version}/sign`;
    expect(vault.requests.slice(before).map((r) => [r.path, r.status])).toEqual([
      [signPath, 429],
      [signPath, 200],
    ]);
    await expect(verifyWithJwks(jws, { keys: [await signer.publicJwk()] })).resolves.toBeDefined();
  });
});
