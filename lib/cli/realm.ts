import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DevIdentityProvider } from "../auth/dev-identity-provider.js";
import { isGuid } from "../auth/guid.js";
import { OPERATOR_ROLE } from "../auth/principals.js";
import { DEV_OPERATOR_TENANT_ID } from "../localhost/dev-operator.js";
import { readDevIssuerInfo } from "../localhost/dev-settings.js";
import { resolveUser } from "./dev-identity.js";

const USAGE = `usage: npm run -s realm -- <command> [options]
  add <tenantId> --name <name> [--device-trust graph|device-ca|pinned (default: device-ca with a CA, graph with a Graph app, else pinned)] [--device-ca-pem <file> | --dev-ca] [--no-graph]
  list
  show <tenantId>
  disable <tenantId> | enable <tenantId> | delete <tenantId>
options: --url <base> (default http://localhost:7071), --token <operator token>
         (default: minted from the dev identity provider in --data <dir>, default .data)`;

/** A usage mistake: printed with the usage text, exit code 2. */
class UsageError extends Error {}

interface Request {
  method: "GET" | "PUT" | "POST" | "DELETE";
  path: string;
  body?: unknown;
}

function tenantArg(value: string | undefined): string {
  if (!isGuid(value)) throw new UsageError("a tenant id (GUID) is required");
  return value.toLowerCase();
}

/** Turns the command line into one operator API call; throws UsageError for anything malformed. */
export function requestFor(args: string[], readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): { request: Request; url: string; token?: string; data: string } {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: "string", default: "http://localhost:7071" },
      token: { type: "string" },
      data: { type: "string", default: ".data" },
      name: { type: "string" },
      "device-trust": { type: "string" },
      "device-ca-pem": { type: "string" },
      "dev-ca": { type: "boolean", default: false },
      "no-graph": { type: "boolean", default: false },
    },
  });
  const [command, tenant, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`);
  const base = "/api/operator/v1/realms";
  const common = { url: values.url.replace(/\/+$/, ""), data: values.data, ...(values.token === undefined ? {} : { token: values.token }) };
  switch (command) {
    case "list":
      if (tenant !== undefined) throw new UsageError("list takes no tenant id");
      return { ...common, request: { method: "GET", path: base } };
    case "show":
      return { ...common, request: { method: "GET", path: `${base}/${tenantArg(tenant)}` } };
    case "disable":
    case "enable":
      return { ...common, request: { method: "POST", path: `${base}/${tenantArg(tenant)}/${command}` } };
    case "delete":
      return { ...common, request: { method: "DELETE", path: `${base}/${tenantArg(tenant)}` } };
    case "add": {
      const tenantId = tenantArg(tenant);
      if (values.name === undefined) throw new UsageError("add needs --name");
      if (values["dev-ca"] && values["device-ca-pem"] !== undefined) throw new UsageError("use --device-ca-pem or --dev-ca, not both");
      const caFile = values["dev-ca"] ? join(resolve(values.data), "dev-ca", "ca-cert.pem") : values["device-ca-pem"];
      // Without --device-trust or a CA the server decides: graph where the deployment has Graph, else pinned.
      const deviceTrust = values["device-trust"] ?? (caFile !== undefined ? "device-ca" : undefined);
      const body = {
        name: values.name,
        ...(deviceTrust === undefined ? {} : { deviceTrust }),
        noGraph: values["no-graph"],
        ...(caFile === undefined ? {} : { deviceCaPem: readFile(caFile) }),
      };
      return { ...common, request: { method: "PUT", path: `${base}/${tenantId}`, body } };
    }
    default:
      throw new UsageError(command === undefined ? "a command is required" : `unknown command ${command}`);
  }
}

/** An operator token of the local host's operator tenant, minted by its dev identity provider. */
async function devOperatorToken(dataDir: string): Promise<string> {
  const dir = resolve(dataDir);
  const info = readDevIssuerInfo(dir);
  const idp = await DevIdentityProvider.open({ dataDir: dir, issuerBase: info.issuerBase, v1IssuerBase: info.v1IssuerBase });
  const user = resolveUser(DEV_OPERATOR_TENANT_ID, "operator@realmjoin.example");
  return await idp.mintAccessToken({
    tenantId: DEV_OPERATOR_TENANT_ID,
    oid: user.oid,
    upn: user.upn,
    name: user.name,
    roles: [OPERATOR_ROLE],
    audience: info.audience,
    lifetimeSeconds: 600,
  });
}

/** Runs one command; prints the answer's JSON to stdout. Returns the exit code (0 ok, 1 refused by the server). */
async function main(): Promise<number> {
  const { request, url, token, data } = requestFor(process.argv.slice(2));
  const bearer = token ?? (await devOperatorToken(data));
  const res = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: { authorization: `Bearer ${bearer}`, ...(request.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  const text = await res.text();
  if (!res.ok) {
    process.stderr.write(`${request.method} ${request.path}: ${res.status}\n${text}\n`);
    return 1;
  }
  process.stdout.write(text === "" ? `${JSON.stringify({ status: res.status })}\n` : `${text}\n`);
  return 0;
}

// Imported by tests for requestFor; runs only as the program itself.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${e instanceof UsageError ? USAGE + "\n" : ""}`);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
