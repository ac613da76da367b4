import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { listBicepFiles, readInfraFile, readObjectVariable, stripBicepComments } from "./bicep-reader.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const MODULE = "modules/role-assignments.bicep";
const source = readInfraFile(root, MODULE);
const code = stripBicepComments(source);

/** The built-in roles the managed identity may hold; anything else needs a reason here first. */
const EXPECTED_BUILT_IN_ROLES = {
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  storageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
  monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
};
const BROADER_ROLES = {
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  keyVaultCryptoOfficer: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
  keyVaultAdministrator: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
  storageAccountContributor: "17d1049b-9a84-46fb-8f53-869881c3d3ab",
};

const assignmentBlocks = code.split(/(?=^resource )/m).filter((block) => block.includes("'Microsoft.Authorization/roleAssignments@"));

describe("the managed identity's roles", () => {
  it("when built-in roles are granted, then they are exactly the least-privilege set", () => {
    const roles = readObjectVariable(source, "roleIds");
    expect(Object.fromEntries([...roles].map(([k, v]) => [k, v.literal]))).toEqual(EXPECTED_BUILT_IN_ROLES);
  });

  it("when any Bicep file is read, then no broader role id appears anywhere", () => {
    const all = listBicepFiles(root).map((path) => stripBicepComments(readInfraFile(root, path))).join("\n").toLowerCase();
    expect(Object.entries(BROADER_ROLES).filter(([, id]) => all.includes(id))).toEqual([]);
  });

  it("when roles are assigned, then only this module assigns them, each named by a deterministic guid() to a service principal", () => {
    const elsewhere = listBicepFiles(root).filter(
      (path) => path !== MODULE && stripBicepComments(readInfraFile(root, path)).includes("Microsoft.Authorization/roleAssignments"),
    );
    expect(elsewhere).toEqual([]);
    expect(assignmentBlocks).toHaveLength(6);
    for (const block of assignmentBlocks) {
      expect(block).toMatch(/^\s*name: guid\((storage|vault|appInsights)\.id, principalId, /m);
      expect(block).toMatch(/principalType: 'ServicePrincipal'/);
    }
  });

  it("when the app may create keys, then its custom role grants key creation and nothing else, only in this resource group", () => {
    const role = code.split(/(?=^resource )/m).find((block) => block.startsWith("resource keyCreatorRole "));
    expect(role).toBeDefined();
    expect(role).toMatch(/dataActions: \[\s*'Microsoft\.KeyVault\/vaults\/keys\/create\/action'\s*\]/);
    expect(role).toMatch(/\bactions: \[\]/);
    expect(role).toMatch(/assignableScopes: \[\s*resourceGroup\(\)\.id\s*\]/);
    expect(role).toMatch(/= if \(appCreatesKeys\)/);
  });
});
