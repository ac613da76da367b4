import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { KeyVaultSigningKeySource } from "../../../lib/signing/key-vault-signing-key-source.js";
import { LocalSigningKeySource } from "../../../lib/signing/local-signing-key-source.js";
import { startFakeKeyVault, type FakeKeyVault } from "../../support/fake-key-vault.js";
import { signingKeySourceContract } from "./signing-key-source.contract.js";

let dir = "";
let vault: FakeKeyVault;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rj-signing-"));
  vault = await startFakeKeyVault();
});
afterAll(async () => {
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});

signingKeySourceContract("local PEM files", () => new LocalSigningKeySource({ dir, modulusLength: 2048 }));
signingKeySourceContract(
  "Key Vault over HTTPS",
  () =>
    new KeyVaultSigningKeySource({
      vaultUrl: vault.url,
      credential: vault.credential,
      keySize: 2048,
      clientOptions: { tlsOptions: { ca: vault.caPem }, disableChallengeResourceVerification: true },
    }),
);
