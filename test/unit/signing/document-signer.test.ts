import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { DocumentSigner } from "../../../lib/signing/document-signer.js";
import { hashDocument } from "../../../lib/signing/document-hash.js";
import { InMemoryKeyRingStore } from "../../../lib/signing/in-memory-key-ring-store.js";
import { InMemorySignatureCache } from "../../../lib/signing/in-memory-signature-cache.js";
import { RealmKeyRing } from "../../../lib/signing/realm-key-ring.js";
import { verifyWithJwks } from "./jose-verify.js";
import { MemoryKeySource } from "./memory-key-source.js";

const REALM = "aaaaaaaa-0000-4000-8000-00000000000a";
const OTHER = "bbbbbbbb-0000-4000-8000-00000000000b";

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 12));
  const keys = new MemoryKeySource();
  const ring = new RealmKeyRing({ keys, store: new InMemoryKeyRingStore(), clock, overlapMs: 14 * 86_400_000 });
  const cache = new InMemorySignatureCache();
  const signer = () => new DocumentSigner({ keys: ring, cache, clock });
  return { clock, keys, ring, cache, signer };
}

const config = (over: Record<string, unknown> = {}) => ({
  realm: REALM,
  deviceId: "device-1",
  bitlockerEnabled: true,
  reportIntervalSeconds: 900,
  ...over,
});

describe("DocumentSigner", () => {
  it("when a document is signed, then jose verifies it with the realm JWKS and the payload carries iat and hash", async () => {
    const { signer, ring, clock } = setup();
    const signed = await signer().signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
    const { header, payload } = await verifyWithJwks(signed.jws, await ring.jwks(REALM));
    expect(header).toEqual({ alg: "PS256", kid: signed.kid, typ: "rj-config+jwt" });
    expect(payload).toEqual({ ...config(), iat: clock.now() / 1000, hash: signed.hash });
    expect(hashDocument(payload)).toBe(signed.hash);
  });

  it("when the same unchanged document is signed 10,000 times, then the key signs once and the original iat is kept", async () => {
    const { signer, keys, clock } = setup();
    const documents = signer();
    const first = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
    for (let i = 0; i < 9_999; i++) {
      clock.advance(1000);
      const again = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
      expect(again.jws).toBe(first.jws);
    }
    expect(keys.signCalls).toBe(1);
  });

  it("when many requests for the same new document arrive at once, then they share one signing", async () => {
    const { signer, keys } = setup();
    const documents = signer();
    const results = await Promise.all(
      Array.from({ length: 500 }, () => documents.signDocument({ realmId: REALM, typ: "rj-manifest+jwt", body: config({ packages: [] }) })),
    );
    expect(new Set(results.map((r) => r.jws)).size).toBe(1);
    expect(keys.signCalls).toBe(1);
  });

  it("when the process restarts with the persisted cache, then the document is not signed again", async () => {
    const { signer, keys } = setup();
    const before = await signer().signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
    const after = await signer().signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
    expect(after).toEqual(before);
    expect(keys.signCalls).toBe(1);
  });

  it("when the document changes, or its typ differs, then it is signed anew with a different hash", async () => {
    const { signer, keys } = setup();
    const documents = signer();
    const one = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
    const changed = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config({ bitlockerEnabled: false }) });
    const asManifest = await documents.signDocument({ realmId: REALM, typ: "rj-manifest+jwt", body: config() });
    expect(changed.hash).not.toBe(one.hash);
    expect(asManifest.hash).toBe(one.hash);
    expect(asManifest.jws).not.toBe(one.jws);
    expect(keys.signCalls).toBe(3);
  });

  it("when key order differs or a stale iat/hash is passed in, then it is the same document", async () => {
    const { signer, keys } = setup();
    const documents = signer();
    const one = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
    const reordered = Object.fromEntries(Object.entries({ ...config(), iat: 1, hash: "stale" }).reverse());
    const two = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body: reordered });
    expect(two.jws).toBe(one.jws);
    expect(keys.signCalls).toBe(1);
  });

  it("when the realm rotates its key, then the next request is signed by the new key", async () => {
    const { signer, ring } = setup();
    const documents = signer();
    const before = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
    const rotated = await ring.rotate(REALM);
    const after = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
    expect(after.kid).toBe(rotated.kid);
    expect(after.hash).toBe(before.hash);
    await expect(verifyWithJwks(before.jws, await ring.jwks(REALM))).resolves.toBeDefined();
    await expect(verifyWithJwks(after.jws, await ring.jwks(REALM))).resolves.toBeDefined();
  });

  it("when the body names another realm, then it is refused and nothing is signed", async () => {
    const { signer, keys } = setup();
    await expect(signer().signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config({ realm: OTHER }) })).rejects.toMatchObject({
      kind: "validation",
      code: "realm-mismatch",
    });
    expect(keys.signCalls).toBe(0);
  });

  it("when two realms sign the same body shape, then each document verifies only with its own realm's JWKS", async () => {
    const { signer, ring } = setup();
    const documents = signer();
    const a = await documents.signDocument({ realmId: REALM, typ: "rj-config+jwt", body: config() });
    const b = await documents.signDocument({ realmId: OTHER, typ: "rj-config+jwt", body: config({ realm: OTHER }) });
    await expect(verifyWithJwks(a.jws, await ring.jwks(OTHER))).rejects.toThrow();
    await expect(verifyWithJwks(b.jws, await ring.jwks(REALM))).rejects.toThrow();
    await expect(verifyWithJwks(b.jws, await ring.jwks(OTHER))).resolves.toBeDefined();
  });
});
