import type { TestProject } from "vitest/node";
import { startAzurite, type RunningAzurite } from "../../lib/localhost/azurite-process.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Connection string of the Azurite instance shared by integration tests. */
    storageConnectionString: string;
  }
}

let azurite: RunningAzurite | undefined;

/** Starts one in-memory Azurite for the whole run; tests isolate themselves with unique table and container names. */
export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  project.provide("storageConnectionString", azurite.connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
