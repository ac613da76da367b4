import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { mkdirSync } from "node:fs";
import { readEnvironment } from "../config/environment.js";
import { freePort } from "./free-port.js";

/** Azurite's published development account (not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface AzuriteOptions {
  /** Folder for persisted state; omitted means in-memory. */
  location?: string;
  /** Reuse these ports (a restart after an outage); fresh free ports otherwise. */
  ports?: AzuritePorts;
  /** Serve HTTPS with this PEM certificate and key, and accept OAuth bearer tokens ("--oauth basic", which needs HTTPS). */
  oauthTls?: { certPath: string; keyPath: string };
}

export interface RunningAzurite {
  ports: AzuritePorts;
  connectionString: string;
  /** Stops the process; resolves when it has exited. */
  stop(): Promise<void>;
}

export function azuriteConnectionString(ports: AzuritePorts): string {
  const base = "http://127.0.0.1";
  return [
    "DefaultEndpointsProtocol=http",
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=${base}:${ports.blob}/${AZURITE_ACCOUNT}`,
    `QueueEndpoint=${base}:${ports.queue}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=${base}:${ports.table}/${AZURITE_ACCOUNT}`,
  ].join(";") + ";";
}

async function canConnect(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts Azurite (from the `azurite` npm package) as a child process on loopback and waits until it listens. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const ports = options.ports ?? { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const require = createRequire(import.meta.url);
  const entry = require.resolve("azurite/dist/src/azurite.js");
  const args = [
    entry,
    "--silent",
    "--skipApiVersionCheck",
    "--loose",
    "--blobHost", "127.0.0.1", "--blobPort", String(ports.blob),
    "--queueHost", "127.0.0.1", "--queuePort", String(ports.queue),
    "--tableHost", "127.0.0.1", "--tablePort", String(ports.table),
  ];
  if (options.oauthTls !== undefined) args.push("--oauth", "basic", "--cert", options.oauthTls.certPath, "--key", options.oauthTls.keyPath);
  if (options.location === undefined) {
    args.push("--inMemoryPersistence");
  } else {
    mkdirSync(options.location, { recursive: true });
    args.push("--location", options.location);
  }
  // With HTTPS, Azurite reads copy sources (SAS URLs) from itself, so it must trust its own certificate.
  const env = options.oauthTls === undefined ? undefined : { ...readEnvironment(), NODE_EXTRA_CA_CERTS: options.oauthTls.certPath };
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], ...(env === undefined ? {} : { env }) });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString();
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => { exited = true; resolve(); }));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`Azurite exited during start-up: ${stderr.trim()}`);
    if ((await canConnect(ports.blob)) && (await canConnect(ports.table))) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Azurite did not start within 30 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    ports,
    connectionString: azuriteConnectionString(ports),
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}
