import type { AppServices } from "../app/services.js";
import type { AuditActor, AuditScope } from "../audit/audit-entry.js";
import type { AuthContext } from "./resolve-auth.js";

/** What a handler may add to its audit entry (what only the use-case knows: the uploaded package, a count). Never secrets. */
export interface AuditNote {
  target?: string;
  summary?: string;
}

/** What an audit summary or target may look at: the validated request and the handler's note, never the response body. */
export interface AuditInput<B> {
  params: Record<string, string>;
  body: B;
  auth: AuthContext;
  status: number;
  note: AuditNote;
}

/**
 * An endpoint's audit declaration: the pipeline records an entry after every successful call (and every
 * refused authorisation of a realm-role route). Summaries must never contain secrets (passphrases, keys).
 */
export interface AuditDeclaration<B> {
  /** "operator" keeps the entry in the operators' log; default: the caller's realm. */
  scope?: "realm" | "operator";
  /** What was acted on (a device id, a policy scope, a realm id...). */
  target(input: AuditInput<B>): string;
  /** A short description of the change; default: the names of the body's top-level fields. */
  summary?(input: AuditInput<B>): string;
}

/** Target helper: a path parameter, lowercased. */
export const param =
  (name: string) =>
  ({ params }: { params: Record<string, string> }): string =>
    (params[name] ?? "").toLowerCase();

function defaultSummary(body: unknown): string {
  if (body === undefined || body === null) return "";
  if (typeof body !== "object" || Array.isArray(body)) return "body";
  return `fields: ${Object.keys(body).sort().join(", ")}`;
}

export function actorOf(auth: AuthContext): AuditActor {
  const user = auth.user;
  return {
    id: user?.userId ?? "",
    upn: user?.upn ?? null,
    role: user?.isOperator === true && user.realmRole === undefined ? "operator" : (user?.realmRole ?? null),
  };
}

interface Recorded {
  functionName: string;
  route: string;
  requestId: string;
}

/** Writes the entry of a successful audited call. */
export async function recordSuccess<B>(services: AppServices, declaration: AuditDeclaration<B>, input: AuditInput<B>, call: Recorded): Promise<void> {
  const scope: AuditScope = declaration.scope === "operator" ? { kind: "operator" } : { kind: "realm", realmId: input.auth.realmId };
  await services.audit.append(scope, {
    actor: actorOf(input.auth),
    action: call.functionName,
    route: call.route,
    target: input.note.target ?? declaration.target(input),
    summary: input.note.summary ?? (declaration.summary ? declaration.summary(input) : defaultSummary(input.body)),
    outcome: "success",
    status: input.status,
    requestId: call.requestId,
  });
}

/** Writes the entry of a refused authorisation (a valid user of the realm without the role the route needs). */
export async function recordDenied(services: AppServices, auth: AuthContext, needed: string, params: Record<string, string>, call: Recorded): Promise<void> {
  const target = Object.values(params).join("/");
  await services.audit.append({ kind: "realm", realmId: auth.realmId }, {
    actor: actorOf(auth),
    action: call.functionName,
    route: call.route,
    target,
    summary: `role ${needed} required`,
    outcome: "denied",
    status: 403,
    requestId: call.requestId,
  });
}
