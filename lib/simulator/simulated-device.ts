import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeProtectedHeader } from "jose";
import { AgentHttp, AgentHttpError, describeProblem, type RequestSample } from "./agent-http.js";
import {
  configPayloadSchema,
  enrollResponseSchema,
  failureReason,
  manifestEntrySchema,
  manifestPayloadSchema,
  onboardingSchema,
  stateAckSchema,
  type CheckName,
  type ConfigPayload,
  type EnrollResponse,
  type ManifestEntry,
  type ManifestPayload,
  type Onboarding,
  type OnboardingStep,
  type SecurityState,
  type StateReportBody,
  type StepAnswer,
} from "./api-types.js";
import { DEVICE_ASSERTION_HEADER, freshAssertion, type DeviceIdentity } from "./device-identity.js";
import { JwksCache } from "./jwks-cache.js";
import { parseJsonOrUndefined } from "./json.js";
import { downloadPackage } from "./package-download.js";
import { bitlockerRecoveryPassword } from "./recovery-password.js";
import type { RetryPolicy } from "./retry-policy.js";
import { expectFailure, meetsExpectation, type Expectation, type FinalStatus, type Script } from "./script.js";
import { verifySignedDocument, type SignedDocumentExpectations } from "./signed-document.js";
import { siteNetwork, type SiteNetwork } from "./site-network.js";
import { StateReporter } from "./state-reporter.js";
import type { SignedInUser } from "./user-tokens.js";

/** The audience the back-end accepts by default (first entry of RJ_AUDIENCES). */
export const DEFAULT_AUDIENCE = "api://realmjoin-backend";
export const DEFAULT_AGENT_VERSION = "4.21.0";
const API = "/api/agent/v1";

/** Timings of one device; the fleet compresses them for load runs. */
export interface DeviceTiming {
  /** Time-out of one API attempt. Default 15 s. */
  requestTimeoutMs: number;
  /** Time-out of one package transfer attempt. Default 5 min. */
  downloadTimeoutMs: number;
  /** Pause between GET /onboarding polls. Default 2 s. */
  pollMs: number;
  /** The initial run is given up (status "timeout") after this long. Default 15 min. */
  runTimeoutMs: number;
  /** Replaces the configuration's reportIntervalSeconds; nextReportSeconds is scaled by the same factor. Default: none. */
  reportIntervalSeconds?: number;
  /** An answered step still current after this many polls is answered again (answers are idempotent). Default 15. */
  reanswerAfterPolls: number;
}

const DEFAULT_TIMING: DeviceTiming = { requestTimeoutMs: 15_000, downloadTimeoutMs: 300_000, pollMs: 2000, runTimeoutMs: 15 * 60_000, reanswerAfterPolls: 15 };

/** Where a device is, for progress displays. */
export type DeviceStage = { type: "starting" } | { type: "enrolled" } | { type: "step"; kind: string } | { type: "done"; status: FinalStatus };

/** Callbacks a fleet uses to watch its devices; all optional. */
export interface DeviceObserver {
  onStage?(deviceId: string, stage: DeviceStage): void;
  /** Time from a step's first sighting until the run moved past it. */
  onStepLatency?(kind: string, ms: number): void;
  onRequest?(sample: RequestSample): void;
}

export interface SimulatedDeviceOptions {
  /** e.g. "http://localhost:7071". */
  baseUrl: string;
  identity: DeviceIdentity;
  /** Default "api://realmjoin-backend". */
  audience?: string;
  /** The signed-in user; without one, enroll and user steps go without a user token. */
  user?: SignedInUser;
  script?: Script;
  agentVersion?: string;
  channel?: "stable" | "beta" | "canary";
  /** Local host: escrow BitLocker keys through `POST /api/dev/entra/bitlocker-keys`. Default true. */
  devMode?: boolean;
  /** Network site (devices of a site share gateway and fingerprint). Default 0. */
  site?: number;
  timing?: Partial<DeviceTiming>;
  retry?: RetryPolicy;
  /** A realm key cache shared by a fleet; default one per device. */
  jwks?: JwksCache;
  observer?: DeviceObserver;
  signal?: AbortSignal;
  random?: () => number;
  fetch?: typeof fetch;
}

/** One step as the agent handled it. */
export interface StepRecord {
  stepId: string;
  kind: string;
  name?: string;
  packageId?: string;
  outcome?: StepAnswer["outcome"];
  detail?: string;
}

/** How a device's initial run ended. */
export interface InitialRunResult {
  deviceId: string;
  status: FinalStatus;
  runId?: string;
  /** The back-end's failure reason when it failed the run, or the agent's own error / the silent step. */
  reason?: string;
  expectation: Expectation;
  /** Whether status and reason are what the script predicts. */
  asExpected: boolean;
  steps: StepRecord[];
}

/** What an install link gave. */
export interface InstallLinkResult {
  packageId: string;
  status: number;
  installed: string[];
  problem?: string;
}

type InstalledState = StateReportBody["installed"][number];

/** A Windows RealmJoin agent on one device, speaking API.md to the back-end. */
export class SimulatedDevice {
  readonly deviceId: string;
  readonly tenantId: string;
  private readonly audience: string;
  private readonly script: Script;
  private readonly timing: DeviceTiming;
  private readonly http: AgentHttp;
  private readonly jwks: JwksCache;
  private readonly random: () => number;
  private readonly network: SiteNetwork;
  private readonly reporter: StateReporter;
  private readonly installedById = new Map<string, InstalledState>();
  private readonly security: StateReportBody["security"];
  private configDoc: { payload: ConfigPayload; hash: string } | undefined;
  private manifestDoc: { payload: ManifestPayload; hash: string } | undefined;
  private bootIdValue = randomUUID();
  private enrolled: EnrollResponse | undefined;
  private expectation: Expectation = { status: "succeeded" };
  private reportLoop: AbortController | undefined;
  private reportLoopDone: Promise<void> | undefined;
  /** Delivery Optimization group the agent applied from the configuration. */
  deliveryOptimizationGroupId: string | undefined;
  /** Recovery password and protector id of the BitLocker step, once done. */
  bitlocker: { keyId: string; recoveryPassword: string } | undefined;

  constructor(private readonly options: SimulatedDeviceOptions) {
    this.deviceId = options.identity.deviceId.toLowerCase();
    this.tenantId = options.identity.tenantId.toLowerCase();
    this.audience = options.audience ?? DEFAULT_AUDIENCE;
    this.script = options.script ?? {};
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.random = options.random ?? Math.random;
    const observer = options.observer;
    this.http = new AgentHttp({
      baseUrl: options.baseUrl,
      requestTimeoutMs: this.timing.requestTimeoutMs,
      random: this.random,
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(observer?.onRequest === undefined ? {} : { onSample: (s: RequestSample) => observer.onRequest?.(s) }),
    });
    this.jwks = options.jwks ?? new JwksCache(this.http, this.tenantId);
    this.network = siteNetwork(this.tenantId, options.site ?? 0);
    const failing = new Set<CheckName>(this.script.failChecks ?? []);
    const check = (name: CheckName): SecurityState => (failing.has(name) ? "failed" : "ok");
    this.security = { updates: check("updates"), encryption: check("encryption"), firewall: check("firewall"), antivirus: check("antivirus") };
    this.reporter = new StateReporter({
      send: (report) => this.postState(report),
      snapshot: () => this.stateSnapshot(),
      now: () => Date.now(),
    });
  }

  /** The current boot id (changes with every simulated restart). */
  get bootId(): string {
    return this.bootIdValue;
  }

  /** The verified configuration payload; undefined before the first successful sync. */
  get config(): ConfigPayload | undefined {
    return this.configDoc?.payload;
  }

  /** The verified manifest payload; undefined before the first fetch. */
  get manifest(): ManifestPayload | undefined {
    return this.manifestDoc?.payload;
  }

  /** The installed list as the agent reports it. */
  get installed(): InstalledState[] {
    return [...this.installedById.values()];
  }

  /** The state reporter (sequence, queue of undelivered reports, last acknowledgement). */
  get stateReporter(): StateReporter {
    return this.reporter;
  }

  /** First contact: `POST /enroll` with the device assertion and the user's token; returns the answer; throws AgentHttpError on a non-2xx. */
  async enroll(): Promise<EnrollResponse> {
    const res = await this.http.text({ label: "POST /enroll", method: "POST", url: `${API}/enroll`, json: {}, headers: (request) => this.headers(true, request) });
    if (res.status < 200 || res.status >= 300) throw new AgentHttpError("POST /enroll", res.status, describeProblem(res.value));
    const parsed = enrollResponseSchema.safeParse(parseJsonOrUndefined(res.value));
    if (!parsed.success) throw new AgentHttpError("POST /enroll", res.status, "answer lacks deviceId");
    this.enrolled = parsed.data;
    this.stage({ type: "enrolled" });
    return parsed.data;
  }

  /**
   * Keeps the configuration in sync: `GET /config` with If-None-Match; a 304 keeps the current one. Returns whether it
   * changed; throws SignedDocumentError when the document must not be used, AgentHttpError on other answers.
   */
  async syncConfig(): Promise<boolean> {
    const doc = await this.fetchSigned("config", "rj-config+jwt", this.configDoc?.hash);
    if (doc === undefined) return false;
    const payload = configPayloadSchema.parse(doc.payload);
    this.configDoc = { payload, hash: doc.hash };
    this.deliveryOptimizationGroupId = payload.deliveryOptimization?.groupId;
    return true;
  }

  /** Fetches the signed manifest (`GET /packages`, with If-None-Match); returns it; throws like syncConfig. */
  async fetchManifest(): Promise<ManifestPayload> {
    const doc = await this.fetchSigned("packages", "rj-manifest+jwt", this.manifestDoc?.hash);
    if (doc !== undefined) this.manifestDoc = { payload: manifestPayloadSchema.parse(doc.payload), hash: doc.hash };
    if (this.manifestDoc === undefined) throw new AgentHttpError("GET /packages", 304, "304 without a manifest to keep");
    return this.manifestDoc.payload;
  }

  /** Downloads and verifies one manifest entry, then records it installed (or failed, as scripted); returns whether it installed. */
  async installPackage(entry: ManifestEntry): Promise<{ ok: boolean; detail?: string }> {
    this.installedById.set(entry.id.toLowerCase(), { id: entry.id, version: entry.version, status: "pending" });
    try {
      await downloadPackage(this.http, entry, (request) => this.headers(false, request), this.timing.downloadTimeoutMs);
    } catch (e) {
      this.installedById.set(entry.id.toLowerCase(), { id: entry.id, version: entry.version, status: "failed" });
      return { ok: false, detail: errorText(e) };
    }
    const scriptedFailure = (this.script.failInstalls ?? []).some((id) => id.toLowerCase() === entry.id.toLowerCase());
    this.installedById.set(entry.id.toLowerCase(), { id: entry.id, version: entry.version, status: scriptedFailure ? "failed" : "installed" });
    return scriptedFailure ? { ok: false, detail: "installer exited with code 1603" } : { ok: true };
  }

  /** Queues a state report with the next sequence and sends what is queued; resolves true when nothing is left undelivered. */
  async reportState(): Promise<boolean> {
    return this.reporter.report();
  }

  /**
   * A realmjoin:install:{id} link: `POST /packages/{id}/install` (device + user); on 200 installs the entry and its
   * dependencies (dependencies first). Returns the status (403 not assigned, 404 unknown) and what was installed.
   */
  async useInstallLink(packageId: string): Promise<InstallLinkResult> {
    const label = "POST /packages/{id}/install";
    const res = await this.http.text({ label, method: "POST", url: `${API}/packages/${encodeURIComponent(packageId)}/install`, headers: (request) => this.headers(true, request) });
    if (res.status !== 200) return { packageId, status: res.status, installed: [], problem: describeProblem(res.value) };
    let body: unknown = parseJsonOrUndefined(res.value);
    if ((res.headers.get("content-type") ?? "").includes("jose")) {
      body = (await this.verify(res.value, "rj-manifest+jwt", res.headers.get("etag"))).payload;
    }
    const entries = installLinkEntries(body, packageId);
    const installed: string[] = [];
    for (const entry of entries) {
      const result = await this.installPackage(entry);
      if (!result.ok) return { packageId, status: res.status, installed, problem: `${entry.id}: ${result.detail ?? "failed"}` };
      installed.push(entry.id);
    }
    await this.reportState();
    return { packageId, status: res.status, installed };
  }

  /**
   * The whole first start: enroll (once), sync configuration and manifest, first state report, periodic reports, then
   * follow `GET /onboarding` step by step until the run ends, the script makes the agent go silent, or the run time-out
   * passes. Never throws for protocol failures: they end as status "error" with the reason.
   */
  async runInitialRun(): Promise<InitialRunResult> {
    this.stage({ type: "starting" });
    const steps: StepRecord[] = [];
    let runId: string | undefined;
    let status: FinalStatus;
    let reason: string | undefined;
    try {
      if (this.enrolled === undefined) await this.enroll();
      await this.syncConfig();
      await this.fetchManifest();
      await this.reportState();
      this.startReporting();
      const ended = await this.followOnboarding(steps);
      ({ status, runId, reason } = ended);
    } catch (e) {
      if (this.options.signal?.aborted === true) {
        status = "timeout";
        reason = "stopped";
      } else {
        status = "error";
        reason = errorText(e);
      }
    }
    await this.stopReporting();
    // A silent agent has gone dark; any other sends its final state (installed list, security) once more.
    if (status === "silent") this.expectation = { status: "silent", at: this.script.silentAt ?? "?" };
    else if (this.options.signal?.aborted !== true) await this.reportState().catch(() => false);
    const result: InitialRunResult = {
      deviceId: this.deviceId,
      status,
      ...(runId === undefined ? {} : { runId }),
      ...(reason === undefined ? {} : { reason }),
      expectation: this.expectation,
      asExpected: meetsExpectation(this.expectation, status, reason),
      steps,
    };
    this.stage({ type: "done", status });
    return result;
  }

  /** Keeps reporting state on the interval until `untilMs` (epoch ms) or the signal; the reports stop afterwards. */
  async keepReporting(untilMs: number): Promise<void> {
    this.startReporting();
    const wait = Math.max(0, untilMs - Date.now());
    try {
      await sleep(wait, undefined, this.options.signal === undefined ? {} : { signal: this.options.signal });
    } catch {
      // Stopped early: fall through to stop the loop.
    }
    await this.stopReporting();
  }

  /** Starts the periodic state reports (idempotent). */
  startReporting(): void {
    if (this.reportLoop !== undefined) return;
    const stop = new AbortController();
    this.reportLoop = stop;
    const signal = this.options.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, this.options.signal]);
    this.reportLoopDone = (async () => {
      for (;;) {
        try {
          await sleep(this.nextReportDelayMs(), undefined, { signal });
        } catch {
          return;
        }
        await this.reportState().catch(() => false);
        const ack = this.reporter.lastAck;
        if (ack?.configHash !== undefined && this.configDoc !== undefined && ack.configHash !== this.configDoc.hash) {
          await this.syncConfig().catch(() => false);
        }
      }
    })();
  }

  /** Stops the periodic reports and waits for the loop to end. */
  async stopReporting(): Promise<void> {
    this.reportLoop?.abort();
    await this.reportLoopDone;
    this.reportLoop = undefined;
    this.reportLoopDone = undefined;
  }

  /** Milliseconds until the next periodic report: nextReportSeconds (or the configured interval), compressed and with ±10% jitter. */
  nextReportDelayMs(): number {
    const configured = this.config?.reportIntervalSeconds ?? 900;
    const base = this.reporter.lastAck?.nextReportSeconds ?? configured;
    const factor = this.timing.reportIntervalSeconds === undefined ? 1 : this.timing.reportIntervalSeconds / configured;
    return Math.max(50, Math.round(base * factor * 1000 * (0.9 + 0.2 * this.random())));
  }

  private async followOnboarding(steps: StepRecord[]): Promise<{ status: FinalStatus; runId?: string; reason?: string }> {
    const deadline = Date.now() + this.timing.runTimeoutMs;
    const answers = new Map<string, { body: StepAnswer; pollsSince: number; runId: string; user: boolean }>();
    let current: { id: string; kind: string; since: number } | undefined;
    let runId: string | undefined;
    while (Date.now() < deadline) {
      const run = await this.getOnboarding();
      if (run !== undefined) {
        runId = run.runId;
        const step = run.status === "running" ? (run.step ?? undefined) : undefined;
        if (current !== undefined && current.id !== step?.id) {
          this.options.observer?.onStepLatency?.(current.kind, Date.now() - current.since);
          current = undefined;
        }
        if (run.status !== "running") {
          const reason = run.status === "failed" ? failureReason(run.failure) : undefined;
          return { status: run.status, runId, ...(reason === undefined ? {} : { reason }) };
        }
        if (step !== undefined) {
          if (current === undefined) {
            current = { id: step.id, kind: step.kind, since: Date.now() };
            this.stage({ type: "step", kind: step.kind });
          }
          if (this.script.silentAt === step.kind) return { status: "silent", runId, reason: `silent at ${step.kind}` };
          const answered = answers.get(step.id);
          if (answered === undefined) {
            const user = isUserStep(run, step);
            const body = await this.act(step);
            steps.push({ stepId: step.id, kind: step.kind, ...stepLabels(step), outcome: body.outcome, ...(body.detail === undefined ? {} : { detail: body.detail }) });
            answers.set(step.id, { body, pollsSince: 0, runId: run.runId, user });
            await this.answer(run.runId, step.id, body, user);
            continue;
          }
          if (++answered.pollsSince >= this.timing.reanswerAfterPolls) {
            answered.pollsSince = 0;
            await this.answer(answered.runId, step.id, answered.body, answered.user);
          }
        }
      }
      await this.pause(this.timing.pollMs);
    }
    return { status: "timeout", ...(runId === undefined ? {} : { runId }), reason: "initial run did not end in time" };
  }

  /** The current run, or undefined while none exists yet (404). */
  private async getOnboarding(): Promise<Onboarding | undefined> {
    const res = await this.http.text({ label: "GET /onboarding", method: "GET", url: `${API}/onboarding`, headers: (request) => this.headers(false, request) });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new AgentHttpError("GET /onboarding", res.status, describeProblem(res.value));
    const parsed = onboardingSchema.safeParse(parseJsonOrUndefined(res.value));
    if (!parsed.success) throw new AgentHttpError("GET /onboarding", res.status, `unexpected answer: ${parsed.error.message.slice(0, 200)}`);
    return parsed.data;
  }

  private async answer(runId: string, stepId: string, body: StepAnswer, user: boolean): Promise<void> {
    const label = "POST /onboarding/{runId}/steps/{stepId}";
    const url = `${API}/onboarding/${encodeURIComponent(runId)}/steps/${encodeURIComponent(stepId)}`;
    const res = await this.http.text({ label, method: "POST", url, json: body, headers: (request) => this.headers(user, request) });
    // 409: the run moved on meanwhile (e.g. the step timed out); the next poll shows where it is.
    if ((res.status < 200 || res.status >= 300) && res.status !== 409) throw new AgentHttpError(label, res.status, describeProblem(res.value));
  }

  /** Does what a step asks and returns the answer to post. */
  private async act(step: OnboardingStep): Promise<StepAnswer> {
    switch (step.kind) {
      case "check":
        return this.actCheck(step);
      case "bitlocker":
        return this.actBitlocker();
      case "install":
        return this.actInstall(step);
      case "restart":
        return this.actRestart();
      case "confirm-user":
        return this.options.user === undefined ? { outcome: "failed", detail: "no user is signed in" } : { outcome: "succeeded" };
      case "second-identity":
        return this.actSecondIdentity();
      default:
        return { outcome: "failed", detail: `this agent does not know step kind ${step.kind}` };
    }
  }

  private actCheck(step: OnboardingStep): StepAnswer {
    const name = step.name as CheckName | undefined;
    if (name === undefined || !(name in this.security)) return { outcome: "failed", detail: `unknown check ${String(step.name)}` };
    if (this.security[name] === "ok") return { outcome: "succeeded" };
    if (this.config?.securityRequirements?.[name] !== "audit") this.expectation = expectFailure(this.expectation, `check ${name} failed`);
    return { outcome: "failed", detail: `${name}: requirement not met` };
  }

  private async actBitlocker(): Promise<StepAnswer> {
    const tpm = this.script.tpm ?? { present: true, ready: true };
    if (!tpm.ready) return { outcome: "failed", detail: "TPM is not ready" };
    const keyId = randomUUID();
    const recoveryPassword = bitlockerRecoveryPassword(this.random);
    this.bitlocker = { keyId, recoveryPassword };
    this.security.encryption = "ok";
    // Devices in NoGraph realms are not Entra-joined: the key goes to the back-end with the answer instead.
    if (this.config?.noGraph === true) return { outcome: "succeeded", data: { keyId, recoveryKey: recoveryPassword } };
    if (this.script.noEscrow === true) {
      this.expectation = expectFailure(this.expectation, "escrow never lands", "bitlocker-escrow");
    } else if (this.options.devMode !== false) {
      await this.escrowToDevEntra(keyId);
    }
    return { outcome: "succeeded", data: { keyId } };
  }

  /** Stands in for the agent's upload of the recovery key to Entra ID (the local host's fake Entra records it). */
  private async escrowToDevEntra(keyId: string): Promise<void> {
    const label = "POST /dev/entra/bitlocker-keys";
    const res = await this.http.text({ label, method: "POST", url: "/api/dev/entra/bitlocker-keys", json: { deviceId: this.deviceId, keyId, tenantId: this.tenantId } });
    if (res.status < 200 || res.status >= 300) throw new AgentHttpError(label, res.status, describeProblem(res.value));
  }

  private async actInstall(step: OnboardingStep): Promise<StepAnswer> {
    const packageId = step.packageId;
    if (packageId === undefined) return { outcome: "failed", detail: "install step without packageId" };
    let entry = this.findEntry(packageId, step.version);
    if (entry === undefined) {
      await this.fetchManifest();
      entry = this.findEntry(packageId, step.version);
    }
    if (entry === undefined) return { outcome: "failed", detail: `${packageId} ${step.version ?? ""} is not in the manifest`.trim() };
    const result = await this.installPackage(entry);
    if (!result.ok && (this.script.failInstalls ?? []).some((id) => id.toLowerCase() === packageId.toLowerCase())) {
      this.expectation = expectFailure(this.expectation, `install of ${packageId} failed`);
    }
    return result.ok ? { outcome: "succeeded" } : { outcome: "failed", detail: result.detail ?? "install failed" };
  }

  private async actRestart(): Promise<StepAnswer> {
    this.bootIdValue = randomUUID();
    // The new boot must reach the back-end before the step is answered; an outage only delays it.
    const deadline = Date.now() + this.timing.runTimeoutMs;
    while (!(await this.reportState())) {
      if (Date.now() > deadline) return { outcome: "failed", detail: "could not report the new boot" };
      await this.pause(this.timing.pollMs);
    }
    return { outcome: "succeeded", data: { bootId: this.bootIdValue } };
  }

  private actSecondIdentity(): StepAnswer {
    const upn = this.options.user?.upn;
    if (upn === undefined) return { outcome: "failed", detail: "no user is signed in" };
    const [name = "user", domain = "corp"] = upn.split("@");
    const netbios = (domain.split(".")[0] ?? "corp").toUpperCase().slice(0, 15);
    // The on-premises account name only: never a password or a token.
    return { outcome: "succeeded", data: { accountName: `${netbios}\\${name}` } };
  }

  private findEntry(packageId: string, version: string | undefined): ManifestEntry | undefined {
    return this.manifest?.packages.find((p) => p.id.toLowerCase() === packageId.toLowerCase() && (version === undefined || p.version === version));
  }

  private async fetchSigned(
    path: "config" | "packages",
    typ: SignedDocumentExpectations["typ"],
    knownHash: string | undefined,
  ): Promise<{ payload: Record<string, unknown>; hash: string } | undefined> {
    const label = `GET /${path}`;
    const res = await this.http.text({
      label,
      method: "GET",
      url: `${API}/${path}`,
      headers: async (request) => ({ ...(await this.headers(true, request)), accept: "application/jose", ...(knownHash === undefined ? {} : { "if-none-match": `"${knownHash}"` }) }),
    });
    if (res.status === 304 && knownHash !== undefined) return undefined;
    if (res.status !== 200) throw new AgentHttpError(label, res.status, describeProblem(res.value));
    return this.verify(res.value, typ, res.headers.get("etag"));
  }

  private async verify(jws: string, typ: SignedDocumentExpectations["typ"], etag: string | null) {
    const compact = jws.trim();
    let kid: string | undefined;
    try {
      const k = decodeProtectedHeader(compact).kid;
      kid = typeof k === "string" ? k : undefined;
    } catch {
      kid = undefined;
    }
    const keys = await this.jwks.keysFor(kid);
    return verifySignedDocument(compact, keys, { typ, realm: this.tenantId, deviceId: this.deviceId, etag });
  }

  private async postState(report: StateReportBody) {
    const res = await this.http.text({ label: "POST /state", method: "POST", url: `${API}/state`, json: report, headers: (request) => this.headers(false, request) });
    if (res.status < 200 || res.status >= 300) return { status: res.status, problem: describeProblem(res.value) };
    const ack = stateAckSchema.safeParse(parseJsonOrUndefined(res.value));
    return { status: res.status, ...(ack.success ? { ack: ack.data } : {}) };
  }

  private stateSnapshot(): Omit<StateReportBody, "sequence" | "reportedAt"> {
    const channel = this.options.channel ?? channelOf(this.config?.releaseChannel);
    return {
      agentVersion: this.options.agentVersion ?? DEFAULT_AGENT_VERSION,
      channel,
      installed: this.installed,
      security: { ...this.security },
      tpm: this.script.tpm ?? { present: true, ready: true },
      network: { ...this.network },
      isVirtualMachine: this.script.virtualMachine === true,
      bootId: this.bootIdValue,
    };
  }

  /** Headers of one attempt: a fresh device assertion bound to the request (htm/htu), plus the user's token when asked and available. */
  private async headers(withUser: boolean, request: { method: string; url: string }): Promise<Record<string, string>> {
    const headers: Record<string, string> = { [DEVICE_ASSERTION_HEADER]: await freshAssertion(this.options.identity, this.audience, request) };
    if (withUser && this.options.user !== undefined) headers["authorization"] = `Bearer ${await this.options.user.token()}`;
    return headers;
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, this.options.signal === undefined ? {} : { signal: this.options.signal });
  }

  private stage(stage: DeviceStage): void {
    this.options.observer?.onStage?.(this.deviceId, stage);
  }
}

function isUserStep(run: Onboarding, step: OnboardingStep): boolean {
  return run.phase === "user" || step.kind === "confirm-user" || step.kind === "second-identity" || step.installContext === "user";
}

function stepLabels(step: OnboardingStep): Pick<StepRecord, "name" | "packageId"> {
  return { ...(step.name === undefined ? {} : { name: step.name }), ...(step.packageId === undefined ? {} : { packageId: step.packageId }) };
}

function channelOf(value: string | undefined): StateReportBody["channel"] {
  return value === "beta" || value === "canary" ? value : "stable";
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Manifest entries in an install-link answer (`{packages}`, `{package, dependencies}` or a bare entry), dependencies first. */
export function installLinkEntries(body: unknown, packageId: string): ManifestEntry[] {
  if (typeof body !== "object" || body === null) return [];
  const o = body as Record<string, unknown>;
  const candidates: unknown[] = [];
  if (Array.isArray(o["packages"])) candidates.push(...(o["packages"] as unknown[]));
  else {
    if (Array.isArray(o["dependencies"])) candidates.push(...(o["dependencies"] as unknown[]));
    for (const key of ["package", "entry"]) if (o[key] !== undefined) candidates.push(o[key]);
    candidates.push(o);
  }
  const entries: ManifestEntry[] = [];
  for (const c of candidates) {
    const parsed = manifestEntrySchema.safeParse(c);
    if (parsed.success && !entries.some((e) => e.id.toLowerCase() === parsed.data.id.toLowerCase())) entries.push(parsed.data);
  }
  // The linked package goes last whatever order the answer used.
  return [...entries.filter((e) => e.id.toLowerCase() !== packageId.toLowerCase()), ...entries.filter((e) => e.id.toLowerCase() === packageId.toLowerCase())];
}
