import { randomUUID } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { inject } from "vitest";
import { TableDurableStore } from "../../../lib/durable/table-store.js";
import { describeRuntimeBehaviour } from "../../unit/durable/runtime-behaviour.js";
import { describeDurableStoreContract } from "../../unit/durable/store-contract.js";

const tableStore = async (): Promise<TableDurableStore> => {
  const name = `durable${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  return new TableDurableStore(TableClient.fromConnectionString(inject("storageConnectionString"), name, { allowInsecureConnection: true }));
};

describeDurableStoreContract("Azure Table (Azurite)", tableStore);
describeRuntimeBehaviour("the Azure Table store (Azurite)", tableStore, 50);
