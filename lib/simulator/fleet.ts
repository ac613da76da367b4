import { readDevIssuerInfo } from "../localhost/dev-settings.js";
import { setMaxListeners } from "node:events";
import { DevDeviceCa } from "../auth/dev-device-ca.js";
import { AgentHttp } from "./agent-http.js";
import { FleetStats, type ProgressSnapshot } from "./fleet-stats.js";
import { issueDeviceIdentity } from "./device-identity.js";
import { JwksCache } from "./jwks-cache.js";
import { percentile } from "./percentile.js";
import { resolveRealm } from "./realm-name.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { FinalStatus, Script } from "./script.js";
import { DEFAULT_AUDIENCE, SimulatedDevice, type DeviceTiming, type InitialRunResult, type InstallLinkResult } from "./simulated-device.js";
import { demoUsersOf, DevUserTokens, staticUser, type SignedInUser } from "./user-tokens.js";

export interface FleetOptions {
  /** e.g. "http://localhost:7071". */
  baseUrl: string;
  /** The local host's data folder: device CA (`dev-ca/`) and dev identity provider (`dev-idp/`). */
  dataDir: string;
  /** "contoso", "fabrikam" or a tenant id. */
  realm: string;
  devices: number;
  /** Initial runs in flight at once. Default min(devices, 20). */
  concurrency?: number;
  /** The same script for every device, or one per device index. */
  script?: Script | ((index: number) => Script);
  /** Load runs: devices keep reporting until this much time has passed, then everything stops. */
  durationMs?: number;
  /** Compresses the configured report interval to this many seconds. */
  reportIntervalSeconds?: number;
  /** Pins every device to this demo user (UPN); default round-robin across the realm's demo users. */
  user?: string;
  /** A user token to use as is, instead of minting with the dev identity provider. */
  token?: string;
  /** Default "api://realmjoin-backend". */
  audience?: string;
  /** The back-end's dev authority; default `{baseUrl}/api/dev/idp`. */
  idpIssuerBase?: string;
  devMode?: boolean;
  channel?: "stable" | "beta" | "canary";
  /** Devices per network site (shared gateway and fingerprint). Default 25. */
  devicesPerSite?: number;
  timing?: Partial<DeviceTiming>;
  retry?: RetryPolicy;
  /** Called every progressIntervalMs and once at the end. */
  onProgress?: (snapshot: ProgressSnapshot, elapsedMs: number) => void;
  progressIntervalMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface StepLatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
}

/** The end of a fleet run. */
export interface FleetSummary {
  baseUrl: string;
  /** Tenant id. */
  realm: string;
  devices: number;
  elapsedMs: number;
  byStatus: Record<FinalStatus, number>;
  asExpected: number;
  /** Failure reasons (back-end `failure`, agent errors, silent steps, install links) with device counts. */
  failureReasons: Record<string, number>;
  stepLatency: Record<string, StepLatencySummary>;
  requests: number;
  errorsByStatus: Record<string, number>;
  results: InitialRunResult[];
  installLinks: InstallLinkResult[];
  /** Every device ended as its script predicts and every install link answered 200. */
  ok: boolean;
}

/**
 * Runs N simulated devices of one realm against the back-end with bounded concurrency and returns the summary.
 * Throws before starting when the realm, the user choice, or the data folder is unusable; device failures end up in
 * the summary, never as exceptions.
 */
export async function runFleet(options: FleetOptions): Promise<FleetSummary> {
  const tenantId = resolveRealm(options.realm);
  if (!Number.isInteger(options.devices) || options.devices < 0) throw new TypeError("devices must be a non-negative integer");
  // The local host records its dev issuer and audience in its data folder; a host elsewhere needs --idp-issuer.
  const recorded = readDevIssuerInfo(options.dataDir);
  const audience = options.audience ?? recorded.audience ?? DEFAULT_AUDIENCE;
  const users = await signedInUsers({ ...options, idpIssuerBase: options.idpIssuerBase ?? recorded.issuerBase }, tenantId, audience);
  const ca = await DevDeviceCa.open({ dataDir: options.dataDir });
  const stats = new FleetStats(options.devices);
  const started = Date.now();
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, options.signal]);
  // Every device and every in-flight request listens on the fleet's signal; that is by design, not a leak.
  setMaxListeners(0, ...new Set([stop.signal, signal, ...(options.signal === undefined ? [] : [options.signal])]));
  const deadline = options.durationMs === undefined ? undefined : started + options.durationMs;
  const deadlineTimer = deadline === undefined ? undefined : setTimeout(() => stop.abort(new Error("duration elapsed")), options.durationMs);
  const progress = () => options.onProgress?.(stats.snapshot(), Date.now() - started);
  const progressTimer = options.onProgress === undefined ? undefined : setInterval(progress, options.progressIntervalMs ?? 250);

  const sharedHttp = new AgentHttp({
    baseUrl: options.baseUrl,
    requestTimeoutMs: options.timing?.requestTimeoutMs ?? 15_000,
    signal,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    onSample: (s) => stats.onRequest(s),
  });
  const jwks = new JwksCache(sharedHttp, tenantId);
  const results: InitialRunResult[] = new Array<InitialRunResult>(options.devices);
  const installLinks: InstallLinkResult[] = [];
  const reporting: Promise<void>[] = [];
  const timing: Partial<DeviceTiming> = {
    ...options.timing,
    ...(options.reportIntervalSeconds === undefined ? {} : { reportIntervalSeconds: options.reportIntervalSeconds }),
  };

  let next = 0;
  const worker = async () => {
    for (let index = next++; index < options.devices; index = next++) {
      const script = typeof options.script === "function" ? options.script(index) : (options.script ?? {});
      const identity = await issueDeviceIdentity(ca, tenantId);
      if (signal.aborted) {
        results[index] = { deviceId: identity.deviceId, status: "timeout", reason: "not started before the end", expectation: { status: "succeeded" }, asExpected: false, steps: [] };
        continue;
      }
      const user = users[index % users.length];
      const device = new SimulatedDevice({
        baseUrl: options.baseUrl,
        identity,
        audience,
        ...(user === undefined ? {} : { user }),
        script,
        ...(options.channel === undefined ? {} : { channel: options.channel }),
        ...(options.devMode === undefined ? {} : { devMode: options.devMode }),
        site: Math.floor(index / (options.devicesPerSite ?? 25)),
        timing,
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        jwks,
        observer: { onStage: (id, st) => stats.onStage(id, st), onRequest: (s) => stats.onRequest(s), onStepLatency: (k, ms) => stats.onStepLatency(k, ms) },
        signal,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
      const result = await device.runInitialRun();
      results[index] = result;
      if (result.status === "succeeded") {
        for (const id of script.installLinks ?? []) {
          installLinks.push(await device.useInstallLink(id).catch((e: unknown) => ({ packageId: id, status: 0, installed: [], problem: String(e) })));
        }
      }
      // The slot frees up: a device that is only reporting does not hold back the next initial run.
      if (deadline !== undefined && result.status !== "silent") reporting.push(device.keepReporting(deadline));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 20, options.devices)) }, worker));
    await Promise.all(reporting);
  } finally {
    if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
    if (progressTimer !== undefined) clearInterval(progressTimer);
  }
  progress();
  return summarise(options, tenantId, Date.now() - started, stats, results, installLinks);
}

async function signedInUsers(options: FleetOptions, tenantId: string, audience: string): Promise<SignedInUser[]> {
  if (options.token !== undefined) return [staticUser(options.token)];
  let users = demoUsersOf(tenantId);
  if (options.user !== undefined) {
    const upn = options.user.toLowerCase();
    users = users.filter((u) => u.userPrincipalName.toLowerCase() === upn);
    if (users.length === 0) throw new TypeError(`${options.user} is not a demo user of realm ${tenantId}`);
  }
  if (users.length === 0) throw new TypeError(`realm ${tenantId} has no demo users: pass a token`);
  const tokens = await DevUserTokens.open({
    dataDir: options.dataDir,
    issuerBase: options.idpIssuerBase ?? `${options.baseUrl.replace(/\/+$/, "")}/api/dev/idp`,
    audience,
  });
  return users.map((u) => tokens.forUser(tenantId, u));
}

/** Builds the summary from the device results and the statistics; pure. */
export function summarise(
  options: Pick<FleetOptions, "baseUrl" | "devices">,
  tenantId: string,
  elapsedMs: number,
  stats: FleetStats,
  results: readonly InitialRunResult[],
  installLinks: readonly InstallLinkResult[],
): FleetSummary {
  const byStatus: Record<FinalStatus, number> = { succeeded: 0, failed: 0, silent: 0, timeout: 0, error: 0 };
  const failureReasons: Record<string, number> = {};
  let asExpected = 0;
  for (const r of results) {
    byStatus[r.status]++;
    if (r.asExpected) asExpected++;
    if (r.status !== "succeeded") {
      const key = `${r.status}: ${r.reason ?? "unknown"}`;
      failureReasons[key] = (failureReasons[key] ?? 0) + 1;
    }
  }
  for (const link of installLinks) {
    if (link.status === 200 && link.problem === undefined) continue;
    const key = `install link ${link.packageId}: ${link.status}${link.problem === undefined ? "" : ` ${link.problem}`}`;
    failureReasons[key] = (failureReasons[key] ?? 0) + 1;
  }
  const stepLatency: Record<string, StepLatencySummary> = {};
  for (const [kind, values] of Object.entries(stats.stepLatencies())) {
    stepLatency[kind] = { count: values.length, p50Ms: percentile(values, 50) ?? 0, p95Ms: percentile(values, 95) ?? 0 };
  }
  const linksOk = installLinks.every((l) => l.status === 200 && l.problem === undefined);
  return {
    baseUrl: options.baseUrl,
    realm: tenantId,
    devices: options.devices,
    elapsedMs,
    byStatus,
    asExpected,
    failureReasons,
    stepLatency,
    requests: stats.requests,
    errorsByStatus: stats.errorsByStatus(),
    results: [...results],
    installLinks: [...installLinks],
    ok: asExpected === options.devices && results.length === options.devices && linksOk,
  };
}
