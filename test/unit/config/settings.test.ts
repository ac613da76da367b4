import { describe, expect, it } from "vitest";
import { parseSettings, SettingsError } from "../../../lib/config/settings.js";

describe("settings", () => {
  it("when storage is configured, then defaults fill the rest", () => {
    const s = parseSettings({ AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    expect(s.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT).toBe(104_857_600);
    expect(s.RJ_UPLOAD_LIMIT_BYTES).toBe(104_857_600);
    expect(s.RJ_DEV_IDENTITY_PROVIDER).toBe(false);
    expect(s.RJ_ENTRA_AUTHORITY).toBe("https://login.microsoftonline.com");
  });

  it("when no storage is configured, then start-up stops naming AzureWebJobsStorage", () => {
    expect(() => parseSettings({})).toThrow(SettingsError);
    expect(() => parseSettings({})).toThrow(/AzureWebJobsStorage/);
  });

  it("when settings are malformed, then every offending name is in the message", () => {
    const attempt = () =>
      parseSettings({ AzureWebJobsStorage: "x", RJ_UPLOAD_LIMIT_BYTES: "-3", RJ_KEY_VAULT_URL: "not a url", RJ_DEV_IDENTITY_PROVIDER: "maybe" });
    expect(attempt).toThrow(/RJ_UPLOAD_LIMIT_BYTES/);
    expect(attempt).toThrow(/RJ_KEY_VAULT_URL/);
    expect(attempt).toThrow(/RJ_DEV_IDENTITY_PROVIDER/);
  });

  it("when an upload or JSON limit is set above the host's request-body limit, then start-up stops naming both", () => {
    expect(() => parseSettings({ AzureWebJobsStorage: "x", RJ_UPLOAD_LIMIT_BYTES: String(2 * 1024 ** 3) })).toThrow(
      /RJ_UPLOAD_LIMIT_BYTES: exceeds FUNCTIONS_REQUEST_BODY_SIZE_LIMIT/,
    );
    expect(() => parseSettings({ AzureWebJobsStorage: "x", FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: "1000", RJ_JSON_BODY_LIMIT_BYTES: "1001" })).toThrow(/RJ_JSON_BODY_LIMIT_BYTES/);
  });

  it("when the host's request-body limit is lowered and the app's limits are left unset, then they follow it down", () => {
    const s = parseSettings({ AzureWebJobsStorage: "x", FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: "1000" });
    expect([s.RJ_UPLOAD_LIMIT_BYTES, s.RJ_JSON_BODY_LIMIT_BYTES]).toEqual([1000, 1000]);
    const raised = parseSettings({ AzureWebJobsStorage: "x", FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(2 * 1024 ** 3), RJ_UPLOAD_LIMIT_BYTES: String(2 * 1024 ** 3) });
    expect(raised.RJ_UPLOAD_LIMIT_BYTES).toBe(2 * 1024 ** 3);
  });

  it("when identity-based storage is configured, then no connection string is needed", () => {
    expect(parseSettings({ AzureWebJobsStorage__accountName: "rjstore" }).AzureWebJobsStorage__accountName).toBe("rjstore");
  });
});
