import { parseArgs } from "node:util";

export interface LocalHostArgs {
  port: number;
  dataDir: string;
  fresh: boolean;
  fast: boolean;
  /** Serve the dev identity provider and dev routes although storage is not the embedded Azurite. */
  devIdentity: boolean;
  help: boolean;
}

export const LOCAL_HOST_USAGE = [
  "usage: npm start -- [--port 7071] [--data .data] [--fresh] [--fast] [--dev-identity] [--help]",
  "  --port N          HTTP port (default 7071; 0 picks a free one)",
  "  --data DIR        data folder: embedded Azurite, dev keys, local signing keys (default .data)",
  "  --fresh           wipe the data folder first",
  "  --fast            divide step timeouts and retry intervals by 60",
  "  --dev-identity    serve the dev identity provider and /api/dev routes with other storage than the",
  "                    embedded Azurite (with the embedded Azurite they are on by default)",
  "  --help            print this and exit",
].join("\n");

/** Parses `npm start -- [--port N] [--data DIR] [--fresh] [--fast] [--dev-identity] [--help]`; throws on bad input. */
export function parseLocalHostArgs(argv: string[]): LocalHostArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "7071" },
      data: { type: "string", default: ".data" },
      fresh: { type: "boolean", default: false },
      fast: { type: "boolean", default: false },
      "dev-identity": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  return { port, dataDir: values.data, fresh: values.fresh, fast: values.fast, devIdentity: values["dev-identity"], help: values.help };
}
