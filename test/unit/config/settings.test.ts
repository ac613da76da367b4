import { describe, expect, it } from "vitest";
import { parseSettings, SettingsError } from "../../../lib/config/settings.js";

describe("settings", () => {
  it("when storage is configured, then defaults fill the rest", () => {
    const s = parseSettings({ AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    expect(s.RJ_UPLOAD_LIMIT_BYTES).toBe(2 * 1024 ** 3);
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

  it("when identity-based storage is configured, then no connection string is needed", () => {
    expect(parseSettings({ AzureWebJobsStorage__accountName: "rjstore" }).AzureWebJobsStorage__accountName).toBe("rjstore");
  });
});
