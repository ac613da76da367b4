import { rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Server } from "node:http";
import { DevDeviceCa } from "../auth/dev-device-ca.js";
import { DevIdentityProvider } from "../auth/dev-identity-provider.js";
import { composeServices, type GraphAccess } from "../app/compose.js";
import type { AppServices } from "../app/services.js";
import { EMBEDDED_STORAGE, type Settings } from "../config/settings.js";
import type { Logger } from "../telemetry/logger.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import { devRoutes } from "../api/dev-routes.js";
import { hostRouteTemplate, assertHostRoutable } from "../registry/host-rules.js";
import { httpFunctionsWith, registry } from "../registry/index.js";
import { routerFor } from "../registry/not-found.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import { startAzurite, type RunningAzurite } from "./azurite-process.js";
import { startDurableHost } from "./durable-host.js";
import { devIssuerBase, writeDevIssuerInfo } from "./dev-settings.js";
import { freePort } from "./free-port.js";
import { startHttpHost } from "./http-host.js";
import { startTimerHost } from "./timer-host.js";
import { seedDemo } from "./seed-demo.js";

export interface LocalHostOptions {
  settings: Settings;
  /** HTTP port; 0 picks a free one. */
  port: number;
  /** Wipe the data folder first (npm start -- --fresh). */
  fresh?: boolean;
  /** Seed the demo packages and assignments (default true; tests opt out to start from an empty catalogue). */
  seedPackages?: boolean;
  log?: Logger;
  /** Where custom events go (tests pass a RecordingTelemetry); from the settings by default. */
  telemetry?: Telemetry;
  /** Idle socket timeout of the HTTP server (tests shorten it); 30 s by default. */
  idleTimeoutMs?: number;
  /** HTTP functions mounted beside the registry's, under the same host rules (tests probe those rules with them). */
  extraRoutes?: HttpFunctionEntry[];
  /** How Graph realms reach Graph (tests point it at a local Graph); from the settings by default. */
  graphAccess?: GraphAccess;
}

export interface RunningLocalHost {
  url: string;
  port: number;
  services: AppServices;
  azurite: RunningAzurite | undefined;
  /** Stops the HTTP server, background work and the Azurite it started. */
  stop(): Promise<void>;
}

/** With the dev identity provider on, tokens are issued and validated under this host's own URL. */
function withDevIssuer(settings: Settings, port: number): Settings {
  settings = { ...settings, RJ_PUBLIC_BASE_URL: settings.RJ_PUBLIC_BASE_URL ?? `http://localhost:${port}` };
  if (!settings.RJ_DEV_IDENTITY_PROVIDER) return settings;
  const issuerBase = devIssuerBase(port);
  return { ...settings, RJ_ENTRA_AUTHORITY: issuerBase, RJ_ENTRA_V1_ISSUER_BASE: `${issuerBase}/sts` };
}

/**
 * The HTTP functions this host serves: the registry's, plus the dev routes when the dev identity
 * provider is on (they exist only here, never under the Functions host). Refuses, naming the function,
 * anything the Functions host would refuse or route past its function.
 */
export function localHttpFunctions(settings: Settings, extra: readonly HttpFunctionEntry[] = []): HttpFunctionEntry[] {
  const http = httpFunctionsWith([...(settings.RJ_DEV_IDENTITY_PROVIDER ? devRoutes : []), ...extra]);
  assertHostRoutable([
    ...http.map((e) => ({ name: e.name, route: hostRouteTemplate(e), methods: e.methods })),
    ...[...registry.timers, ...registry.orchestrators, ...registry.activities].map((e) => ({ name: e.name })),
  ]);
  return http;
}

/** Starts everything `npm start` runs: embedded Azurite (unless storage is given), storage, seed data, HTTP. */
export async function startLocalHost(options: LocalHostOptions): Promise<RunningLocalHost> {
  const router = routerFor(localHttpFunctions(options.settings, options.extraRoutes));
  const dataDir = resolve(options.settings.RJ_DATA_DIR);
  if (options.fresh === true) rmSync(dataDir, { recursive: true, force: true });
  const port = options.port === 0 ? await freePort() : options.port;
  const settings = withDevIssuer({ ...options.settings, RJ_DATA_DIR: dataDir }, port);

  let azurite: RunningAzurite | undefined;
  let connectionString: string | undefined;
  if (settings.AzureWebJobsStorage === EMBEDDED_STORAGE) {
    azurite = await startAzurite({ location: resolve(dataDir, "azurite") });
    connectionString = azurite.connectionString;
  }
  let server: Server | undefined;
  try {
    const services = await composeServices(settings, {
      ...(options.log ? { log: options.log } : {}),
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      ...(connectionString ? { storageConnectionString: connectionString } : {}),
      ...(options.graphAccess ? { graphAccess: options.graphAccess } : {}),
    });
    if (settings.RJ_DEV_IDENTITY_PROVIDER) {
      const idp = await DevIdentityProvider.open({ dataDir, issuerBase: settings.RJ_ENTRA_AUTHORITY, v1IssuerBase: settings.RJ_ENTRA_V1_ISSUER_BASE, clock: services.clock });
      const ca = await DevDeviceCa.open({ dataDir, clock: services.clock });
      services.dev = { idp, ca };
      const audience = services.audiences[0] ?? "api://realmjoin-backend";
      writeDevIssuerInfo(dataDir, { issuerBase: idp.issuerBase, v1IssuerBase: idp.v1IssuerBase, audience, url: `http://localhost:${port}` });
    }
    await seedDemo(services, { packages: options.seedPackages ?? true });
    const runtime = await startDurableHost(services, registry);
    server = await startHttpHost({ port, router, services, ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}) });
    const timers = startTimerHost(services, registry.timers);
    const running = server;
    return {
      url: `http://localhost:${port}`,
      port,
      services,
      azurite,
      async stop() {
        await new Promise<void>((r) => {
          running.close(() => r());
          running.closeAllConnections();
        });
        await timers.stop();
        await runtime.stop();
        await azurite?.stop();
      },
    };
  } catch (error) {
    server?.close();
    await azurite?.stop();
    throw error;
  }
}
