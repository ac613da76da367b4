import type { AppServices } from "../app/services.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import type { HttpFunctionEntry } from "../registry/types.js";

/** One host a firewall must let through. */
export interface NetworkEndpoint {
  host: string;
  port: number;
  protocol: "https" | "http";
  purpose: string;
  /** "agent": Windows devices connect to it; "back-end": only the function app does. */
  usedBy: ("agent" | "back-end")[];
}

function hostOf(url: string): { host: string; port: number; protocol: "https" | "http" } {
  const u = new URL(url);
  const protocol = u.protocol === "http:" ? "http" : "https";
  return { host: u.hostname, port: u.port === "" ? (protocol === "http" ? 80 : 443) : Number(u.port), protocol };
}

function ingestionHost(connectionString: string | undefined): string | undefined {
  const match = /IngestionEndpoint=([^;]+)/i.exec(connectionString ?? "");
  return match?.[1];
}

/**
 * Every host the agent and the back-end of THIS deployment talk to, derived from its settings, so a
 * firewall team can take the list from the source (README "Network endpoints" explains each).
 */
export function networkEndpoints(services: AppServices): NetworkEndpoint[] {
  const s = services.settings;
  const list: NetworkEndpoint[] = [];
  const add = (url: string, purpose: string, usedBy: NetworkEndpoint["usedBy"]): void => {
    const h = hostOf(url);
    const existing = list.find((e) => e.host === h.host && e.port === h.port);
    if (existing !== undefined) {
      for (const u of usedBy) if (!existing.usedBy.includes(u)) existing.usedBy.push(u);
      existing.purpose += `; ${purpose}`;
      return;
    }
    list.push({ ...h, purpose, usedBy: [...usedBy] });
  };
  add(s.RJ_PUBLIC_BASE_URL ?? "https://localhost:7071", "RealmJoin back-end (function app): enrollment, configuration, manifests, state reports, onboarding", ["agent"]);
  add(services.blobs.url, "Package downloads (read-only SAS URLs on the blob endpoint)", ["agent", "back-end"]);
  add(s.RJ_ENTRA_AUTHORITY, "Entra ID sign-in (user tokens) and token signing keys", ["agent", "back-end"]);
  if (!s.RJ_DEV_IDENTITY_PROVIDER) {
    add("https://device.login.microsoftonline.com", "Entra ID device authentication (Windows, primary refresh token)", ["agent"]);
    add("https://enterpriseregistration.windows.net", "Entra ID device registration (Windows join)", ["agent"]);
  }
  if (s.RJ_GRAPH_APP_CLIENT_ID !== undefined) add(s.RJ_GRAPH_BASE_URL, "Microsoft Graph (users, groups, devices, BitLocker key metadata)", ["back-end"]);
  if (s.RJ_KEY_VAULT_URL !== undefined) add(s.RJ_KEY_VAULT_URL, "Key Vault (signing and key wrapping)", ["back-end"]);
  const ingestion = ingestionHost(s.APPLICATIONINSIGHTS_CONNECTION_STRING);
  if (ingestion !== undefined) add(ingestion, "Application Insights ingestion (telemetry)", ["back-end"]);
  return list;
}

/** GET /api/agent/v1/endpoints (no auth): the firewall allow-list of this deployment. */
export const endpointsRoute: HttpFunctionEntry = {
  name: "agentEndpoints",
  route: "agent/v1/endpoints",
  methods: ["GET"],
  area: "agent",
  handler: endpoint({
    auth: "none",
    perAddressLimit: true,
    async handle({ services }) {
      return json(
        {
          endpoints: networkEndpoints(services),
          notes: [
            "BranchCache: devices fetch content from peers on the same subnet (HTTP 80 between clients, WS-Discovery UDP 3702); keep clients of a site able to reach each other (no VLAN, WLAN or port isolation).",
            "Delivery Optimization (download mode 2, group): peers of the same group id exchange content (TCP 7680 between clients).",
            "Proxies: the initial run needs direct access to the hosts above; a transparent proxy is fine.",
          ],
        },
        200,
        { "cache-control": "public, max-age=3600" },
      );
    },
  }),
};
