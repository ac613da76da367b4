import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createPrivateKey, randomBytes, webcrypto } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppInsightsTelemetry as AppInsightsTelemetryType } from "../../../lib/telemetry/app-insights.js";

interface Envelope {
  name: string;
  iKey: string;
  data: { baseType: string; baseData: { name: string; properties?: Record<string, string>; target?: string; resultCode?: string; success?: boolean } };
}

const IKEY = "11111111-2222-4333-8444-555555555555";
const envelopes: Envelope[] = [];
const paths: string[] = [];
let server: Server;
let telemetry: AppInsightsTelemetryType;
const saved = { ...process.env };

async function selfSigned(): Promise<{ key: string; cert: string }> {
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: randomBytes(8).toString("hex"), name: "CN=127.0.0.1", notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000), keys, signingAlgorithm: algorithm, extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }])] },
    webcrypto,
  );
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { key: createPrivateKey({ key: der, format: "der", type: "pkcs8" }).export({ format: "pem", type: "pkcs8" }).toString(), cert: cert.toString("pem") };
}

beforeAll(async () => {
  // The exporter always speaks TLS to the ingestion endpoint: the fake answers with a self-signed
  // certificate, trusted only in this test process. Statsbeat would call Microsoft's own endpoint.
  process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = "0";
  process.env["APPLICATIONINSIGHTS_STATSBEAT_DISABLED"] = "true";
  process.env["APPLICATION_INSIGHTS_NO_STATSBEAT"] = "true";
  process.env["APPLICATIONINSIGHTS_SDKSTATS_DISABLED"] = "true";
  const tls = await selfSigned();
  // Breeze ingestion: POST /v2.1/track with a gzip JSON array of envelopes.
  server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      paths.push(req.url ?? "");
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      const items = JSON.parse(body.toString("utf8")) as Envelope[];
      envelopes.push(...items);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { AppInsightsTelemetry } = await import("../../../lib/telemetry/app-insights.js");
  telemetry = new AppInsightsTelemetry(`InstrumentationKey=${IKEY};IngestionEndpoint=${endpoint};LiveEndpoint=${endpoint}`);
});

afterAll(async () => {
  process.env = saved;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function arrived(predicate: (e: Envelope) => boolean): Promise<Envelope> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = envelopes.find(predicate);
    if (found !== undefined) return found;
    await telemetry.flush();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no such envelope among ${envelopes.map((e) => e.data.baseData.name).join(", ")}`);
}

describe("AppInsightsTelemetry against a local Breeze ingestion endpoint", () => {
  it("when an event is tracked and flushed, then a custom event envelope arrives at /v2.1/track with its dimensions and the instrumentation key", async () => {
    telemetry.event("DeviceEnrolled", { realmId: "realm-1", deviceId: "device-1", primaryUserSet: true, trust: "new" });
    const envelope = await arrived((e) => e.data.baseType === "EventData" && e.data.baseData.name === "DeviceEnrolled");
    expect(paths).toContain("/v2.1/track");
    expect(envelope.iKey).toBe(IKEY);
    expect(envelope.data.baseData.properties).toMatchObject({ realmId: "realm-1", deviceId: "device-1", primaryUserSet: "true", trust: "new" });
  });

  it("when a dimension holds a token or a SAS URL, then what arrives is redacted", async () => {
    const jwt = "eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA";
    telemetry.event("OnboardingTransition", { realmId: "realm-2", deviceId: "device-2", reason: jwt, stepId: "https://a.blob.core.windows.net/c/b?sv=1&sig=c2VjcmV0" });
    const envelope = await arrived((e) => e.data.baseData.name === "OnboardingTransition");
    expect(envelope.data.baseData.properties).toMatchObject({ realmId: "realm-2", reason: "[redacted]", stepId: "[redacted]" });
    expect(JSON.stringify(envelopes)).not.toContain("c2lnbmF0dXJlLXNlY3JldA");
  });

  it("when a dependency is recorded, then a remote dependency envelope arrives with target and result", async () => {
    telemetry.dependency({ type: "HTTP", target: "graph.microsoft.com", method: "GET", path: "/v1.0/users/:id", durationMs: 12, resultCode: "200", success: true });
    const envelope = await arrived((e) => e.data.baseType === "RemoteDependencyData" && e.data.baseData.name === "GET /v1.0/users/:id");
    expect(envelope.data.baseData).toMatchObject({ target: "graph.microsoft.com", resultCode: "200", success: true });
  });
});
