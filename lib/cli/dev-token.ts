import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { DevIdentityProvider } from "../auth/dev-identity-provider.js";
import { AGENT_SCOPE, OPERATOR_ROLE, REALM_ROLE_CLAIMS, REALM_ROLES, type RealmRole } from "../auth/principals.js";
import { readDevIssuerInfo } from "../localhost/dev-settings.js";
import { DEV_OPERATOR_TENANT_ID } from "../localhost/dev-operator.js";
import { resolveRealm, resolveUser } from "./dev-identity.js";

const USAGE = "usage: npm run -s dev:token -- [--data .data] [--realm contoso|fabrikam|<tid>] [--user <upn>] [--role reader|helpdesk|admin] [--admin] [--operator] [--v1] [--lifetime 3600] [--scope access_as_agent]";

/** Prints one access token from the local host's dev identity provider, and nothing else. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: "string", default: ".data" },
      realm: { type: "string", default: "contoso" },
      user: { type: "string" },
      admin: { type: "boolean", default: false },
      role: { type: "string" },
      operator: { type: "boolean", default: false },
      v1: { type: "boolean", default: false },
      lifetime: { type: "string", default: "3600" },
      // The delegated scopes (space-separated) in scp; agent routes require access_as_agent.
      scope: { type: "string", default: AGENT_SCOPE },
    },
    strict: true,
  });
  const dataDir = resolve(values.data);
  const info = readDevIssuerInfo(dataDir);
  const idp = await DevIdentityProvider.open({ dataDir, issuerBase: info.issuerBase, v1IssuerBase: info.v1IssuerBase });
  const tenantId = values.operator ? DEV_OPERATOR_TENANT_ID : resolveRealm(values.realm);
  const user = values.operator ? resolveUser(tenantId, values.user ?? "operator@realmjoin.example") : resolveUser(tenantId, values.user);
  const role = realmRoleOption(values.role, values.admin);
  const roles = [...(role === undefined ? [] : [REALM_ROLE_CLAIMS[role]]), ...(values.operator ? [OPERATOR_ROLE] : [])];
  const token = await idp.mintAccessToken({
    tenantId,
    oid: user.oid,
    upn: user.upn,
    name: user.name,
    roles,
    scp: values.scope,
    audience: info.audience,
    lifetimeSeconds: Number(values.lifetime),
    version: values.v1 ? 1 : 2,
  });
  process.stdout.write(token + "\n");
}

/** `--role` names the realm role; `--admin` stays as the alias of `--role admin`. */
function realmRoleOption(role: string | undefined, admin: boolean): RealmRole | undefined {
  if (role === undefined) return admin ? "admin" : undefined;
  const known = REALM_ROLES.find((r) => r === role.toLowerCase());
  if (known === undefined) throw new Error(`--role must be one of ${REALM_ROLES.join(", ")}`);
  if (admin && known !== "admin") throw new Error("--admin and --role disagree");
  return known;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exit(2);
});
