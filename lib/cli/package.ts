import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ProgressBar } from "./progress-bar.js";
import { publishFile, PublishHttpError, type PublishFileResult } from "./session-publisher.js";

const USAGE = `usage: npm run -s package -- <command> [options]
  publish <file.nupkg>   upload through an upload session (blocks straight to storage, resumable),
                         wait for the back-end to check and publish it, print the result
options:
  --url <base>           the back-end (default http://localhost:7071)
  --token <token>        an admin access token (e.g. --token "$(npm run -s dev:token -- --admin)")
  --force                publish even when required packages would become undeliverable
  --json                 print the final upload session as JSON (for scripts), no progress
  --parallel <n>         blocks in flight (default 4)
  --progress auto|always|never   the progress bar (default auto: on a terminal)
  --state-dir <dir>      where interrupted uploads are remembered (default <tmp>/realmjoin-uploads)
  --help                 this text
exit codes: 0 published, 1 refused or failed, 2 usage`;

/** A usage mistake: printed with the usage text, exit code 2. */
class UsageError extends Error {}

export interface PackageCommand {
  file: string;
  url: string;
  token: string;
  force: boolean;
  json: boolean;
  parallel: number;
  progress: "auto" | "always" | "never";
  stateDir: string;
}

/** The command line as a publish command, or "help"; throws UsageError for anything malformed. */
export function parsePackageArgs(args: string[]): PackageCommand | "help" {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: "string", default: "http://localhost:7071" },
      token: { type: "string" },
      force: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      parallel: { type: "string", default: "4" },
      progress: { type: "string", default: "auto" },
      "state-dir": { type: "string", default: join(tmpdir(), "realmjoin-uploads") },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const [command, file, ...rest] = positionals;
  if (command === undefined) throw new UsageError("a command is required");
  if (command !== "publish") throw new UsageError(`unknown command: ${command}`);
  if (file === undefined) throw new UsageError("publish needs a .nupkg file");
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`);
  const token = values.token;
  if (token === undefined || token === "") throw new UsageError("an admin token is required: --token");
  const parallel = Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new UsageError("--parallel must be 1-64");
  const progress = values.progress;
  if (progress !== "auto" && progress !== "always" && progress !== "never") throw new UsageError("--progress must be auto, always or never");
  return { file, url: values.url.replace(/\/+$/, ""), token, force: values.force, json: values.json, parallel, progress, stateDir: values["state-dir"] };
}

function summary(result: PublishFileResult, seconds: number): string {
  const s = result.session;
  const resumed = result.resumed ? ` (resumed: ${result.skippedBlocks} blocks were already uploaded)` : "";
  if (s.status === "published" && s.package !== undefined) {
    const p = s.package;
    return `${p.created ? "Published" : "Already published"} ${p.packageId} ${p.version}: ${(p.size / 1024 / 1024).toFixed(1)} MiB, sha256 ${p.sha256}, in ${seconds.toFixed(1)} s${resumed}`;
  }
  const problem = s.problem;
  const affected = Array.isArray(problem?.["affected"]) ? (problem["affected"] as { packageId?: string; reason?: string; devices?: number }[]) : [];
  const lines = affected.slice(0, 20).map((a) => `  ${a.packageId ?? "?"}: ${a.reason ?? "?"} (${a.devices ?? 0} devices)`);
  return [`Refused (${problem?.status ?? "?"} ${problem?.type.split("/").pop() ?? ""}): ${problem?.detail ?? "no detail"}`, ...lines].join("\n");
}

/** Runs the command line; resolves with the exit code. */
export async function main(args: string[], out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  let command: PackageCommand | "help";
  try {
    command = parsePackageArgs(args);
  } catch (error) {
    err.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (command === "help") {
    out.write(`${USAGE}\n`);
    return 0;
  }
  const showProgress = !command.json && (command.progress === "always" || (command.progress === "auto" && err.isTTY === true));
  const bar = showProgress ? new ProgressBar(err) : undefined;
  const started = Date.now();
  try {
    const result = await publishFile({ baseUrl: command.url, token: command.token }, command.file, {
      force: command.force,
      parallel: command.parallel,
      stateDir: command.stateDir,
      ...(bar === undefined ? {} : { onProgress: (p) => bar.update(p), onProcessing: () => bar.status("Uploaded; the back-end is checking and publishing the package...") }),
    });
    const seconds = (Date.now() - started) / 1000;
    out.write(command.json ? `${JSON.stringify({ ...result.session, resumed: result.resumed, skippedBlocks: result.skippedBlocks, uploadedBlocks: result.uploadedBlocks })}\n` : `${summary(result, seconds)}\n`);
    return result.session.status === "published" ? 0 : 1;
  } catch (error) {
    if (command.json) out.write(`${JSON.stringify({ error: error instanceof PublishHttpError ? (error.problem ?? { status: error.status }) : { detail: error instanceof Error ? error.message : String(error) } })}\n`);
    else err.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv.slice(2));
}
