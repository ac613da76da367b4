import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID, DEMO_REALMS, FABRIKAM_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, asUser, newDevice, userToken, type HostDevice } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host.stop();
});

async function enrolled(tenantId: string, upn?: string): Promise<{ device: HostDevice; token: string }> {
  const device = await newDevice(host, tenantId);
  const token = await userToken(host, tenantId, upn === undefined ? {} : { upn });
  expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token })).status).toBe(201);
  return { device, token };
}

describe("Outlook signatures", () => {
  it("when Eve's display name holds markup, then the HTML signature shows it as text and the plain one stays plain", async () => {
    const admin = await userToken(host, FABRIKAM_TENANT_ID, { admin: true, upn: "frank@fabrikam.example" });
    const put = await asUser(host, admin, "/api/admin/v1/signature-templates/Default", {
      method: "PUT",
      body: { html: "<p><b>{{displayName}}</b><br>{{jobTitle}}</p>", text: "{{displayName}}\n{{jobTitle}}" },
    });
    expect(put.status).toBe(200);
    const { device, token } = await enrolled(FABRIKAM_TENANT_ID, "eve@fabrikam.example");
    const res = await asDevice(host, device, "/api/agent/v1/user/signatures", { token });
    expect(res.status).toBe(200);
    const [signature] = (await res.json()) as { name: string; html: string; txt: string }[];
    expect(signature?.name).toBe("Default");
    expect(signature?.html).toContain("Eve &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co");
    expect(signature?.html).not.toContain("<script>");
    expect(signature?.txt).toContain("Eve <script>alert(1)</script> & Co");
  });

  it("when a template names an unknown placeholder, then it is refused at upload", async () => {
    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
    const res = await asUser(host, admin, "/api/admin/v1/signature-templates/Bad", { method: "PUT", body: { html: "{{password}}", text: "" } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("password");
  });

  it("when no user token comes with the device, then 401", async () => {
    const { device } = await enrolled(CONTOSO_TENANT_ID);
    expect((await asDevice(host, device, "/api/agent/v1/user/signatures")).status).toBe(401);
  });
});

describe("password expiry", () => {
  it("when a Graph realm's user asks, then expiry follows the last change and the domain's validity", async () => {
    const adele = DEMO_REALMS[0]?.users.find((u) => u.userPrincipalName.startsWith("adele"));
    const { device, token } = await enrolled(CONTOSO_TENANT_ID, "adele@contoso.example");
    const res = await asDevice(host, device, "/api/agent/v1/user/password-expiry", { token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { expiresAt: string | null; daysLeft: number | null; never: boolean };
    const validity = DEMO_REALMS[0]?.passwordValidityDays ?? 90;
    const expected = Date.parse(adele?.lastPasswordChangeDateTime ?? "") + validity * 86_400_000;
    expect(Date.parse(body.expiresAt ?? "")).toBe(expected);
    expect(body.daysLeft).toBe(Math.floor((expected - Date.now()) / 86_400_000));
  });

  it("when the user's password never expires, then never is true", async () => {
    const { device, token } = await enrolled(CONTOSO_TENANT_ID, "alex@contoso.example");
    const body = (await (await asDevice(host, device, "/api/agent/v1/user/password-expiry", { token })).json()) as { never: boolean; expiresAt: unknown };
    expect(body).toMatchObject({ never: true, expiresAt: null });
  });

  it("when the realm is NoGraph, then 409 no-graph", async () => {
    const { device, token } = await enrolled(FABRIKAM_TENANT_ID);
    const res = await asDevice(host, device, "/api/agent/v1/user/password-expiry", { token });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { type: string }).type).toMatch(/no-graph$/);
  });
});

describe("network endpoints", () => {
  it("when a firewall team asks without credentials, then every host of the deployment is listed with its purpose", async () => {
    const res = await fetch(`${host.url}/api/agent/v1/endpoints`);
    expect(res.status).toBe(200);
    const { endpoints } = (await res.json()) as { endpoints: { host: string; port: number; usedBy: string[]; purpose: string }[] };
    const hosts = endpoints.map((e) => `${e.host}:${e.port}`);
    expect(hosts).toContain(`localhost:${host.port}`);
    expect(hosts).toContain(`127.0.0.1:${host.azurite?.ports.blob ?? new URL(host.services.blobs.url).port}`);
    expect(endpoints.every((e) => e.purpose.length > 0 && e.usedBy.length > 0)).toBe(true);
  });
});
