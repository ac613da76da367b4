import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createPublicKey, generateKeyPairSync, randomBytes, webcrypto } from "node:crypto";
import { join } from "node:path";
import { systemClock, type Clock } from "../core/clock.js";
import { loadOrCreateFiles } from "./create-once-dir.js";
import { sha256Hex } from "./device-certificate.js";
import { isGuid } from "./guid.js";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;
const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const DAY_MS = 24 * 3600_000;

/** Device key to certify: an existing public key, or one to generate for the algorithm the device will sign with. */
export type DeviceKeySource = { publicKeyPem: string } | { generate: "ES256" | "RS256" | "PS256" };

export interface IssuedDeviceCertificate {
  certPem: string;
  /** PKCS#8 PEM of the generated private key; absent when the caller brought its own key. */
  keyPem?: string;
  /** Lowercase hex SHA-256 of the certificate DER. */
  thumbprint: string;
}

export interface IssueOptions {
  /** Defaults: notBefore = clock now - 5 minutes, notAfter = notBefore + 365 days. */
  notBefore?: Date;
  notAfter?: Date;
}

export interface DevDeviceCaOptions {
  /** Folder under which `dev-ca/` holds the CA key and certificate. */
  dataDir: string;
  clock?: Clock;
}

/** A local device CA (ECDSA P-256) for realms whose deviceTrust is "device-ca": issues certificates with CN = device id. */
export class DevDeviceCa {
  private constructor(
    private readonly key: webcrypto.CryptoKey,
    private readonly cert: x509.X509Certificate,
    private readonly clock: Clock,
  ) {}

  /** Loads the CA from `<dataDir>/dev-ca/`, creating it (valid 10 years) on first start; throws when the folder cannot be used. */
  static async open(options: DevDeviceCaOptions): Promise<DevDeviceCa> {
    const clock = options.clock ?? systemClock;
    const files = await loadOrCreateFiles(join(options.dataDir, "dev-ca"), ["ca-key.pem", "ca-cert.pem"] as const, async () => {
      const keys = await webcrypto.subtle.generateKey(EC_P256, true, ["sign", "verify"]);
      const notBefore = new Date(clock.now() - DAY_MS);
      const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial(),
        name: "CN=RealmJoin Dev Device CA, O=RealmJoin Local",
        notBefore,
        notAfter: new Date(notBefore.getTime() + 3650 * DAY_MS),
        signingAlgorithm: SIGNING,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(new Uint8Array(await webcrypto.subtle.exportKey("spki", keys.publicKey))),
        ],
      });
      const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
      return { "ca-key.pem": toPem(pkcs8, "PRIVATE KEY"), "ca-cert.pem": cert.toString("pem") + "\n" };
    });
    const key = await webcrypto.subtle.importKey("pkcs8", fromPem(files["ca-key.pem"]), EC_P256, false, ["sign"]);
    return new DevDeviceCa(key, new x509.X509Certificate(files["ca-cert.pem"]), clock);
  }

  /** The CA certificate as PEM, for a realm's deviceCaPem. */
  caPem(): string {
    return this.cert.toString("pem") + "\n";
  }

  /** Issues a client certificate with CN = the device id (lowercase); throws TypeError when deviceId is not a GUID. */
  async issueDeviceCertificate(deviceId: string, source: DeviceKeySource, options: IssueOptions = {}): Promise<IssuedDeviceCertificate> {
    if (!isGuid(deviceId)) throw new TypeError("deviceId must be a GUID");
    let keyPem: string | undefined;
    let spki: Buffer;
    if ("generate" in source) {
      const pair =
        source.generate === "ES256"
          ? generateKeyPairSync("ec", { namedCurve: "P-256" })
          : generateKeyPairSync("rsa", { modulusLength: 2048 });
      keyPem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      spki = pair.publicKey.export({ type: "spki", format: "der" });
    } else {
      spki = createPublicKey(source.publicKeyPem).export({ type: "spki", format: "der" });
    }
    const notBefore = options.notBefore ?? new Date(this.clock.now() - 5 * 60_000);
    const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * DAY_MS);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${deviceId.toLowerCase()}`,
      issuer: this.cert.subject,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      publicKey: new Uint8Array(spki),
      signingKey: this.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(this.cert),
      ],
    });
    const der = new Uint8Array(cert.rawData);
    return { certPem: cert.toString("pem") + "\n", ...(keyPem === undefined ? {} : { keyPem }), thumbprint: sha256Hex(der) };
  }
}

// Positive 16-byte serial: a leading byte below 0x80 keeps the DER INTEGER positive.
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}

function toPem(der: Buffer, label: string): string {
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}
