import type { AppServices } from "../app/services.js";
import { demoRealms } from "./demo-realms.js";

/** Seeds the demo realms once; an existing realm (possibly changed by an operator) is left alone. */
export async function seedDemo(services: AppServices, deviceCaPem: string | undefined): Promise<void> {
  const createdAt = new Date(services.clock.now()).toISOString();
  for (const realm of demoRealms(createdAt, deviceCaPem)) {
    if ((await services.realms.get(realm.id)) === undefined) await services.realms.put(realm);
  }
}
