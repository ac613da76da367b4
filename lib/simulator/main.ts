import { AGENT_USAGE, parseAgentArgs, type AgentCliArgs } from "./args.js";
import { runFleet } from "./fleet.js";
import { renderProgress, renderSummary } from "./render.js";
import { scriptForIndex } from "./script.js";

const NON_TTY_EVERY_MS = 5000;

/** `npm run agent`: runs a fleet of simulated agents against a back-end and prints progress and a summary. */
async function main(): Promise<void> {
  let args: AgentCliArgs;
  try {
    args = parseAgentArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${AGENT_USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${AGENT_USAGE}\n`);
    return;
  }
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort(new Error("interrupted")));
  process.once("SIGTERM", () => stop.abort(new Error("terminated")));

  const out = process.stderr;
  const tty = out.isTTY;
  let lastLineAt = 0;
  let drawn = false;
  const { script, scriptedDevices, ...fleet } = args.fleet;
  const summary = await runFleet({
    ...fleet,
    script: scriptForIndex(script, scriptedDevices),
    signal: stop.signal,
    progressIntervalMs: tty ? 200 : 1000,
    onProgress: (snapshot, elapsedMs) => {
      const lines = renderProgress(snapshot, elapsedMs);
      if (tty) {
        // Redraw in place: back to the first line of the previous drawing, clear each line, keep within the width.
        const width = Math.max(20, (out.columns || 120) - 1);
        out.write(`${drawn ? "\r\x1b[1A" : "\r"}${lines.map((l) => `\x1b[2K${l.slice(0, width)}`).join("\n")}`);
        drawn = true;
      } else if (Date.now() - lastLineAt >= NON_TTY_EVERY_MS) {
        lastLineAt = Date.now();
        out.write(`${lines.join(" | ")}\n`);
      }
    },
  });
  if (tty) out.write("\n");
  process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : `\n${renderSummary(summary)}\n`);
  process.exitCode = summary.ok ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`agent simulator failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
