import { randomUUID } from "node:crypto";
import { createDeviceAssertion } from "../../lib/auth/device-assertion-client.js";
import { AGENT_SCOPE, OPERATOR_ROLE, REALM_ROLE_CLAIMS, type RealmRole } from "../../lib/auth/principals.js";
import { resolveUser } from "../../lib/cli/dev-identity.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { DEV_OPERATOR_TENANT_ID } from "../../lib/localhost/dev-operator.js";

export interface HostDevice {
  deviceId: string;
  tenantId: string;
  keyPem: string;
  certPem: string;
}

function dev(host: RunningLocalHost): NonNullable<RunningLocalHost["services"]["dev"]> {
  const tools = host.services.dev;
  if (tools === undefined) throw new Error("the host runs without the dev identity provider");
  return tools;
}

/** A user token from the host's dev identity provider (a demo user by UPN, or the realm's first); `admin` is `role: "admin"`. */
export async function userToken(
  host: RunningLocalHost,
  tenantId: string,
  options: { upn?: string; admin?: boolean; role?: RealmRole; operator?: boolean; scp?: string; issuedAtMs?: number } = {},
): Promise<string> {
  const user = resolveUser(tenantId, options.upn);
  const role = options.role ?? (options.admin === true ? "admin" : undefined);
  return await dev(host).idp.mintAccessToken({
    tenantId,
    oid: user.oid,
    upn: user.upn,
    name: user.name,
    roles: [...(role === undefined ? [] : [REALM_ROLE_CLAIMS[role]]), ...(options.operator === true ? [OPERATOR_ROLE] : [])],
    scp: options.scp ?? AGENT_SCOPE,
    ...(options.issuedAtMs === undefined ? {} : { issuedAtMs: options.issuedAtMs }),
    audience: host.services.audiences[0] ?? "",
  });
}

/** An operator's token (operator tenant of the local host). */
export async function operatorToken(host: RunningLocalHost): Promise<string> {
  return await userToken(host, DEV_OPERATOR_TENANT_ID, { upn: "operator@realmjoin.example", operator: true });
}

/** A device with a certificate from the host's dev device CA. */
export async function newDevice(host: RunningLocalHost, tenantId: string, deviceId: string = randomUUID()): Promise<HostDevice> {
  const issued = await dev(host).ca.issueDeviceCertificate(deviceId, { generate: "ES256" });
  if (issued.keyPem === undefined) throw new Error("no key");
  return { deviceId, tenantId, keyPem: issued.keyPem, certPem: issued.certPem };
}

/** A fresh single-use device assertion. */
export async function assertionFor(
  host: RunningLocalHost,
  device: HostDevice,
  overrides: { tenantId?: string; request?: { method: string; url: string }; nowMs?: number; jti?: string } = {},
): Promise<string> {
  return await createDeviceAssertion({
    keyPem: device.keyPem,
    certPem: device.certPem,
    tenantId: overrides.tenantId ?? device.tenantId,
    deviceId: device.deviceId,
    audience: host.services.audiences[0] ?? "",
    alg: "ES256",
    ...(overrides.request === undefined ? {} : { request: overrides.request }),
    ...(overrides.nowMs === undefined ? {} : { nowMs: overrides.nowMs }),
    ...(overrides.jti === undefined ? {} : { jti: overrides.jti }),
  });
}

/** Calls the host as the device (a fresh assertion each time), optionally with a user token. */
export async function asDevice(
  host: RunningLocalHost,
  device: HostDevice,
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string>; redirect?: "follow" | "manual" | "error" } = {},
): Promise<Response> {
  const headers: Record<string, string> = { "x-rj-device-assertion": await assertionFor(host, device), ...init.headers };
  if (init.token !== undefined) headers["authorization"] = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return await fetch(`${host.url}${path}`, {
    method: init.method ?? "GET",
    headers,
    redirect: init.redirect ?? "manual",
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

/** Calls the host with a bearer token only (admin, operator). */
export async function asUser(host: RunningLocalHost, token: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  return await fetch(`${host.url}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

/** A valid state report for tests. */
export function stateReport(sequence: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sequence,
    reportedAt: new Date().toISOString(),
    agentVersion: "4.2.1",
    channel: "stable",
    installed: [],
    security: { updates: "ok", encryption: "ok", firewall: "ok", antivirus: "ok" },
    tpm: { present: true, ready: true },
    network: { gatewayMac: "00:11:22:33:44:55", fingerprint: "contoso-hq" },
    ...overrides,
  };
}
