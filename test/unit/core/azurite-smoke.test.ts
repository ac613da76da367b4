import { describe, expect, inject, it } from "vitest";
import { TableClient } from "@azure/data-tables";

describe("the shared Azurite", () => {
  it("when a table is created and an entity written, then it reads back", async () => {
    const cs = inject("storageConnectionString");
    const client = TableClient.fromConnectionString(cs, `smoke${Date.now()}`, { allowInsecureConnection: true });
    await client.createTable();
    await client.upsertEntity({ partitionKey: "p", rowKey: "r", value: 42 });
    const got = await client.getEntity<{ value: number }>("p", "r");
    expect(got.value).toBe(42);
  });
});
