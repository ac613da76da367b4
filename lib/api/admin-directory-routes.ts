import { z } from "zod";
import type { AppServices } from "../app/services.js";
import { AppError, validationError } from "../core/errors.js";
import { CSV_IMPORT_LIMIT_BYTES, CSV_IMPORT_MAX_ROWS, parseCsv } from "../directory/directory-csv.js";
import type { DirectoryUser } from "../directory/directory.js";
import type { LocalDirectoryUser } from "../directory/local-directory.js";
import { SIGNATURE_FIELDS } from "../directory/signature-template.js";
import { param } from "../http/audit-declaration.js";
import { readBodyBytes } from "../http/body.js";
import { endpoint } from "../http/endpoint.js";
import { empty, json } from "../http/reply.js";
import { parseInput } from "../http/validation.js";
import type { HttpFunctionEntry } from "../registry/types.js";

const BASE = "admin/v1/directory";
const MAX_MEMBERS = 1000;
const TEXT_FIELDS = SIGNATURE_FIELDS.filter((f) => f !== "businessPhones");
const guid = z.uuid();

const userBody = z
  .object({
    userPrincipalName: z.string().trim().min(3).max(256).regex(/^[^\s@]+@[^\s@]+$/, "must look like name@domain"),
    ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, z.string().max(256).optional()])),
    businessPhones: z.array(z.string().max(64)).max(10).optional(),
    passwordLastSet: z.iso.datetime({ offset: true }).optional(),
    passwordNeverExpires: z.boolean().optional(),
  })
  .strict();
type UserBody = z.infer<typeof userBody>;

const userView = z.object({
  id: z.string(),
  userPrincipalName: z.string(),
  ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, z.string().nullable()])),
  businessPhones: z.array(z.string()),
  passwordLastSet: z.string().nullable(),
  passwordNeverExpires: z.boolean(),
});

const groupBody = z.object({ displayName: z.string().trim().min(1).max(256), members: z.array(guid).max(MAX_MEMBERS).default([]) }).strict();
const groupView = z.object({ id: z.string(), displayName: z.string(), members: z.array(z.string()) });

function view(user: DirectoryUser): z.infer<typeof userView> {
  const fields = user as unknown as Record<string, unknown>;
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, typeof fields[f] === "string" ? fields[f] : null])),
    businessPhones: user.businessPhones,
    passwordLastSet: user.lastPasswordChangeDateTime ?? null,
    passwordNeverExpires: user.passwordPolicies?.includes("DisablePasswordExpiration") === true,
  };
}

function toLocalUser(id: string, body: UserBody): LocalDirectoryUser {
  const fields = body as Record<string, unknown>;
  const user: LocalDirectoryUser = { id, userPrincipalName: body.userPrincipalName };
  for (const f of TEXT_FIELDS) if (typeof fields[f] === "string") user[f] = fields[f];
  if (body.businessPhones !== undefined) user.businessPhones = body.businessPhones;
  if (body.passwordLastSet !== undefined) user.lastPasswordChangeDateTime = new Date(body.passwordLastSet).toISOString();
  if (body.passwordNeverExpires === true) user.passwordNeverExpires = true;
  return user;
}

/** These routes write the local directory, which only NoGraph realms use: Graph realms answer 409 `graph-realm`. */
async function assertNoGraph(services: AppServices, realmId: string): Promise<void> {
  if (await services.directory.hasGraph(realmId)) {
    throw new AppError("conflict", "This realm reads its users and groups from Microsoft Graph; change them in Entra ID", { code: "graph-realm" });
  }
}

// Memberships are cached per instance (RJ_MEMBERSHIP_CACHE_SECONDS): forget this realm's here; other instances follow within the TTL.
function changed(services: AppServices, realmId: string): void {
  services.directory.refresh(realmId);
}

const idOf = (params: Record<string, string>, name: string): string => parseInput(guid, params[name], name).toLowerCase();

const pageQuery = z.object({ pageSize: z.coerce.number().int().min(1).max(500).default(100), continuationToken: z.string().max(200).optional() });
const tokenSchema = z.object({ v: z.literal(1), after: guid }).strict();

function afterOf(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = tokenSchema.safeParse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data.after;
  } catch {
    // falls through to the refusal
  }
  throw validationError("Malformed continuation token", "bad-continuation-token");
}
const tokenOf = (after: string | undefined): string | null => (after === undefined ? null : Buffer.from(JSON.stringify({ v: 1, after }), "utf8").toString("base64url"));

const putUser: HttpFunctionEntry = {
  name: "adminDirectoryPutUser",
  route: `${BASE}/users/{userId}`,
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    body: userBody,
    response: userView,
    audit: { target: param("userId"), summary: ({ body }) => `directory user set: ${body.userPrincipalName}` },
    async handle({ services, auth, params, body }) {
      const id = idOf(params, "userId");
      await assertNoGraph(services, auth.realmId);
      const other = await services.localDirectory.getUser(auth.realmId, body.userPrincipalName);
      if (other !== undefined && other.id !== id) throw new AppError("conflict", "Another user has this userPrincipalName", { code: "upn-taken" });
      const existed = (await services.localDirectory.getUser(auth.realmId, id)) !== undefined;
      await services.localDirectory.putUser(auth.realmId, toLocalUser(id, body));
      changed(services, auth.realmId);
      const stored = await services.localDirectory.getUser(auth.realmId, id);
      if (stored === undefined) throw new Error("user vanished after it was written");
      return json(view(stored), existed ? 200 : 201);
    },
  }),
};

const listUsers: HttpFunctionEntry = {
  name: "adminDirectoryListUsers",
  route: `${BASE}/users`,
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    response: z.object({ users: z.array(userView), continuationToken: z.string().nullable() }),
    async handle({ services, auth, request }) {
      const q = parseInput(pageQuery, Object.fromEntries(request.query.entries()), "query");
      const page = await services.localDirectory.listUsers(auth.realmId, q.pageSize, afterOf(q.continuationToken));
      return json({ users: page.users.map(view), continuationToken: tokenOf(page.next) });
    },
  }),
};

const getUser: HttpFunctionEntry = {
  name: "adminDirectoryGetUser",
  route: `${BASE}/users/{userId}`,
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    response: userView.extend({ groups: z.array(z.string()) }),
    async handle({ services, auth, params }) {
      const id = idOf(params, "userId");
      const user = await services.localDirectory.getUser(auth.realmId, id);
      if (user === undefined) throw new AppError("not-found", "No such user in the local directory");
      return json({ ...view(user), groups: await services.localDirectory.directGroups(auth.realmId, id) });
    },
  }),
};

const deleteUser: HttpFunctionEntry = {
  name: "adminDirectoryDeleteUser",
  route: `${BASE}/users/{userId}`,
  methods: ["DELETE"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("userId"), summary: () => "directory user deleted" },
    async handle({ services, auth, params }) {
      const id = idOf(params, "userId");
      await assertNoGraph(services, auth.realmId);
      if (!(await services.localDirectory.deleteUser(auth.realmId, id))) throw new AppError("not-found", "No such user in the local directory");
      changed(services, auth.realmId);
      return empty(204);
    },
  }),
};

/** Replaces a group's name and direct members (users, devices or groups by object id). */
const putGroup: HttpFunctionEntry = {
  name: "adminDirectoryPutGroup",
  route: `${BASE}/groups/{groupId}`,
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    body: groupBody,
    response: groupView,
    audit: { target: param("groupId"), summary: ({ body }) => `directory group set: ${body.displayName}, ${body.members.length} member(s)` },
    async handle({ services, auth, params, body }) {
      const id = idOf(params, "groupId");
      await assertNoGraph(services, auth.realmId);
      const dir = services.localDirectory;
      const existed = (await dir.getGroup(auth.realmId, id)) !== undefined;
      const wanted = new Set(body.members.map((m) => m.toLowerCase()));
      if (wanted.has(id)) throw validationError("A group cannot be its own member", "invalid-body");
      await dir.putGroup(auth.realmId, { id, displayName: body.displayName });
      const current = new Set(await dir.groupMembers(auth.realmId, id));
      for (const member of current) if (!wanted.has(member)) await dir.removeMember(auth.realmId, id, member);
      for (const member of wanted) if (!current.has(member)) await dir.addMember(auth.realmId, id, member);
      changed(services, auth.realmId);
      return json({ id, displayName: body.displayName, members: [...wanted].sort() }, existed ? 200 : 201);
    },
  }),
};

const listGroups: HttpFunctionEntry = {
  name: "adminDirectoryListGroups",
  route: `${BASE}/groups`,
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    response: z.object({ groups: z.array(z.object({ id: z.string(), displayName: z.string() })), continuationToken: z.string().nullable() }),
    async handle({ services, auth, request }) {
      const q = parseInput(pageQuery, Object.fromEntries(request.query.entries()), "query");
      const page = await services.localDirectory.listGroups(auth.realmId, q.pageSize, afterOf(q.continuationToken));
      return json({ groups: page.groups, continuationToken: tokenOf(page.next) });
    },
  }),
};

const getGroup: HttpFunctionEntry = {
  name: "adminDirectoryGetGroup",
  route: `${BASE}/groups/{groupId}`,
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    response: groupView,
    async handle({ services, auth, params }) {
      const id = idOf(params, "groupId");
      const group = await services.localDirectory.getGroup(auth.realmId, id);
      if (group === undefined) throw new AppError("not-found", "No such group in the local directory");
      return json({ ...group, members: (await services.localDirectory.groupMembers(auth.realmId, id)).sort() });
    },
  }),
};

const deleteGroup: HttpFunctionEntry = {
  name: "adminDirectoryDeleteGroup",
  route: `${BASE}/groups/{groupId}`,
  methods: ["DELETE"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("groupId"), summary: () => "directory group deleted" },
    async handle({ services, auth, params }) {
      const id = idOf(params, "groupId");
      await assertNoGraph(services, auth.realmId);
      if (!(await services.localDirectory.deleteGroup(auth.realmId, id))) throw new AppError("not-found", "No such group in the local directory");
      changed(services, auth.realmId);
      return empty(204);
    },
  }),
};

const CSV_COLUMNS = ["id", "userPrincipalName", ...TEXT_FIELDS, "businessPhones", "passwordLastSet", "passwordNeverExpires", "groups"] as const;

interface ImportRow {
  user: LocalDirectoryUser;
  groups: string[];
}

/** Validates every row before writing any: one bad row refuses the whole file (400 with each row's problem). */
async function validateRows(services: AppServices, realmId: string, rows: string[][]): Promise<ImportRow[]> {
  const header = (rows[0] ?? []).map((h) => h.trim());
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (!header.includes("id") || !header.includes("userPrincipalName") || unknown.length > 0) {
    throw validationError(`The first row must name the columns: id, userPrincipalName and any of ${CSV_COLUMNS.slice(2).join(", ")}${unknown.length > 0 ? ` (unknown: ${unknown.slice(0, 5).join(", ")})` : ""}`, "invalid-csv");
  }
  const errors: { row: number; message: string }[] = [];
  const out: ImportRow[] = [];
  const seenIds = new Set<string>();
  const seenUpns = new Set<string>();
  const knownGroups = new Map<string, boolean>();
  for (const [index, cells] of rows.slice(1).entries()) {
    const rowNumber = index + 2;
    const record = Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? "").trim()]));
    const candidate: Record<string, unknown> = { userPrincipalName: record["userPrincipalName"] };
    for (const f of TEXT_FIELDS) if (record[f]) candidate[f] = record[f];
    if (record["businessPhones"]) candidate["businessPhones"] = record["businessPhones"].split(";").map((p) => p.trim()).filter((p) => p !== "");
    if (record["passwordLastSet"]) candidate["passwordLastSet"] = record["passwordLastSet"];
    if (record["passwordNeverExpires"]) candidate["passwordNeverExpires"] = /^(true|yes|1)$/i.test(record["passwordNeverExpires"]);
    const parsed = userBody.safeParse(candidate);
    const id = guid.safeParse(record["id"]);
    if (!id.success) errors.push({ row: rowNumber, message: "id must be a GUID" });
    if (!parsed.success) errors.push({ row: rowNumber, message: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    if (!id.success || !parsed.success) continue;
    const userId = id.data.toLowerCase();
    const upn = parsed.data.userPrincipalName.toLowerCase();
    if (seenIds.has(userId) || seenUpns.has(upn)) {
      errors.push({ row: rowNumber, message: "id or userPrincipalName repeats an earlier row" });
      continue;
    }
    seenIds.add(userId);
    seenUpns.add(upn);
    const groups = (record["groups"] ?? "").split(";").map((g) => g.trim().toLowerCase()).filter((g) => g !== "");
    for (const g of groups) {
      if (!guid.safeParse(g).success) {
        errors.push({ row: rowNumber, message: `group ${g.slice(0, 40)} is not a GUID` });
        continue;
      }
      if (!knownGroups.has(g)) knownGroups.set(g, (await services.localDirectory.getGroup(realmId, g)) !== undefined);
      if (knownGroups.get(g) !== true) errors.push({ row: rowNumber, message: `group ${g} does not exist; create it first (PUT /directory/groups/{id})` });
    }
    out.push({ user: toLocalUser(userId, parsed.data), groups });
    if (errors.length >= 100) break;
  }
  if (errors.length > 0) {
    throw new AppError("validation", `${errors.length} row(s) are invalid; nothing was imported`, { code: "invalid-csv", extensions: { errors } });
  }
  return out;
}

/**
 * POST /api/admin/v1/directory/import (text/csv, at most 1 MiB and 5000 rows): creates or replaces users and
 * adds them to existing groups. All rows are validated first; any bad row refuses the file with every row's
 * problem and nothing written. Writes are idempotent, so a failure half-way is healed by sending the file again.
 */
const importCsv: HttpFunctionEntry = {
  name: "adminDirectoryImport",
  route: `${BASE}/import`,
  methods: ["POST"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    response: z.object({ imported: z.number().int(), memberships: z.number().int() }),
    audit: { target: () => "directory", summary: () => "directory CSV import" },
    async handle({ services, auth, request, auditNote }) {
      const type = request.headers.get("content-type") ?? "";
      if (!/^text\/csv\s*(;|$)/i.test(type.trim())) throw new AppError("unsupported-media-type", "Send the users as text/csv");
      await assertNoGraph(services, auth.realmId);
      const bytes = await readBodyBytes(request, CSV_IMPORT_LIMIT_BYTES);
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        throw validationError("The CSV is not valid UTF-8", "invalid-csv");
      }
      const rows = parseCsv(text);
      if (rows.length < 2) throw validationError(`The CSV needs a header row and 1 to ${CSV_IMPORT_MAX_ROWS} user rows`, "invalid-csv");
      const valid = await validateRows(services, auth.realmId, rows);
      for (const row of valid) {
        const other = await services.localDirectory.getUser(auth.realmId, row.user.userPrincipalName);
        if (other !== undefined && other.id !== row.user.id) throw new AppError("conflict", `Another user has the userPrincipalName ${row.user.userPrincipalName}`, { code: "upn-taken" });
      }
      let memberships = 0;
      for (const row of valid) {
        await services.localDirectory.putUser(auth.realmId, row.user);
        for (const g of row.groups) {
          await services.localDirectory.addMember(auth.realmId, g, row.user.id);
          memberships++;
        }
      }
      changed(services, auth.realmId);
      auditNote.summary = `directory CSV import: ${valid.length} user(s), ${memberships} membership(s)`;
      return json({ imported: valid.length, memberships });
    },
  }),
};

/** The local directory of NoGraph realms: users, groups with their members, CSV import. */
export const adminDirectoryRoutes: HttpFunctionEntry[] = [putUser, listUsers, getUser, deleteUser, putGroup, listGroups, getGroup, deleteGroup, importCsv];
