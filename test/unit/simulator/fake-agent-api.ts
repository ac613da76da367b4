import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import canonicalize from "canonicalize";
import { CompactSign, decodeJwt, exportJWK, generateKeyPair, importX509, jwtVerify, type JWK } from "jose";

/**
 * A stand-in for the back-end's agent API (API.md), on 127.0.0.1, strict where the agent could get it wrong:
 * device assertions are verified against their x5c certificate with the audience, a jti is accepted once, every
 * request must carry x-request-id, SAS downloads must not carry device headers. The initial run is a plain list
 * of steps that advances on each answer.
 */
export interface FakeAgentApiOptions {
  realm: string;
  audience: string;
  securityRequirements?: Record<string, "enforce" | "audit">;
  noGraph?: boolean;
  withSecondIdentity?: boolean;
  /** Statuses to answer before the real answer, per "METHOD /route" (route without the /api/agent/v1 prefix). */
  faults?: Record<string, { status: number; retryAfter?: string }[]>;
  /** Sign documents with a key the JWKS does not publish. */
  rogueSigner?: boolean;
  /** Serve content whose bytes differ from the manifest's hash. */
  corruptContent?: boolean;
  /** Packages the install link answers 200 for. */
  assignedLinks?: string[];
}

interface Package {
  id: string;
  version: string;
  installContext: "system" | "user";
  content: Buffer;
}

interface Step {
  id: string;
  kind: string;
  name?: string;
  packageId?: string;
  version?: string;
  installContext?: string;
}

interface DeviceRecord {
  steps: Step[];
  index: number;
  status: "running" | "succeeded" | "failed";
  failure?: { reason: string };
  bootIdAtEnroll?: string;
  /** oid of the user token that came with the enrolment. */
  enrolledBy?: string;
  answers: { stepId: string; kind: string; body: Record<string, unknown>; hadUser: boolean }[];
  states: Record<string, unknown>[];
}

export interface FakeAgentApi {
  url: string;
  devices: Map<string, DeviceRecord>;
  escrowed: { deviceId: string; keyId: string; tenantId: string }[];
  /** Every request: its route, request id, jti (when a device assertion came), and whether a user token came. */
  requests: { route: string; requestId: string | undefined; jti?: string; user: boolean; ifNoneMatch?: string }[];
  packages: Package[];
  close(): Promise<void>;
}

const API = "/api/agent/v1";

/** Starts the fake on a free loopback port. */
export async function startFakeAgentApi(options: FakeAgentApiOptions): Promise<FakeAgentApi> {
  const { publicKey, privateKey } = await generateKeyPair("PS256", { extractable: true });
  const rogue = (await generateKeyPair("PS256")).privateKey;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "k1", alg: "PS256", use: "sig" };
  const packages: Package[] = [
    { id: "Contoso.Runtime", version: "1.0.0", installContext: "system", content: Buffer.from("runtime bytes ".repeat(1000)) },
    { id: "Contoso.Tool", version: "2.1.0", installContext: "system", content: Buffer.from("tool bytes ".repeat(5000)) },
    { id: "Contoso.Notes", version: "3.0.0", installContext: "user", content: Buffer.from("notes") },
  ];
  const requirements = options.securityRequirements ?? { updates: "audit", encryption: "enforce", firewall: "enforce", antivirus: "audit" };
  const devices = new Map<string, DeviceRecord>();
  const escrowed: FakeAgentApi["escrowed"] = [];
  const requests: FakeAgentApi["requests"] = [];
  const seenJti = new Set<string>();
  const faults = structuredClone(options.faults ?? {});
  let base = "";

  const entry = (p: Package, corrupt = false) => ({
    id: p.id,
    version: p.version,
    sha256: createHash("sha256").update(corrupt ? Buffer.concat([p.content, Buffer.from("!")]) : p.content).digest("hex"),
    size: p.content.length,
    installContext: p.installContext,
    intent: "required",
    dependencies: p.id === "Contoso.Tool" ? [{ id: "Contoso.Runtime", range: "[1.0.0,)" }] : [],
    downloadUrl: `/api/content/${p.id}/${p.version}`,
    contentInfoUrl: `/api/content/${p.id}/${p.version}`,
  });

  const documentFor = (kind: "config" | "packages", deviceId: string): Record<string, unknown> =>
    kind === "config"
      ? {
          realm: options.realm,
          deviceId,
          bitlockerEnabled: true,
          securityRequirements: requirements,
          makeAdmin: false,
          releaseChannel: "stable",
          deliveryOptimization: { downloadMode: 2, groupId: "6f000000-0000-4000-8000-000000000001" },
          reportIntervalSeconds: 900,
          noGraph: options.noGraph === true,
        }
      : { realm: options.realm, deviceId, packages: packages.map((p) => entry(p)) };

  const hashOf = (doc: Record<string, unknown>) => createHash("sha256").update(canonicalize(doc)!).digest("hex");

  const sign = async (doc: Record<string, unknown>, typ: string) =>
    new CompactSign(new TextEncoder().encode(canonicalize({ ...doc, iat: Math.floor(Date.now() / 1000), hash: hashOf(doc) })))
      .setProtectedHeader({ alg: "PS256", kid: "k1", typ })
      .sign(options.rogueSigner === true ? rogue : privateKey);

  const stepsFor = (): Step[] => {
    const steps: Step[] = ["updates", "encryption", "firewall", "antivirus"].map((name) => ({ id: randomUUID(), kind: "check", name }));
    steps.push({ id: randomUUID(), kind: "bitlocker" });
    for (const p of packages.filter((x) => x.installContext === "system")) steps.push({ id: randomUUID(), kind: "install", packageId: p.id, version: p.version, installContext: "system" });
    steps.push({ id: randomUUID(), kind: "restart" });
    steps.push({ id: randomUUID(), kind: "confirm-user" });
    if (options.withSecondIdentity === true) steps.push({ id: randomUUID(), kind: "second-identity" });
    for (const p of packages.filter((x) => x.installContext === "user")) steps.push({ id: randomUUID(), kind: "install", packageId: p.id, version: p.version, installContext: "user" });
    return steps;
  };

  const problem = (res: ServerResponse, status: number, detail: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/problem+json", ...headers });
    res.end(JSON.stringify({ type: "about:blank", title: "problem", status, detail }));
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  /** Verifies the device assertion like the back-end; returns the device id or answers 401. */
  const authenticate = async (req: IncomingMessage, res: ServerResponse, record: FakeAgentApi["requests"][number]): Promise<string | undefined> => {
    const assertion = req.headers["x-rj-device-assertion"];
    if (typeof assertion !== "string") return void problem(res, 401, "device assertion missing");
    try {
      const { payload, protectedHeader } = await jwtVerify(
        assertion,
        async (header) => {
          const x5c = header.x5c?.[0];
          if (x5c === undefined) throw new Error("no x5c");
          return importX509(`-----BEGIN CERTIFICATE-----\n${x5c}\n-----END CERTIFICATE-----`, header.alg);
        },
        { audience: options.audience, typ: "rj-device+jwt", maxTokenAge: 600 },
      );
      if (protectedHeader.typ !== "rj-device+jwt" || payload.tid !== options.realm || typeof payload.jti !== "string" || typeof payload.sub !== "string") {
        return void problem(res, 401, "bad assertion claims");
      }
      record.jti = payload.jti;
      if (seenJti.has(payload.jti)) return void problem(res, 401, "replayed jti");
      seenJti.add(payload.jti);
      return payload.sub;
    } catch (e) {
      return void problem(res, 401, `assertion refused: ${(e as Error).message}`);
    }
  };

  const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  };

  const advance = (d: DeviceRecord) => {
    d.index++;
    if (d.index >= d.steps.length) d.status = "succeeded";
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", base);
    const path = url.pathname;
    const route = `${req.method} ${path.startsWith(API) ? path.slice(API.length) : path}`;
    const requestId = typeof req.headers["x-request-id"] === "string" ? req.headers["x-request-id"] : undefined;
    const record: FakeAgentApi["requests"][number] = { route, requestId, user: typeof req.headers.authorization === "string" };
    if (typeof req.headers["if-none-match"] === "string") record.ifNoneMatch = req.headers["if-none-match"];
    requests.push(record);
    if (requestId === undefined) return problem(res, 400, "x-request-id missing");

    if (path.startsWith("/sas/")) {
      if (req.headers["x-rj-device-assertion"] !== undefined) return problem(res, 400, "device headers leaked to the SAS URL");
      const p = packages.find((x) => x.id === decodeURIComponent(path.slice(5)));
      if (p === undefined) return problem(res, 404, "no blob");
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(options.corruptContent === true ? Buffer.concat([p.content.subarray(1), Buffer.from("X")]) : p.content);
    }
    if (route === "GET /keys") {
      return json(res, 200, url.searchParams.get("realm") === options.realm ? { keys: [jwk] } : { keys: [] });
    }
    if (route === "POST /api/dev/entra/bitlocker-keys") {
      const body = await readJson(req);
      escrowed.push({ deviceId: String(body["deviceId"]), keyId: String(body["keyId"]), tenantId: String(body["tenantId"]) });
      return json(res, 201, {});
    }

    const deviceId = await authenticate(req, res, record);
    if (deviceId === undefined) return;
    const fault = faults[route]?.shift();
    if (fault !== undefined) return problem(res, fault.status, "injected", fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter });

    const content = /^GET \/api\/content\/([^/]+)\/([^/]+)$/.exec(route);
    if (content !== null) {
      res.writeHead(302, { location: `${base}/sas/${content[1]}?sv=2025-01-05&sig=abc` });
      return res.end();
    }
    if (route === "POST /enroll") {
      await readJson(req);
      const d: DeviceRecord = devices.get(deviceId) ?? { steps: stepsFor(), index: 0, status: "running", answers: [], states: [] };
      devices.set(deviceId, d);
      const token = req.headers.authorization?.replace(/^Bearer /, "");
      const oid = token === undefined ? undefined : decodeJwt(token).oid;
      if (typeof oid === "string") d.enrolledBy = oid;
      return json(res, 200, { deviceId, primaryUser: oid ?? null, onboarding: { runId: `run-${deviceId}`, status: d.status } });
    }
    const d = devices.get(deviceId);
    if (d === undefined) return problem(res, 404, "not enrolled");
    if (route === "GET /config" || route === "GET /packages") {
      const doc = documentFor(route === "GET /config" ? "config" : "packages", deviceId);
      const hash = hashOf(doc);
      if (req.headers["if-none-match"] === `"${hash}"`) {
        res.writeHead(304, { etag: `"${hash}"` });
        return res.end();
      }
      res.writeHead(200, { "content-type": "application/jose", etag: `"${hash}"` });
      return res.end(await sign(doc, route === "GET /config" ? "rj-config+jwt" : "rj-manifest+jwt"));
    }
    if (route === "POST /state") {
      const body = await readJson(req);
      d.bootIdAtEnroll ??= String(body["bootId"]);
      d.states.push(body);
      return json(res, 202, { nextReportSeconds: 900, configHash: hashOf(documentFor("config", deviceId)) });
    }
    if (route === "GET /onboarding") {
      const step = d.status === "running" ? d.steps[d.index] : undefined;
      const phase = d.steps.findIndex((s) => s.kind === "confirm-user") <= d.index ? "user" : "system";
      return json(res, 200, { runId: `run-${deviceId}`, status: d.status, phase, ...(step === undefined ? {} : { step }), ...(d.failure === undefined ? {} : { failure: d.failure }) });
    }
    const answer = /^POST \/onboarding\/([^/]+)\/steps\/([^/]+)$/.exec(route);
    if (answer !== null) {
      const body = await readJson(req);
      const step = d.steps[d.index];
      if (d.status !== "running" || step === undefined || step.id !== answer[2] || answer[1] !== `run-${deviceId}`) return problem(res, 409, "not the current step");
      d.answers.push({ stepId: step.id, kind: step.kind, body, hadUser: record.user });
      const failed = (reason: string) => {
        d.status = "failed";
        d.failure = { reason };
      };
      if (body["outcome"] === "failed") {
        if (step.kind !== "check" || requirements[step.name ?? ""] === "enforce") failed(step.kind === "check" ? `check-failed:${step.name}` : `${step.kind}-failed`);
        else advance(d);
      } else if (step.kind === "bitlocker" && options.noGraph !== true && !escrowed.some((e) => e.deviceId === deviceId && e.keyId === (body["data"] as { keyId?: string } | undefined)?.keyId)) {
        failed("bitlocker-escrow");
      } else if (step.kind === "restart" && !d.states.some((s) => s["bootId"] !== d.bootIdAtEnroll)) {
        failed("restart-not-seen");
      } else if (step.kind === "confirm-user" && !record.user) {
        failed("confirm-user-without-user");
      } else {
        advance(d);
      }
      return json(res, 202, {});
    }
    const link = /^POST \/packages\/([^/]+)\/install$/.exec(route);
    if (link !== null) {
      const id = decodeURIComponent(link[1]!);
      const p = packages.find((x) => x.id === id);
      if (p === undefined) return problem(res, 404, "no such package");
      if (!(options.assignedLinks ?? []).includes(id)) return problem(res, 403, "not assigned");
      const deps = id === "Contoso.Tool" ? [entry(packages[0]!)] : [];
      return json(res, 200, { package: entry(p), dependencies: deps });
    }
    return problem(res, 404, `no route ${route}`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => problem(res, 500, String(e)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    devices,
    escrowed,
    requests,
    packages,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
