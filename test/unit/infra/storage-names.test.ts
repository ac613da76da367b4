import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { settingsSchema } from "../../../lib/config/settings.js";
import { wrappingKeyName } from "../../../lib/signing/key-vault-key-wrapper.js";
import { signingKeyName } from "../../../lib/signing/key-vault-signing-key-source.js";
import { APP_CONTAINERS, APP_QUEUES, APP_TABLES, LOCAL_HOST_TABLES } from "../../../lib/storage/storage-names.js";
import { readInfraFile, readObjectVariable, readStringArrayVariable, stripBicepComments } from "./bicep-reader.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const storage = readInfraFile(root, "modules/storage.bicep");
const main = stripBicepComments(readInfraFile(root, "main.bicep"));
const sorted = (names: readonly string[]) => [...names].sort();

/** The body of `module <name> '...' = { ... }` in main.bicep (up to the next top-level closing brace). */
function moduleBlock(name: string): string {
  const start = main.search(new RegExp(`^module\\s+${name}\\s`, "m"));
  if (start === -1) throw new Error(`no module ${name} in main.bicep`);
  const end = main.indexOf("\n}", start);
  return main.slice(start, end);
}

describe("the storage the Bicep declares against the names the code uses", () => {
  it("when the code uses a table, then the storage module declares it, and nothing else", () => {
    expect(sorted(readStringArrayVariable(storage, "appTables"))).toEqual(sorted(APP_TABLES));
  });

  it("when the code uses a blob container, then the storage module declares it, and nothing else", () => {
    expect(sorted(readStringArrayVariable(storage, "appContainers"))).toEqual(sorted(APP_CONTAINERS));
  });

  it("when the code uses a queue, then the storage module declares it, and nothing else", () => {
    expect(sorted(readStringArrayVariable(storage, "appQueues"))).toEqual(sorted(APP_QUEUES));
  });

  it("when a table is local-host only (the local durable runtime), then Azure does not get it", () => {
    const declared = new Set(readStringArrayVariable(storage, "appTables"));
    expect(LOCAL_HOST_TABLES.filter((t) => declared.has(t))).toEqual([]);
  });

  it("when the tables are declared, then each loop item becomes a resource named with the same prefix the app is given", () => {
    const code = stripBicepComments(storage);
    expect(code).toMatch(/tableServices\/tables@[^']+' = \[\s*for table in appTables: \{[^}]*name: '\$\{tablePrefix\}\$\{table\}'/);
    expect(code).toMatch(/blobServices\/containers@[^']+' = \[\s*for container in appContainers: \{[^}]*name: container\b/);
    expect(code).toMatch(/queueServices\/queues@[^']+' = \[\s*for queue in appQueues: \{[^}]*name: queue\b/);
    expect(moduleBlock("storage")).toMatch(/^\s*tablePrefix: tablePrefix$/m);
    expect(moduleBlock("functionApp")).toMatch(/^\s*tablePrefix: tablePrefix$/m);
    const appSettings = readObjectVariable(readInfraFile(root, "modules/function-app.bicep"), "appSettings");
    expect(appSettings.get("RJ_TABLE_PREFIX")?.text).toBe("tablePrefix");
  });

  it("when the default prefix is used, then every declared name is valid for Azure Storage and for the app's settings", () => {
    const prefix = /param tablePrefix string = '([^']*)'/.exec(main)?.[1];
    expect(prefix).toBeDefined();
    expect(settingsSchema.shape.RJ_TABLE_PREFIX.safeParse(prefix).success).toBe(true);
    const badTables = APP_TABLES.map((t) => `${prefix}${t}`).filter((n) => !/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(n));
    const badContainers = APP_CONTAINERS.filter((n) => !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(n));
    expect([...badTables, ...badContainers]).toEqual([]);
  });
});

describe("the Key Vault keys the Bicep pre-creates", () => {
  it("when the deployment creates a realm's keys, then their names are the ones the app adopts", () => {
    const keyVault = stripBicepComments(readInfraFile(root, "modules/key-vault.bicep"));
    const names = [...keyVault.matchAll(/for realmId in keyRealmIds: \{[^}]*?name: '([^']+)'/g)].map((m) => m[1]);
    expect(sorted(names.map((n) => n ?? ""))).toEqual(sorted([signingKeyName("${realmId}"), wrappingKeyName("${realmId}")]));
  });
});
