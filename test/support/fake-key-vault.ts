import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import {
  constants,
  createHash,
  createPrivateKey,
  generateKeyPair,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  webcrypto,
  type KeyObject,
} from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";

const generateRsa = promisify(generateKeyPair);

/** One request as the fake vault saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

/** A credential that hands out the fake vault's token and records what it was asked for. */
export interface RecordingCredential extends TokenCredential {
  calls: Array<{ scopes: string[]; tenantId: string | undefined }>;
}

export interface FakeKeyVault {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** PEM of the self-signed certificate the server presents (trust it via `tlsOptions.ca`). */
  caPem: string;
  tenantId: string;
  /** A credential whose token the vault accepts. */
  credential: RecordingCredential;
  requests: RecordedRequest[];
  /** The next `count` authenticated requests answer 429 with `Retry-After: <seconds>`. */
  throttleNext(retryAfterSeconds: number, count?: number): void;
  /** Versions of a key, oldest first. */
  versions(name: string): string[];
  /** Creates a key version as a deployment would (the Bicep's `Microsoft.KeyVault/vaults/keys`), outside any client; returns its version. */
  seedKey(name: string, keyOps: string[]): Promise<string>;
  /** false: `POST /keys/{name}/create` answers 403 Forbidden (the identity lacks the create permission), as with appCreatesKeys=false. */
  allowCreate(allowed: boolean): void;
  close(): Promise<void>;
}

interface StoredVersion {
  version: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyOps: string[];
  created: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A Key Vault stand-in on https://127.0.0.1 answering in the Keys REST shapes
 * (challenge 401, get/create key, sign, wrapkey, unwrapkey, 429 on demand) with
 * real RSA keys: signatures are real RSASSA-PSS over the posted digest.
 */
export async function startFakeKeyVault(options: { tenantId?: string } = {}): Promise<FakeKeyVault> {
  const tenantId = options.tenantId ?? "72f988bf-86f1-41af-91ab-2d7cd011db47";
  const token = `fake-kv-token-${randomBytes(8).toString("hex")}`;
  const keys = new Map<string, StoredVersion[]>();
  const requests: RecordedRequest[] = [];
  let throttle = { remaining: 0, retryAfterSeconds: 1 };
  let createAllowed = true;
  let url = "";

  const tls = await selfSignedCertificate();

  const bundle = (name: string, v: StoredVersion) => {
    const jwk = v.publicKey.export({ format: "jwk" });
    return {
      key: { kid: `${url}/keys/${name}/${v.version}`, kty: "RSA", key_ops: v.keyOps, n: jwk.n, e: jwk.e },
      attributes: { enabled: true, created: v.created, updated: v.created, recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90 },
    };
  };

  const find = (name: string, version: string | undefined): StoredVersion => {
    const versions = keys.get(name);
    const found = version ? versions?.find((v) => v.version === version) : versions?.at(-1);
    if (!found) throw new HttpError(404, "KeyNotFound", `A key with (name/id) ${name}${version ? `/${version}` : ""} was not found in this key vault.`);
    return found;
  };

  async function addVersion(name: string, size: number, keyOps: string[]): Promise<StoredVersion> {
    const { privateKey, publicKey } = await generateRsa("rsa", { modulusLength: size });
    const v: StoredVersion = { version: randomBytes(16).toString("hex"), privateKey, publicKey, keyOps, created: Math.floor(Date.now() / 1000) };
    keys.set(name, [...(keys.get(name) ?? []), v]);
    return v;
  }

  async function handle(req: IncomingMessage, body: Record<string, unknown>): Promise<unknown> {
    const path = new URL(req.url ?? "/", "https://x").pathname;
    const segments = path.split("/").filter((s) => s.length > 0);
    if (segments[0] !== "keys" || !segments[1]) throw new HttpError(404, "NotFound", "Unknown path");
    const name = segments[1];
    if (req.method === "GET" && segments.length <= 3) return bundle(name, find(name, segments[2]));
    if (req.method === "POST" && segments.length === 3 && segments[2] === "create") {
      if (!createAllowed) {
        throw new HttpError(403, "Forbidden", `Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/keys/create/action' (key ${name})`);
      }
      const size = typeof body.key_size === "number" ? body.key_size : 2048;
      const keyOps = Array.isArray(body.key_ops) ? body.key_ops.filter((o): o is string => typeof o === "string") : ["sign", "verify", "wrapKey", "unwrapKey"];
      return bundle(name, await addVersion(name, size, keyOps));
    }
    if (req.method === "POST" && segments.length === 4) {
      const v = find(name, segments[2]);
      const operation = segments[3]?.toLowerCase();
      const kid = `${url}/keys/${name}/${v.version}`;
      const value = typeof body.value === "string" ? Buffer.from(body.value, "base64url") : undefined;
      if (!value) throw new HttpError(400, "BadParameter", "value is required");
      if (operation === "sign") {
        if (body.alg !== "PS256") throw new HttpError(400, "BadParameter", "Only PS256 is supported by the fake");
        if (value.length !== 32) throw new HttpError(400, "BadParameter", "Digest must be 32 bytes for PS256");
        return { kid, value: signPssDigest(v.privateKey, value).toString("base64url") };
      }
      if (operation === "wrapkey" || operation === "unwrapkey") {
        if (body.alg !== "RSA-OAEP-256") throw new HttpError(400, "BadParameter", "Only RSA-OAEP-256 is supported by the fake");
        const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" };
        try {
          const result = operation === "wrapkey" ? publicEncrypt({ key: v.publicKey, ...oaep }, value) : privateDecrypt({ key: v.privateKey, ...oaep }, value);
          return { kid, value: result.toString("base64url") };
        } catch {
          throw new HttpError(400, "BadParameter", "Decryption failed");
        }
      }
    }
    throw new HttpError(405, "MethodNotAllowed", `${req.method ?? ""} ${path}`);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "https://x").pathname;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method: req.method ?? "", path, status });
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const raw = await readBody(req);
    if (req.headers.authorization !== `Bearer ${token}`) {
      send(401, { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } }, {
        "www-authenticate": `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`,
      });
      return;
    }
    if (throttle.remaining > 0) {
      throttle.remaining--;
      send(429, { error: { code: "Throttled", message: "Request was not processed because too many requests were received." } }, {
        "retry-after": String(throttle.retryAfterSeconds),
      });
      return;
    }
    try {
      const body = raw.length > 0 ? (JSON.parse(raw) as Record<string, unknown>) : {};
      send(200, await handle(req, body));
    } catch (error) {
      if (error instanceof HttpError) send(error.status, { error: { code: error.code, message: error.message } });
      else send(500, { error: { code: "InternalError", message: String(error) } });
    }
  }

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    void serve(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const credential: RecordingCredential = {
    calls: [],
    getToken(scopes: string | string[], tokenOptions?: GetTokenOptions): Promise<AccessToken> {
      credential.calls.push({ scopes: Array.isArray(scopes) ? scopes : [scopes], tenantId: tokenOptions?.tenantId });
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };

  return {
    url,
    caPem: tls.certPem,
    tenantId,
    credential,
    requests,
    throttleNext(retryAfterSeconds, count = 1) {
      throttle = { remaining: count, retryAfterSeconds };
    },
    versions: (name) => (keys.get(name) ?? []).map((v) => v.version),
    seedKey: async (name, keyOps) => (await addVersion(name, 2048, keyOps)).version,
    allowCreate(allowed) {
      createAllowed = allowed;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * RSASSA-PSS (RFC 8017 8.1.1) over a precomputed SHA-256 digest, salt 32 bytes: node's sign()
 * only takes the message, so encode EMSA-PSS by hand and apply the raw RSA private operation.
 */
function signPssDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const modBits = privateKey.asymmetricKeyDetails?.modulusLength;
  if (!modBits) throw new Error("Not an RSA key");
  const hLen = 32;
  const sLen = 32;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(sLen);
  const h = createHash("sha256").update(Buffer.concat([Buffer.alloc(8), digest, salt])).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - sLen - hLen - 2), Buffer.from([0x01]), salt]);
  const mask = mgf1(h, emLen - hLen - 1);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  const em = Buffer.concat([db, h, Buffer.from([0xbc])]);
  const k = Math.ceil(modBits / 8);
  const block = Buffer.concat([Buffer.alloc(k - emLen), em]);
  return privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);
}

function mgf1(seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash("sha256").update(Buffer.concat([seed, c])).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** A self-signed ECDSA certificate for localhost and 127.0.0.1, valid for a day (test HTTPS servers). */
export async function selfSignedCertificate(): Promise<{ keyPem: string; certPem: string }> {
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomBytes(8).toString("hex"),
      name: "CN=localhost",
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 24 * 3_600_000),
      keys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.SubjectAlternativeNameExtension([
          { type: "dns", value: "localhost" },
          { type: "ip", value: "127.0.0.1" },
        ]),
      ],
    },
    webcrypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }).export({ format: "pem", type: "pkcs8" }).toString();
  return { keyPem, certPem: cert.toString("pem") };
}
