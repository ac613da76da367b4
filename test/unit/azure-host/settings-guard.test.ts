import { describe, expect, it } from "vitest";
import { currentServices } from "../../../lib/app/container.js";
import { configureAzureHost, guardHttp, guardTrigger } from "../../../lib/azure-host/settings-guard.js";
import { SettingsError } from "../../../lib/config/settings.js";
import { HttpRequest, InvocationContext } from "../../../lib/registry/azure-functions.js";
import type { Logger, LogLevel } from "../../../lib/telemetry/logger.js";

interface Line {
  level: LogLevel;
  event: string;
  fields: Record<string, unknown>;
}

function recordingLogger(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const logger = {
    lines,
    log(level: LogLevel, event: string, fields: Record<string, unknown> = {}) {
      lines.push({ level, event, fields });
    },
    child: () => logger,
  };
  return logger;
}

/** The body a guard answers: always a JSON string. */
function bodyText(body: unknown): string {
  if (typeof body !== "string") throw new Error("expected a string body");
  return body;
}

const SECRET = "s3cr3t-value-that-must-not-be-logged";
// No storage at all, and a malformed URL whose text must never reach the log.
const broken = { RJ_PUBLIC_BASE_URL: `not a url ${SECRET}`, RJ_DEV_IDENTITY_PROVIDER: SECRET };

const handler = () => Promise.resolve({ status: 200, body: "handled" });

describe("settings under the Functions host", () => {
  it("when settings are bad, then one error line names each bad setting and carries no value", () => {
    const log = recordingLogger();
    configureAzureHost(broken, log);
    expect(log.lines).toHaveLength(1);
    const [line] = log.lines;
    expect(line).toMatchObject({ level: "error", event: "settings.invalid" });
    expect(line?.fields["settings"]).toEqual(expect.arrayContaining(["RJ_PUBLIC_BASE_URL", "RJ_DEV_IDENTITY_PROVIDER"]));
    expect(JSON.stringify(line)).not.toContain(SECRET);
  });

  it("when only storage is missing, then the line names AzureWebJobsStorage", () => {
    const log = recordingLogger();
    configureAzureHost({}, log);
    expect(log.lines.map((l) => l.fields["settings"])).toEqual([["AzureWebJobsStorage"]]);
  });

  it("when settings are bad, then every request answers 503 problem+json configuration-invalid with its x-request-id", async () => {
    const check = configureAzureHost(broken, recordingLogger());
    const guarded = guardHttp(check, handler);
    for (const url of ["http://localhost/api/health", "http://localhost/api/agent/v1/config"]) {
      const request = new HttpRequest({ method: "GET", url, headers: { "x-request-id": "req-12345678" } });
      const response = await guarded(request, new InvocationContext());
      expect(response.status).toBe(503);
      const headers = new Headers(response.headers);
      expect(headers.get("content-type")).toBe("application/problem+json");
      expect(headers.get("x-request-id")).toBe("req-12345678");
      const body = JSON.parse(bodyText(response.body)) as { type: string; status: number };
      expect(body.type.endsWith("/configuration-invalid")).toBe(true);
      expect(body.status).toBe(503);
      expect(bodyText(response.body)).not.toContain(SECRET);
    }
  });

  it("when settings are bad, then timers, activities and the services themselves fail with the logged reason", async () => {
    const log = recordingLogger();
    const check = configureAzureHost(broken, log);
    const timer = guardTrigger(check, () => Promise.resolve("ran"));
    let thrown: unknown;
    try {
      await timer();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SettingsError);
    expect((thrown as SettingsError).message).toBe(log.lines[0]?.fields["reason"]);
    await expect(currentServices()).rejects.toBeInstanceOf(SettingsError);
  });

  it("when settings are good, then the function's own handler is what the host gets", () => {
    const check = configureAzureHost({ AzureWebJobsStorage: "UseDevelopmentStorage=true" }, recordingLogger());
    expect(check.ok).toBe(true);
    expect(guardHttp(check, handler)).toBe(handler);
  });
});
