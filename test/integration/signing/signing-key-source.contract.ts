import { describe, expect, it } from "vitest";
import { signCompactJws } from "../../../lib/signing/compact-jws.js";
import type { SigningKeySource } from "../../../lib/signing/signing-key-source.js";
import { verifyWithJwks } from "../../unit/signing/jose-verify.js";

const REALM_A = "aaaaaaaa-0000-4000-8000-00000000000a";
const REALM_B = "bbbbbbbb-0000-4000-8000-00000000000b";

/** The behaviour every SigningKeySource must have; run once per implementation. */
export function signingKeySourceContract(name: string, make: () => SigningKeySource): void {
  describe(`SigningKeySource contract: ${name}`, () => {
    it("when a key is created and opened, then its signatures verify with its public JWK and the kid names realm and version", async () => {
      const keys = make();
      const version = await keys.createKey(REALM_A);
      const signer = await keys.openSigner(REALM_A, version);
      expect(signer.kid).toBe(`${REALM_A}.${version}`);
      const jwk = await signer.publicJwk();
      expect(jwk).toMatchObject({ kty: "RSA", kid: signer.kid, alg: "PS256", use: "sig" });
      const jws = await signCompactJws(signer, "rj-config+jwt", { realm: REALM_A, deviceId: "dev-1" });
      const { payload } = await verifyWithJwks(jws, { keys: [jwk] });
      expect(payload).toEqual({ realm: REALM_A, deviceId: "dev-1" });
    });

    it("when two keys are created, then they have different versions and different public keys", async () => {
      const keys = make();
      const first = await keys.openSigner(REALM_A, await keys.createKey(REALM_A));
      const second = await keys.openSigner(REALM_A, await keys.createKey(REALM_A));
      expect(first.kid).not.toBe(second.kid);
      expect((await first.publicJwk()).n).not.toBe((await second.publicJwk()).n);
    });

    it("when a version that was never created is opened, then it fails with not-found", async () => {
      const keys = make();
      const version = await keys.createKey(REALM_A);
      await expect(keys.openSigner(REALM_B, version)).rejects.toMatchObject({ kind: "not-found" });
      await expect(keys.openSigner(REALM_A, "0123456789abcdef0123456789abcdef")).rejects.toMatchObject({ kind: "not-found" });
    });

    it("when a realm id could escape its folder or key name, then it is rejected", async () => {
      await expect(make().createKey("../other")).rejects.toMatchObject({ kind: "validation" });
    });
  });
}
