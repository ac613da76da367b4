import type { RunningLocalHost } from "./local-host.js";
import type { LocalHostArgs } from "./args.js";

/** Prints where the back-end listens and what the demo realms are. */
export async function printBanner(host: RunningLocalHost, args: LocalHostArgs): Promise<void> {
  const realms = await host.services.realms.list();
  const lines = [
    "",
    `RealmJoin back-end (local host) ${host.services.version}`,
    `  API:      ${host.url}/api/`,
    `  Health:   ${host.url}/api/health`,
    `  Data:     ${host.services.settings.RJ_DATA_DIR}${host.azurite ? " (embedded Azurite)" : ""}`,
    ...(args.fast ? ["  Timing:   --fast (timeouts and retries divided by 60)"] : []),
    "  Realms:",
    ...realms.map((r) => `    ${(r.slug ?? "").padEnd(10)} ${r.id}  ${r.name}${r.status === "active" ? "" : ` (${r.status})`}`),
    "",
    "Press Ctrl-C to stop.",
    "",
  ];
  process.stdout.write(lines.join("\n"));
}
