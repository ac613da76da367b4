import { describe, expect, it } from "vitest";
import { isAppError } from "../../../lib/core/errors.js";
import { deriveBranchCacheSecret, deriveBranchCacheSecretFromBytes, generateBranchCachePassphrase } from "../../../lib/content/branchcache-secret.js";
import { fromHex, pccrc, thrown } from "./testdata.js";

describe("BranchCache server secret", () => {
  it("when the passphrase is the netsh string 'server secret', then Ks and Ks32 come from its UTF-16LE bytes", () => {
    const v = pccrc.utf16Secret;
    expect(Buffer.from(v.passphrase_string, "utf16le").toString("hex")).toBe(v.passphrase_bytes_utf16le);
    const secret = deriveBranchCacheSecret(v.passphrase_string);
    expect(secret.v1.toString("hex")).toBe(v.Ks_v1_sha256);
    expect(secret.v2.toString("hex")).toBe(v.Ks_v2_trunc_sha512);
  });

  it("when the IIS captures' passphrase_hex is hashed as raw bytes (not re-encoded), then it gives the captures' Ks for V1 and V2", () => {
    // passphrase_hex is already the byte string Windows hashed; encoding it again as UTF-16LE would not match.
    const bytes = fromHex(pccrc.v1.passphrase_hex);
    const secret = deriveBranchCacheSecretFromBytes(bytes);
    expect(secret.v1.toString("hex")).toBe(pccrc.v1.server_secret_Ks_hex);
    expect(secret.v2.toString("hex")).toBe(pccrc.v2.server_secret_Ks_hex);
    expect(secret.v1.toString("hex")).toBe(pccrc.rawSecret.Ks_v1_sha256);
    expect(secret.v2.toString("hex")).toBe(pccrc.rawSecret.Ks_v2_trunc_sha512);
    expect(deriveBranchCacheSecret(bytes.toString("latin1")).v1.toString("hex")).not.toBe(pccrc.v1.server_secret_Ks_hex);
  });

  it("when the passphrase is empty, then derivation is refused as a validation error", () => {
    for (const attempt of [() => deriveBranchCacheSecret(""), () => deriveBranchCacheSecretFromBytes(new Uint8Array(0))]) {
      const error = thrown(attempt);
      expect(isAppError(error) && [error.kind, error.code]).toEqual(["validation", "invalid-passphrase"]);
    }
  });

  it("when passphrases are generated, then each is 64 hex characters, distinct, and derives 32-byte secrets", () => {
    const a = generateBranchCachePassphrase();
    const b = generateBranchCachePassphrase();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    const secret = deriveBranchCacheSecret(a);
    expect(secret.v1).toHaveLength(32);
    expect(secret.v2).toHaveLength(32);
  });
});
