import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { signCompactJws } from "../../../lib/signing/compact-jws.js";
import { InMemoryKeyRingStore } from "../../../lib/signing/in-memory-key-ring-store.js";
import { RealmKeyRing } from "../../../lib/signing/realm-key-ring.js";
import { verifyWithJwks } from "./jose-verify.js";
import { MemoryKeySource } from "./memory-key-source.js";

const REALM_A = "aaaaaaaa-0000-4000-8000-00000000000a";
const REALM_B = "bbbbbbbb-0000-4000-8000-00000000000b";
const DAY = 86_400_000;
const OVERLAP = 14 * DAY;

function setup() {
  const clock = new ManualClock();
  const keys = new MemoryKeySource();
  const store = new InMemoryKeyRingStore();
  const ring = new RealmKeyRing({ keys, store, clock, overlapMs: OVERLAP, ringCacheMs: 0 });
  return { clock, keys, store, ring };
}

describe("RealmKeyRing", () => {
  it("when a realm signs for the first time, then one key is created and published in its JWKS", async () => {
    const { ring, keys } = setup();
    const signer = await ring.currentSigner(REALM_A);
    expect(keys.created).toEqual([signer.kid]);
    const jws = await signCompactJws(signer, "rj-config+jwt", { realm: REALM_A, deviceId: "d" });
    await expect(verifyWithJwks(jws, await ring.jwks(REALM_A))).resolves.toMatchObject({ header: { kid: signer.kid } });
    expect((await ring.currentSigner(REALM_A)).kid).toBe(signer.kid);
  });

  it("when many first signings race, then only one key becomes current", async () => {
    const { ring } = setup();
    const signers = await Promise.all(Array.from({ length: 20 }, () => ring.currentSigner(REALM_A)));
    expect(new Set(signers.map((s) => s.kid)).size).toBe(1);
  });

  it("when two instances create a realm's first key at once, then both end up with the same current key", async () => {
    const { keys, store, clock } = setup();
    const one = new RealmKeyRing({ keys, store, clock, overlapMs: OVERLAP });
    const two = new RealmKeyRing({ keys, store, clock, overlapMs: OVERLAP });
    const [a, b] = await Promise.all([one.currentSigner(REALM_A), two.currentSigner(REALM_A)]);
    expect(a.kid).toBe(b.kid);
    expect((await one.jwks(REALM_A)).keys).toHaveLength(1);
  });

  it("when the realm has no keys, then its JWKS is empty and none is created", async () => {
    const { ring, keys } = setup();
    expect(await ring.jwks(REALM_A)).toEqual({ keys: [] });
    expect(keys.created).toEqual([]);
  });

  it("when a realm rotates, then the new key signs, and the old key verifies until the overlap ends", async () => {
    const { ring, clock } = setup();
    const old = await ring.currentSigner(REALM_A);
    const oldDoc = await signCompactJws(old, "rj-config+jwt", { realm: REALM_A, deviceId: "d" });
    clock.advance(DAY);
    const rotated = await ring.rotate(REALM_A);
    expect(rotated.kid).not.toBe(old.kid);
    expect((await ring.currentSigner(REALM_A)).kid).toBe(rotated.kid);
    expect((await ring.jwks(REALM_A)).keys.map((k) => k.kid)).toEqual([rotated.kid, old.kid]);
    const newDoc = await signCompactJws(rotated, "rj-config+jwt", { realm: REALM_A, deviceId: "d" });

    clock.advance(OVERLAP - 1);
    await expect(verifyWithJwks(oldDoc, await ring.jwks(REALM_A))).resolves.toBeDefined();

    clock.advance(1);
    expect((await ring.jwks(REALM_A)).keys.map((k) => k.kid)).toEqual([rotated.kid]);
    await expect(verifyWithJwks(oldDoc, await ring.jwks(REALM_A))).rejects.toThrow();
    await expect(verifyWithJwks(newDoc, await ring.jwks(REALM_A))).resolves.toBeDefined();
  });

  it("when a document of one realm is checked against another realm's JWKS, then it never verifies", async () => {
    const { ring } = setup();
    const signerA = await ring.currentSigner(REALM_A);
    await ring.currentSigner(REALM_B);
    const docA = await signCompactJws(signerA, "rj-manifest+jwt", { realm: REALM_A, deviceId: "d" });
    const jwksB = await ring.jwks(REALM_B);
    await expect(verifyWithJwks(docA, jwksB)).rejects.toThrow();
    // Even with realm B's key relabelled under realm A's kid, the signature does not verify.
    const forged = { keys: jwksB.keys.map((k) => ({ ...k, kid: signerA.kid })) };
    await expect(verifyWithJwks(docA, forged)).rejects.toThrow();
    expect(jwksB.keys.every((k) => k.kid.startsWith(`${REALM_B}.`))).toBe(true);
  });

  it("when another instance rotates, then this instance picks up the new key once its ring cache expires", async () => {
    const { keys, store, clock } = setup();
    const reader = new RealmKeyRing({ keys, store, clock, overlapMs: OVERLAP, ringCacheMs: 60_000 });
    const writer = new RealmKeyRing({ keys, store, clock, overlapMs: OVERLAP });
    const first = await reader.currentSigner(REALM_A);
    const rotated = await writer.rotate(REALM_A);
    expect((await reader.currentSigner(REALM_A)).kid).toBe(first.kid);
    clock.advance(60_000);
    expect((await reader.currentSigner(REALM_A)).kid).toBe(rotated.kid);
  });
});
