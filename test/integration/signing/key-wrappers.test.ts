import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { KeyVaultKeyWrapper } from "../../../lib/signing/key-vault-key-wrapper.js";
import { LocalKeyWrapper } from "../../../lib/signing/local-key-wrapper.js";
import { startFakeKeyVault, type FakeKeyVault } from "../../support/fake-key-vault.js";
import { keyWrapperContract } from "./key-wrapper.contract.js";

let dir = "";
let vault: FakeKeyVault;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rj-wrapping-"));
  vault = await startFakeKeyVault();
});
afterAll(async () => {
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});

keyWrapperContract("local AES-256-GCM", () => new LocalKeyWrapper(dir));
keyWrapperContract(
  "Key Vault RSA-OAEP-256 over HTTPS",
  () =>
    new KeyVaultKeyWrapper({
      vaultUrl: vault.url,
      credential: vault.credential,
      keySize: 2048,
      clientOptions: { tlsOptions: { ca: vault.caPem }, disableChallengeResourceVerification: true },
    }),
);
