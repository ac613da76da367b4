import { DevIdentityProvider } from "../../../lib/auth/dev-identity-provider.js";
import { ADMIN_ROLE } from "../../../lib/auth/principals.js";
import { resolveUser } from "../../../lib/cli/dev-identity.js";
import { CONTOSO_TENANT_ID } from "../../../lib/directory/demo-directory.js";
import { readDevIssuerInfo } from "../../../lib/localhost/dev-settings.js";
import { runFleet } from "../../../lib/simulator/fleet.js";
import { round, type Figure } from "../figure.js";
import type { SlotContext } from "../slots.js";

/** The demo realm's own assignments; the HTTP benches add fifty more, which this slot removes first. */
const DEMO_ASSIGNMENTS = new Set(["printers-for-everyone", "notepad-self-service"]);

async function adminToken(dataDir: string): Promise<string> {
  const info = readDevIssuerInfo(dataDir);
  const idp = await DevIdentityProvider.open({ dataDir, issuerBase: info.issuerBase, v1IssuerBase: info.v1IssuerBase });
  const user = resolveUser(CONTOSO_TENANT_ID, undefined);
  return await idp.mintAccessToken({ tenantId: CONTOSO_TENANT_ID, oid: user.oid, upn: user.upn, roles: [ADMIN_ROLE], audience: info.audience });
}

/** Puts Contoso back to its demo assignments: two system packages (one a dependency) and BitLocker. */
async function restoreDemoAssignments(baseUrl: string, dataDir: string): Promise<void> {
  const headers = { authorization: `Bearer ${await adminToken(dataDir)}` };
  const listed = (await (await fetch(`${baseUrl}/api/admin/v1/assignments`, { headers })).json()) as { assignments: { assignmentId: string }[] };
  for (const a of listed.assignments.filter((x) => !DEMO_ASSIGNMENTS.has(x.assignmentId))) {
    const res = await fetch(`${baseUrl}/api/admin/v1/assignments/${encodeURIComponent(a.assignmentId)}`, { method: "DELETE", headers });
    if (res.status !== 204) throw new Error(`could not remove assignment ${a.assignmentId}: ${res.status}`);
  }
}

/** Slot "onboarding": N simulated Contoso devices through the whole initial run at once, on the in-process host. */
export async function figures(context: SlotContext): Promise<Figure[]> {
  if (context.host === undefined) throw new Error("the onboarding slot needs the host");
  const devices = context.options.quick ? 40 : 200;
  await restoreDemoAssignments(context.host.baseUrl, context.host.dataDir);
  const summary = await runFleet({
    baseUrl: context.host.baseUrl,
    dataDir: context.host.dataDir,
    realm: "contoso",
    devices,
    concurrency: devices,
    timing: { pollMs: 1000 },
  });
  const minutes = summary.elapsedMs / 60_000;
  const succeeded = summary.byStatus.succeeded;
  const out: Figure[] = [
    {
      id: "onboarding.devicesPerMinute",
      label: `Onboarding, ${devices} devices at once (full run)`,
      value: round(succeeded / minutes, 1),
      unit: "devices/min",
      baseline: `${succeeded}/${devices} succeeded in ${round(summary.elapsedMs / 1000, 1)} s; ${summary.requests} requests`,
      note: "checks, BitLocker with escrow verification, two system packages (one a dependency), restart, confirm-user; agents poll every 1 s",
      details: { byStatus: summary.byStatus, failureReasons: summary.failureReasons, errorsByStatus: summary.errorsByStatus },
    },
  ];
  for (const [kind, latency] of Object.entries(summary.stepLatency)) {
    out.push({
      id: `onboarding.step.${kind}`,
      label: `Onboarding step latency: ${kind}`,
      value: round(latency.p50Ms, 0),
      unit: "ms p50",
      baseline: `p95 ${round(latency.p95Ms, 0)} ms over ${latency.count} steps`,
      details: { ...latency },
    });
  }
  return out;
}
