import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { settingNames, settingsSchema } from "../../../lib/config/settings.js";
import { registry } from "../../../lib/registry/index.js";
import { listBicepFiles, readInfraFile, readObjectVariable, stripBicepComments } from "./bicep-reader.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const APP_SETTINGS_MODULE = "modules/function-app.bicep";

/** Settings the Bicep may set although lib/config does not read them: the platform reads them. */
const PLATFORM_SETTINGS: Record<string, string> = {
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
    "read by the Functions host: it sends the host's telemetry with Entra auth as the managed identity (Monitoring Metrics Publisher)",
};

/** Schema settings without a default that an Azure deployment leaves unset on purpose. */
const NOT_SET_IN_AZURE: Record<string, string> = {
  AzureWebJobsStorage: "a connection string needs shared keys, which are off; AzureWebJobsStorage__* is identity-based",
  AzureWebJobsStorage__blobServiceUri: "public Azure: the host and the app derive https://<account>.blob.core.windows.net from the account name",
  AzureWebJobsStorage__tableServiceUri: "public Azure: the host and the app derive https://<account>.table.core.windows.net from the account name",
};

/** Settings with a schema default that a deployment must still set. */
const SET_DESPITE_DEFAULT: Record<string, string> = {
  RJ_AUDIENCES: "the audience is the deployment's own API app registration",
  RJ_DEV_IDENTITY_PROVIDER: "stated explicitly so a stray environment value can never enable it",
  RJ_KEY_VAULT_CREATE_KEYS: "follows appCreatesKeys: without the key-creating role the app must adopt the keys the Bicep made, not try to create them",
  RJ_RECONCILE_SCHEDULE: "the timer binding resolves %RJ_RECONCILE_SCHEDULE% from app settings; schema defaults never reach the host",
};

const shape: Record<string, { safeParse(value: unknown): { success: boolean; data?: unknown } }> = settingsSchema.shape;
const appSettings = readObjectVariable(readInfraFile(root, APP_SETTINGS_MODULE), "appSettings");
const names = [...appSettings.keys()];

/** Keys the schema accepts as absent and then leaves undefined: optional and without a default. */
const optionalWithoutDefault = settingNames().filter((key) => {
  const absent = shape[key]!.safeParse(undefined);
  return absent.success && absent.data === undefined;
});

describe("Bicep app settings against the settings schema", () => {
  it("when the Bicep sets an app setting, then the schema knows it or it is on the platform allow-list", () => {
    const known = new Set([...settingNames(), ...Object.keys(PLATFORM_SETTINGS)]);
    expect(names.filter((name) => !known.has(name))).toEqual([]);
  });

  it("when the schema has a setting without a default, then the Bicep sets it unless Azure does not need it", () => {
    const required = optionalWithoutDefault.filter((key) => !(key in NOT_SET_IN_AZURE));
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((key) => !appSettings.has(key))).toEqual([]);
  });

  it("when a deployment must override a default, then the Bicep sets it", () => {
    expect(Object.keys(SET_DESPITE_DEFAULT).filter((key) => !appSettings.has(key))).toEqual([]);
  });

  it("when the Bicep sets the dev identity provider, then it is the literal 'false'", () => {
    expect(appSettings.get("RJ_DEV_IDENTITY_PROVIDER")?.literal).toBe("false");
  });

  it("when storage is configured, then it is identity-based with the user-assigned identity and no connection string", () => {
    expect(appSettings.has("AzureWebJobsStorage")).toBe(false);
    expect(appSettings.get("AzureWebJobsStorage__credential")?.literal).toBe("managedidentity");
    expect(appSettings.get("AzureWebJobsStorage__clientId")?.text).toBe("identityClientId");
    expect(appSettings.get("RJ_MANAGED_IDENTITY_CLIENT_ID")?.text).toBe("identityClientId");
    expect(appSettings.has("AzureWebJobsStorage__accountName")).toBe(true);
  });

  it("when a value is a plain string literal, then the schema accepts it for that key", () => {
    const rejected = names.filter((name) => {
      const literal = appSettings.get(name)?.literal;
      return literal !== undefined && name in shape && !shape[name]!.safeParse(literal).success;
    });
    expect(rejected).toEqual([]);
  });

  it("when a timer is registered, then the app setting holding its schedule is set", () => {
    const missing = registry.timers.map((t) => t.scheduleSetting).filter((setting) => !appSettings.has(setting));
    expect(missing).toEqual([]);
  });

  it("when an allow-list names a setting, then that list is still accurate", () => {
    const schemaKeys = new Set(settingNames());
    // A platform setting the schema has learned belongs to the schema, not the allow-list.
    expect(Object.keys(PLATFORM_SETTINGS).filter((key) => schemaKeys.has(key))).toEqual([]);
    expect(Object.keys(NOT_SET_IN_AZURE).filter((key) => !optionalWithoutDefault.includes(key))).toEqual([]);
    expect(Object.keys(SET_DESPITE_DEFAULT).filter((key) => !schemaKeys.has(key) || optionalWithoutDefault.includes(key))).toEqual([]);
  });

  it("when app settings are declared, then the appSettings object is the only place and is applied whole", () => {
    const files = listBicepFiles(root).map((path) => ({ path, code: stripBicepComments(readInfraFile(root, path)) }));
    const declaring = files.filter(({ code }) => /name:\s*'appsettings'/.test(code) || /\bappSettings\s*:/.test(code));
    expect(declaring.map((f) => f.path)).toEqual([APP_SETTINGS_MODULE]);
    const module = declaring[0]!.code;
    expect(module.match(/name:\s*'appsettings'/g)).toHaveLength(1);
    expect(module).toMatch(/name:\s*'appsettings'\s*\n\s*properties:\s*appSettings\s*\n/);
    expect(module).not.toMatch(/\bappSettings\s*:/);
  });
});

describe("the Bicep object reader", () => {
  it("when values hold braces, colons, strings and comments, then only the object's own keys are read", () => {
    const source = [
      "var other = { Z: 1 }",
      "var appSettings = {",
      "  A: 'x: {y}' // B: 'not a key'",
      "  'B_2': union({ C: 1 }, {",
      "    D: 'e'",
      "  })",
      "  /* E: 1 */",
      "  F: 'it${concat('}', ':')}'",
      "  G: cond ? 'true' : 'false'",
      "}",
    ].join("\n");
    const entries = readObjectVariable(source, "appSettings");
    expect([...entries.keys()]).toEqual(["A", "B_2", "F", "G"]);
    expect(entries.get("A")?.literal).toBe("x: {y}");
    expect(entries.get("F")?.literal).toBeUndefined();
    expect(entries.get("G")?.text).toBe("cond ? 'true' : 'false'");
  });

  it("when entries are comma separated, then the reader refuses rather than guess", () => {
    expect(() => readObjectVariable("var appSettings = { A: 'a', B: 'b' }", "appSettings")).toThrow(/comma/);
  });
});
