import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createDeviceAssertion } from "../auth/device-assertion-client.js";
import { DevDeviceCa } from "../auth/dev-device-ca.js";
import { readDevIssuerInfo } from "../localhost/dev-settings.js";
import { resolveRealm } from "./dev-identity.js";

const USAGE = "usage: npm run -s dev:device -- [--data .data] [--realm contoso|fabrikam|<tid>] [--device <uuid>] --out <dir>";

/**
 * Creates a demo device: a key and a certificate (CN = device id) from the dev device CA, plus one
 * single-use device assertion valid for 10 minutes, so that one curl can enroll it.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: "string", default: ".data" },
      realm: { type: "string", default: "contoso" },
      device: { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  if (values.out === undefined) throw new Error("--out is required");
  const deviceId = (values.device ?? randomUUID()).toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(deviceId)) throw new Error("--device must be a UUID");
  const tenantId = resolveRealm(values.realm);
  const dataDir = resolve(values.data);
  const ca = await DevDeviceCa.open({ dataDir });
  const issued = await ca.issueDeviceCertificate(deviceId, { generate: "ES256" });
  if (issued.keyPem === undefined) throw new Error("the CA returned no key");
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "device.key.pem"), issued.keyPem, { mode: 0o600 });
  writeFileSync(join(out, "device.cert.pem"), issued.certPem);
  const info = readDevIssuerInfo(dataDir);
  const assertion = await createDeviceAssertion({ keyPem: issued.keyPem, certPem: issued.certPem, tenantId, deviceId, audience: info.audience, alg: "ES256" });
  writeFileSync(join(out, "assertion.jwt"), assertion + "\n");
  process.stdout.write(JSON.stringify({ deviceId, realm: tenantId }) + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exit(2);
});
