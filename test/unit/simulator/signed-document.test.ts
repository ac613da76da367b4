import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { CompactSign, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { recomputeDocumentHash } from "../../../lib/simulator/document-hash.js";
import { SignedDocumentError, verifySignedDocument, type SignedDocumentProblem } from "../../../lib/simulator/signed-document.js";

const REALM = "11111111-1111-4111-8111-111111111111";
const DEVICE = "d0000000-0000-4000-8000-000000000001";
const CONFIG = {
  realm: REALM,
  deviceId: DEVICE,
  bitlockerEnabled: true,
  securityRequirements: { updates: "audit", encryption: "enforce", firewall: "enforce", antivirus: "audit" },
  makeAdmin: false,
  releaseChannel: "stable",
  deliveryOptimization: { downloadMode: 2, groupId: "5e0e0000-0000-4000-8000-00000000000a" },
  reportIntervalSeconds: 900,
  noGraph: false,
};

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
let key: SigningKey;
let otherKey: SigningKey;
let jwks: JSONWebKeySet;

beforeAll(async () => {
  const pair = await generateKeyPair("PS256", { extractable: true });
  key = pair.privateKey;
  otherKey = (await generateKeyPair("PS256")).privateKey;
  const pub: JWK = { ...(await exportJWK(pair.publicKey)), kid: "realm-key-1", alg: "PS256", use: "sig" };
  jwks = { keys: [pub] };
});

/** Signs like the back-end: canonical JSON payload with iat and hash. */
async function sign(body: Record<string, unknown>, options: { kid?: string; typ?: string; alg?: string; with?: SigningKey; hash?: string } = {}): Promise<string> {
  const payload = { ...body, iat: 1_767_225_600, hash: options.hash ?? recomputeDocumentHash(body) };
  return new CompactSign(new TextEncoder().encode(canonicalize(payload)))
    .setProtectedHeader({ alg: options.alg ?? "PS256", kid: options.kid ?? "realm-key-1", typ: options.typ ?? "rj-config+jwt" })
    .sign(options.with ?? key);
}

const expectations = { typ: "rj-config+jwt" as const, realm: REALM, deviceId: DEVICE };

async function refusal(jws: string, overrides: Partial<Parameters<typeof verifySignedDocument>[2]> = {}): Promise<SignedDocumentProblem> {
  try {
    await verifySignedDocument(jws, jwks, { ...expectations, ...overrides });
  } catch (e) {
    if (e instanceof SignedDocumentError) return e.problem;
    throw e;
  }
  throw new Error("the document was accepted");
}

describe("recomputeDocumentHash", () => {
  it("when computed, then it is the lowercase hex SHA-256 of the RFC 8785 JSON without iat and hash", () => {
    const doc = { b: 1, a: { z: [3, "x"], y: null }, iat: 5, hash: "zz" };
    const expected = createHash("sha256").update('{"a":{"y":null,"z":[3,"x"]},"b":1}').digest("hex");
    expect(recomputeDocumentHash(doc)).toBe(expected);
  });

  it("when only iat or key order differ, then the hash is the same", () => {
    expect(recomputeDocumentHash({ x: 1, y: 2, iat: 1 })).toBe(recomputeDocumentHash({ y: 2, x: 1, iat: 2 }));
  });
});

describe("verifySignedDocument", () => {
  it("when the configuration is signed by a realm key and its hash and ETag agree, then the payload is returned", async () => {
    const jws = await sign(CONFIG);
    const hash = recomputeDocumentHash(CONFIG);
    const verified = await verifySignedDocument(jws, jwks, { ...expectations, etag: `"${hash}"` });
    expect(verified.hash).toBe(hash);
    expect(verified.kid).toBe("realm-key-1");
    expect(verified.payload).toMatchObject(CONFIG);
  });

  it("when a payload byte is tampered with, then the signature is refused", async () => {
    const [h, p, s] = (await sign(CONFIG)).split(".");
    const tampered = JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>;
    tampered["bitlockerEnabled"] = false;
    tampered["hash"] = recomputeDocumentHash(tampered);
    expect(await refusal(`${h}.${Buffer.from(JSON.stringify(tampered)).toString("base64url")}.${s}`)).toBe("bad-signature");
  });

  it("when signed by a key the realm does not publish under that kid, then it is refused", async () => {
    expect(await refusal(await sign(CONFIG, { with: otherKey }))).toBe("bad-signature");
    expect(await refusal(await sign(CONFIG, { kid: "someone-elses-key", with: otherKey }))).toBe("unknown-kid");
  });

  it("when the hash does not match the content, then it is refused even with a valid signature", async () => {
    expect(await refusal(await sign(CONFIG, { hash: "0".repeat(64) }))).toBe("hash-mismatch");
  });

  it("when the ETag names another hash, then it is refused", async () => {
    expect(await refusal(await sign(CONFIG), { etag: `"${"a".repeat(64)}"` })).toBe("etag-mismatch");
  });

  it("when the document is for another device or realm, or of another type, then it is refused", async () => {
    expect(await refusal(await sign({ ...CONFIG, deviceId: "d0000000-0000-4000-8000-000000000002" }))).toBe("wrong-device");
    expect(await refusal(await sign({ ...CONFIG, realm: "22222222-2222-4222-8222-222222222222" }))).toBe("wrong-realm");
    expect(await refusal(await sign(CONFIG, { typ: "rj-manifest+jwt" }))).toBe("bad-typ");
  });

  it("when the header names another algorithm or the text is not a JWS, then it is refused", async () => {
    expect(await refusal("not-a-jws")).toBe("malformed");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", kid: "realm-key-1", typ: "rj-config+jwt" })).toString("base64url")}.${Buffer.from(JSON.stringify(CONFIG)).toString("base64url")}.`;
    expect(await refusal(none)).toBe("bad-alg");
  });
});
