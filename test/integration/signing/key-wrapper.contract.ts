import { describe, expect, it } from "vitest";
import type { KeyWrapper } from "../../../lib/signing/key-wrapper.js";

const REALM_A = "aaaaaaaa-0000-4000-8000-00000000000a";
const REALM_B = "bbbbbbbb-0000-4000-8000-00000000000b";
const RECOVERY_PASSWORD = "123456-234567-345678-456789-567890-678901-789012-890123";

/** The behaviour every KeyWrapper must have; run once per implementation. */
export function keyWrapperContract(name: string, make: () => KeyWrapper): void {
  describe(`KeyWrapper contract: ${name}`, () => {
    it("when a BitLocker recovery password is wrapped, then unwrapping returns it and the wrapped value does not contain it", async () => {
      const wrapper = make();
      const wrapped = await wrapper.wrapKey(REALM_A, Buffer.from(RECOVERY_PASSWORD));
      expect(wrapped.kid.startsWith(`${REALM_A}.`)).toBe(true);
      expect(Buffer.from(wrapped.value, "base64url").toString("latin1")).not.toContain("123456");
      expect(Buffer.from(await wrapper.unwrapKey(REALM_A, wrapped)).toString()).toBe(RECOVERY_PASSWORD);
    });

    it("when the same secret is wrapped twice, then both unwrap and the realm's key is reused", async () => {
      const wrapper = make();
      const one = await wrapper.wrapKey(REALM_A, Buffer.from("passphrase"));
      const two = await wrapper.wrapKey(REALM_A, Buffer.from("passphrase"));
      expect(two.kid).toBe(one.kid);
      expect(two.value).not.toBe(one.value);
      expect(Buffer.from(await wrapper.unwrapKey(REALM_A, two)).toString()).toBe("passphrase");
    });

    it("when a wrapped value is unwrapped for another realm, then it fails with not-found", async () => {
      const wrapper = make();
      const wrapped = await wrapper.wrapKey(REALM_A, Buffer.from("secret"));
      await wrapper.wrapKey(REALM_B, Buffer.from("realm b has a key too"));
      await expect(wrapper.unwrapKey(REALM_B, wrapped)).rejects.toMatchObject({ kind: "not-found" });
      const relabelled = { ...wrapped, kid: wrapped.kid.replace(REALM_A, REALM_B) };
      await expect(wrapper.unwrapKey(REALM_B, relabelled)).rejects.toMatchObject({ kind: "not-found" });
    });

    it("when the wrapped value is tampered with, then unwrapping fails with validation", async () => {
      const wrapper = make();
      const wrapped = await wrapper.wrapKey(REALM_A, Buffer.from("secret"));
      const bytes = Buffer.from(wrapped.value, "base64url");
      bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
      await expect(wrapper.unwrapKey(REALM_A, { ...wrapped, value: bytes.toString("base64url") })).rejects.toMatchObject({ kind: "validation" });
    });

    it("when the secret is longer than a wrap can hold, then it is rejected with validation", async () => {
      await expect(make().wrapKey(REALM_A, new Uint8Array(191))).rejects.toMatchObject({ kind: "validation" });
    });
  });
}
