import { withServices } from "../app/container.js";
import type { AppServices } from "../app/services.js";
import { DurableRegistry } from "../durable/registry.js";
import { LocalDurableRuntime } from "../durable/local-runtime.js";
import { TableDurableStore } from "../durable/table-store.js";
import type { FunctionRegistry } from "../registry/types.js";

/**
 * Runs the registry's orchestrators and activities in the local durable runtime over Table Storage
 * and makes it the services' orchestration client. Activities run with these services in scope.
 */
export async function startDurableHost(services: AppServices, registry: FunctionRegistry): Promise<LocalDurableRuntime> {
  const durable = new DurableRegistry();
  for (const entry of registry.orchestrators) durable.orchestration(entry.name, entry.handler);
  for (const entry of registry.activities) durable.activity(entry.name, entry.handler);
  const runtime = new LocalDurableRuntime({
    store: new TableDurableStore(await services.tables.table("DurableInstances")),
    registry: durable,
    clock: services.clock,
    maxConcurrentActivities: 16,
    log: (level, message) => services.log.log(level, "durable.runtime", { message }),
  });
  services.orchestrations = () => runtime;
  await withServices(services, () => runtime.start());
  return runtime;
}
