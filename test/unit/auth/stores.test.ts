import { MemoryReplayCache } from "../../../lib/auth/replay-cache.js";
import { MemoryDevicePinStore } from "../../../lib/auth/device-trust.js";
import { devicePinStoreContract, replayCacheContract } from "./contracts.js";

replayCacheContract("memory", async () => new MemoryReplayCache());
devicePinStoreContract("memory", async () => new MemoryDevicePinStore());
