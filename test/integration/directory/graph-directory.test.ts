import type { AccessToken, TokenCredential } from "@azure/identity";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { AppError } from "../../../lib/core/errors.js";
import { GraphDirectory, type GraphDirectorySettings } from "../../../lib/directory/graph-directory.js";
import { startFakeGraph, type FakeGraph } from "../../support/fake-graph.js";

const TENANT_A = "11111111-1111-4111-8111-111111111111";
const TENANT_B = "22222222-2222-4222-8222-222222222222";
const ADELE = "1a000000-0000-4000-8000-000000000001";
const DEVICE_ID = "d0000000-0000-4000-8000-000000000001";
const DEVICE_OBJECT_ID = "d0b00000-0000-4000-8000-000000000001";
const GROUPS = ["9a000000-0000-4000-8000-000000000001", "9a000000-0000-4000-8000-000000000002", "9a000000-0000-4000-8000-000000000003"];

let fake: FakeGraph;
let clock: ManualClock;
const scopesAsked: string[][] = [];

function fixedCredential(token: string): TokenCredential {
  return {
    getToken: async (scopes): Promise<AccessToken> => {
      scopesAsked.push([scopes].flat());
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

function directory(settings: Partial<GraphDirectorySettings> = {}): GraphDirectory {
  return new GraphDirectory({
    credentialFor: (tenantId) => fixedCredential(`token-for-${tenantId}`),
    settings: { baseUrl: fake.baseUrl, timeoutMs: 5_000, retryDelaySeconds: 0, maxRetries: 3, ...settings },
    clock,
    fetch: fake.fetch,
  });
}

async function upstreamError(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.kind).toBe("upstream");
  expect(appError.code).toBe("graph-error");
  expect(appError.status).toBe(502);
  return appError;
}

function requestsTo(path: string) {
  return fake.requests.filter((r) => r.path === path);
}

beforeAll(async () => {
  fake = await startFakeGraph();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  clock = new ManualClock();
  fake.requests.length = 0;
  scopesAsked.length = 0;
  fake.pageSize = 2;
  fake.state.users = [
    {
      id: ADELE,
      userPrincipalName: "adele@contoso.example",
      displayName: "Adele Vance",
      givenName: "Adele",
      surname: "Vance",
      jobTitle: "IT Administrator",
      businessPhones: ["+1 425 555 0109"],
      mobilePhone: null,
      mail: "adele@contoso.example",
      lastPasswordChangeDateTime: "2025-12-01T09:00:00Z",
      passwordPolicies: "DisablePasswordExpiration",
      onPremisesSyncEnabled: null,
    },
  ];
  fake.state.userGroups = new Map([[ADELE, GROUPS]]);
  fake.state.devices = [
    {
      id: DEVICE_OBJECT_ID,
      deviceId: DEVICE_ID,
      alternativeSecurityIds: [{ type: 2, identityProvider: null, key: "WAA1ADAAOQA6AA==" }],
    },
  ];
  fake.state.deviceGroups = new Map([[DEVICE_OBJECT_ID, [GROUPS[0] as string]]]);
  fake.state.groups = [];
  fake.state.domains = new Map<string, number | null>([
    ["contoso.example", 120],
    ["unset.example", null],
    ["never.example", 2147483647],
  ]);
  fake.state.recoveryKeys = [
    { id: "b7a00000-0000-4000-8000-000000000001", deviceId: DEVICE_ID, createdDateTime: "2026-01-01T00:00:00Z", volumeType: 1 },
  ];
});

describe("GraphDirectory over HTTP against a fake Graph", () => {
  it("when a user is read by UPN, then its profile arrives with the realm's bearer token and Graph's scope", async () => {
    const user = await directory().getUser(TENANT_A, "adele@contoso.example");

    expect(user).toEqual({
      id: ADELE,
      userPrincipalName: "adele@contoso.example",
      displayName: "Adele Vance",
      givenName: "Adele",
      surname: "Vance",
      jobTitle: "IT Administrator",
      businessPhones: ["+1 425 555 0109"],
      mail: "adele@contoso.example",
      lastPasswordChangeDateTime: "2025-12-01T09:00:00Z",
      passwordPolicies: "DisablePasswordExpiration",
    });
    const [request] = requestsTo("/v1.0/users/adele@contoso.example");
    expect(request?.authorization).toBe(`Bearer token-for-${TENANT_A}`);
    expect(request?.query.get("$select")?.split(",")).toEqual(
      expect.arrayContaining(["lastPasswordChangeDateTime", "passwordPolicies", "businessPhones", "postalCode"]),
    );
    expect(scopesAsked).toContainEqual([`${fake.baseUrl}/.default`]);
  });

  it("when two realms are read, then each request carries its own tenant's token", async () => {
    const dir = directory();
    await dir.getUser(TENANT_A, ADELE);
    await dir.getUser(TENANT_B, ADELE);

    expect(requestsTo(`/v1.0/users/${ADELE}`).map((r) => r.authorization)).toEqual([
      `Bearer token-for-${TENANT_A}`,
      `Bearer token-for-${TENANT_B}`,
    ]);
  });

  it("when a group is read by id, then its id and display name arrive asking only for those; an unknown group (404) or a non-GUID id is undefined", async () => {
    const groupId = GROUPS[0] as string;
    fake.state.groups = [{ id: groupId, displayName: "All Staff" }];
    await expect(directory().getGroup(TENANT_A, groupId)).resolves.toEqual({ id: groupId, displayName: "All Staff" });
    expect(requestsTo(`/v1.0/groups/${groupId}`)[0]?.query.get("$select")).toBe("id,displayName");
    await expect(directory().getGroup(TENANT_A, "00000000-0000-4000-8000-0000000000ee")).resolves.toBeUndefined();
    const before = fake.requests.length;
    await expect(directory().getGroup(TENANT_A, "not-a-guid")).resolves.toBeUndefined();
    expect(fake.requests.length).toBe(before);
  });

  it("when the user does not exist (404), then getUser answers undefined", async () => {
    await expect(directory().getUser(TENANT_A, "nobody@contoso.example")).resolves.toBeUndefined();
  });

  it("when transitive membership spans two pages, then every group id is returned by following @odata.nextLink", async () => {
    const ids = await directory().transitiveGroupIds(TENANT_A, ADELE);

    expect(ids).toEqual(GROUPS);
    const pages = requestsTo(`/v1.0/users/${ADELE}/transitiveMemberOf/microsoft.graph.group`);
    expect(pages).toHaveLength(2);
    expect(pages[0]?.query.get("$select")).toBe("id");
    expect(pages[1]?.query.get("$skiptoken")).toBe("2");
    expect(pages.every((p) => p.authorization === `Bearer token-for-${TENANT_A}`)).toBe(true);
  });

  it("when membership is read again within the TTL, then Graph is not asked; after the TTL or a refresh it is", async () => {
    const dir = directory({ membershipCacheTtlMs: 15 * 60_000 });
    const path = `/v1.0/users/${ADELE}/transitiveMemberOf/microsoft.graph.group`;

    await dir.transitiveGroupIds(TENANT_A, ADELE);
    clock.advance(14 * 60_000);
    await dir.transitiveGroupIds(TENANT_A, ADELE);
    expect(requestsTo(path)).toHaveLength(2);

    clock.advance(2 * 60_000);
    await dir.transitiveGroupIds(TENANT_A, ADELE);
    expect(requestsTo(path)).toHaveLength(4);

    dir.refresh(TENANT_A, ADELE);
    fake.state.userGroups.set(ADELE, [GROUPS[2] as string]);
    await expect(dir.transitiveGroupIds(TENANT_A, ADELE)).resolves.toEqual([GROUPS[2]]);
  });

  it("when the user is unknown, then transitive membership is empty", async () => {
    await expect(directory().transitiveGroupIds(TENANT_A, "ghost@contoso.example")).resolves.toEqual([]);
  });

  it("when device groups are read by Entra deviceId, then the device object is found by filter and its membership read by object id", async () => {
    const ids = await directory().deviceGroupIds(TENANT_A, DEVICE_ID);

    expect(ids).toEqual([GROUPS[0]]);
    const [lookup] = requestsTo("/v1.0/devices");
    expect(lookup?.query.get("$filter")).toBe(`deviceId eq '${DEVICE_ID}'`);
    expect(requestsTo(`/v1.0/devices/${DEVICE_OBJECT_ID}/transitiveMemberOf/microsoft.graph.group`)).toHaveLength(1);
  });

  it("when the device is unknown or its id is not a GUID, then device groups are empty", async () => {
    const dir = directory();
    await expect(dir.deviceGroupIds(TENANT_A, "d0000000-0000-4000-8000-00000000ffff")).resolves.toEqual([]);
    await expect(dir.deviceGroupIds(TENANT_A, "x' or 1 eq 1")).resolves.toEqual([]);
    expect(requestsTo("/v1.0/devices")).toHaveLength(1);
  });

  it("when a domain has a validity, then it is returned; unset or unknown give Entra's 90; never stays 2147483647", async () => {
    const dir = directory();
    await expect(dir.passwordValidityDays(TENANT_A, "contoso.example")).resolves.toBe(120);
    await expect(dir.passwordValidityDays(TENANT_A, "unset.example")).resolves.toBe(90);
    await expect(dir.passwordValidityDays(TENANT_A, "unknown.example")).resolves.toBe(90);
    await expect(dir.passwordValidityDays(TENANT_A, "never.example")).resolves.toBe(2147483647);
  });

  it("when a recovery key is escrowed for the device, then bitlockerKeyExists is true, asking for metadata only", async () => {
    const dir = directory();
    await expect(dir.bitlockerKeyExists(TENANT_A, DEVICE_ID)).resolves.toBe(true);
    await expect(dir.bitlockerKeyExists(TENANT_A, "d0000000-0000-4000-8000-00000000ffff")).resolves.toBe(false);

    const requests = requestsTo("/v1.0/informationProtection/bitlocker/recoveryKeys");
    expect(requests).toHaveLength(2);
    for (const r of requests) {
      expect(r.query.get("$select") ?? "").not.toContain("key");
      expect(r.headers["ocp-client-name"]).toBe("RealmJoin");
    }
  });

  it("when the device exists, then its alternativeSecurityIds are returned; when absent, undefined", async () => {
    const dir = directory();
    await expect(dir.deviceAlternativeSecurityIds(TENANT_A, DEVICE_ID)).resolves.toEqual([{ type: 2, key: "WAA1ADAAOQA6AA==" }]);
    await expect(dir.deviceAlternativeSecurityIds(TENANT_A, "d0000000-0000-4000-8000-00000000ffff")).resolves.toBeUndefined();
  });

  it("when Graph answers 429 with Retry-After, then the request is retried and succeeds", async () => {
    fake.fault("/v1.0/users", { kind: "status", status: 429, headers: { "retry-after": "1" } });

    const user = await directory().getUser(TENANT_A, ADELE);

    expect(user?.id).toBe(ADELE);
    const attempts = requestsTo(`/v1.0/users/${ADELE}`);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]?.headers["retry-attempt"]).toBe("1");
  });

  it("when Graph answers 503 once, then the request is retried and succeeds", async () => {
    fake.fault("/v1.0/domains", { kind: "status", status: 503 });

    await expect(directory().passwordValidityDays(TENANT_A, "contoso.example")).resolves.toBe(120);
    expect(requestsTo("/v1.0/domains/contoso.example")).toHaveLength(2);
  });

  it("when Graph keeps answering 429 beyond the retries, then an upstream error carries Retry-After", async () => {
    const throttled = { kind: "status", status: 429, headers: { "retry-after": "0" } } as const;
    fake.fault("/v1.0/users", throttled, throttled, throttled);

    const error = await upstreamError(directory({ maxRetries: 2 }).getUser(TENANT_A, ADELE));

    expect(error.retryAfterSeconds).toBe(0);
    expect(requestsTo(`/v1.0/users/${ADELE}`)).toHaveLength(3);
  });

  it("when Retry-After is longer than the deadline allows, then it fails at once as upstream instead of waiting", async () => {
    fake.fault("/v1.0/users", { kind: "status", status: 429, headers: { "retry-after": "120" } });

    const error = await upstreamError(directory().getUser(TENANT_A, ADELE));

    expect(error.retryAfterSeconds).toBe(120);
    expect(requestsTo(`/v1.0/users/${ADELE}`)).toHaveLength(1);
  });

  it("when Graph answers 500, then an upstream error is thrown", async () => {
    fake.fault("/v1.0/users", { kind: "status", status: 500 });
    await upstreamError(directory().getUser(TENANT_A, ADELE));
  });

  it("when Graph answers 403, then an upstream error is thrown rather than absence", async () => {
    fake.fault("/v1.0/informationProtection", { kind: "status", status: 403 });
    await upstreamError(directory().bitlockerKeyExists(TENANT_A, DEVICE_ID));
  });

  it("when Graph never answers, then the call times out as an upstream error", async () => {
    fake.fault("/v1.0/users", { kind: "hang" });
    const error = await upstreamError(directory({ timeoutMs: 300 }).getUser(TENANT_A, ADELE));
    expect(error.message).toContain("did not answer");
  });

  it("when Graph answers with a body that is not JSON, then an upstream error is thrown", async () => {
    fake.fault("/v1.0/users", { kind: "not-json" });
    await upstreamError(directory().getUser(TENANT_A, ADELE));
  });

  it("when Graph answers JSON of the wrong shape, then an upstream error is thrown", async () => {
    fake.fault("/v1.0/users", { kind: "wrong-shape", body: { id: 42, userPrincipalName: ["not", "a", "string"] } });
    fake.fault("/v1.0/devices", { kind: "wrong-shape", body: { value: "nope" } });
    const dir = directory();
    await upstreamError(dir.getUser(TENANT_A, ADELE));
    await upstreamError(dir.deviceAlternativeSecurityIds(TENANT_A, DEVICE_ID));
  });

  it("when a membership page fails, then the failure is not cached and the next read asks again", async () => {
    fake.fault("/v1.0/users", { kind: "status", status: 500 });
    const dir = directory();
    await upstreamError(dir.transitiveGroupIds(TENANT_A, ADELE));
    await expect(dir.transitiveGroupIds(TENANT_A, ADELE)).resolves.toEqual(GROUPS);
  });

  it("when paging would exceed the page bound, then an upstream error is thrown", async () => {
    fake.pageSize = 1;
    await upstreamError(directory({ maxPages: 2 }).transitiveGroupIds(TENANT_A, ADELE));
    expect(requestsTo(`/v1.0/users/${ADELE}/transitiveMemberOf/microsoft.graph.group`)).toHaveLength(2);
  });

  it("when a nextLink points to another host, then it is not followed", async () => {
    fake.fault("/v1.0/users", {
      kind: "wrong-shape",
      body: { value: [{ id: GROUPS[0] }], "@odata.nextLink": "https://evil.example/v1.0/users/x/transitiveMemberOf?$skiptoken=1" },
    });
    await upstreamError(directory().transitiveGroupIds(TENANT_A, ADELE));
    expect(fake.requests).toHaveLength(1);
  });
});
