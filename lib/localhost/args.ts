import { parseArgs } from "node:util";

export interface LocalHostArgs {
  port: number;
  dataDir: string;
  fresh: boolean;
  fast: boolean;
}

/** Parses `npm start -- [--port N] [--data DIR] [--fresh] [--fast]`; throws with a usage line on bad input. */
export function parseLocalHostArgs(argv: string[]): LocalHostArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "7071" },
      data: { type: "string", default: ".data" },
      fresh: { type: "boolean", default: false },
      fast: { type: "boolean", default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  return { port, dataDir: values.data, fresh: values.fresh, fast: values.fast };
}
