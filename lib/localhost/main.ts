import { readEnvironment } from "../config/environment.js";
import { SettingsError } from "../config/settings.js";
import { jsonLogger } from "../telemetry/logger.js";
import { LOCAL_HOST_USAGE, parseLocalHostArgs } from "./args.js";
import { startLocalHost } from "./local-host.js";
import { printBanner } from "./banner.js";

/** `npm start`: the local host CLI. */
async function main(): Promise<void> {
  let args;
  try {
    args = parseLocalHostArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${LOCAL_HOST_USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${LOCAL_HOST_USAGE}\n`);
    return;
  }
  const { localHostSettings } = await import("./local-settings.js");
  let settings;
  try {
    settings = localHostSettings({ env: readEnvironment(), dataDir: args.dataDir, fast: args.fast, devIdentity: args.devIdentity, projectDir: process.cwd() });
  } catch (e) {
    if (e instanceof SettingsError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = jsonLogger({ level: "info" });
  const host = await startLocalHost({ settings, port: args.port, fresh: args.fresh, log });
  await printBanner(host, args);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping...\n`);
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
  process.stderr.write(`Local host failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
