import { rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Server } from "node:http";
import { composeServices } from "../app/compose.js";
import type { AppServices } from "../app/services.js";
import { EMBEDDED_STORAGE, type Settings } from "../config/settings.js";
import type { Logger } from "../telemetry/logger.js";
import { registry } from "../registry/index.js";
import { routerFor } from "../registry/not-found.js";
import { startAzurite, type RunningAzurite } from "./azurite-process.js";
import { startHttpHost } from "./http-host.js";
import { prepareStorage } from "./prepare-storage.js";
import { seedDemo } from "./seed-demo.js";

export interface LocalHostOptions {
  settings: Settings;
  port: number;
  /** Wipe the data folder first (npm start -- --fresh). */
  fresh?: boolean;
  log?: Logger;
}

export interface RunningLocalHost {
  url: string;
  port: number;
  services: AppServices;
  azurite: RunningAzurite | undefined;
  /** Stops the HTTP server, background work and the Azurite it started. */
  stop(): Promise<void>;
}

/** Starts everything `npm start` runs: embedded Azurite (unless storage is given), storage, seed data, HTTP. */
export async function startLocalHost(options: LocalHostOptions): Promise<RunningLocalHost> {
  const { settings } = options;
  const dataDir = resolve(settings.RJ_DATA_DIR);
  if (options.fresh === true) rmSync(dataDir, { recursive: true, force: true });

  let azurite: RunningAzurite | undefined;
  let connectionString: string | undefined;
  if (settings.AzureWebJobsStorage === EMBEDDED_STORAGE) {
    azurite = await startAzurite({ location: resolve(dataDir, "azurite") });
    connectionString = azurite.connectionString;
  }
  let server: Server | undefined;
  try {
    const services = composeServices(settings, {
      ...(options.log ? { log: options.log } : {}),
      ...(connectionString ? { storageConnectionString: connectionString } : {}),
    });
    await prepareStorage(services);
    await seedDemo(services, undefined);
    const router = routerFor(registry.http.filter((e) => e.name !== "notFound"));
    server = await startHttpHost({ port: options.port, router, services });
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : options.port;
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
        await azurite?.stop();
      },
    };
  } catch (error) {
    server?.close();
    await azurite?.stop();
    throw error;
  }
}
