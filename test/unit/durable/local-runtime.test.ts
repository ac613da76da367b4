import { MemoryDurableStore } from "../../../lib/durable/memory-store.js";
import { describeRuntimeBehaviour } from "./runtime-behaviour.js";
import { describeDurableStoreContract } from "./store-contract.js";

describeDurableStoreContract("memory", async () => new MemoryDurableStore());
describeRuntimeBehaviour("the memory store", async () => new MemoryDurableStore(), 200);
