import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../lib/localhost/azurite-process.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { startTestHost } from "../support/test-host.js";

let azurite: RunningAzurite | undefined;
let host: RunningLocalHost | undefined;

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

async function healthStatus(url: string): Promise<{ status: number; retryAfter: string | null; type: string | null }> {
  const res = await fetch(`${url}/api/health`);
  const type = res.headers.get("content-type");
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get("retry-after"), type };
}

describe("health during a storage outage", () => {
  it("when Azurite stops, then health answers 503 with Retry-After, and 200 again once it is back", async () => {
    const location = mkdtempSync(join(tmpdir(), "rj-outage-"));
    azurite = await startAzurite({ location });
    host = await startTestHost({ storage: azurite.connectionString });
    expect((await healthStatus(host.url)).status).toBe(200);

    const ports = azurite.ports;
    await azurite.stop();
    const down = await healthStatus(host.url);
    expect(down.status).toBe(503);
    expect(down.type).toBe("application/problem+json");
    expect(Number(down.retryAfter)).toBeGreaterThan(0);

    azurite = await startAzurite({ location, ports });
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await healthStatus(host.url)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});
