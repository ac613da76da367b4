import type { TableClient } from "@azure/data-tables";
import type { Clock } from "../core/clock.js";
import { AssignmentRepository } from "./assignment-repository.js";
import { AssignmentService } from "./assignment-service.js";
import { CatalogueRepository } from "./catalogue-repository.js";
import { CatalogueService } from "./catalogue-service.js";
import { DeliveryService } from "./manifest-service.js";

/** Logical table names (TableStore adds its prefix). */
export const PACKAGES_TABLE = "Packages";
export const ASSIGNMENTS_TABLE = "Assignments";

/** The package domain's use-cases, wired to their Table repositories. */
export interface PackageServices {
  catalogue: CatalogueService;
  assignments: AssignmentService;
  delivery: DeliveryService;
}

export interface PackageServicesOptions {
  /** A lazily created client per logical table name (TableStore.table). */
  table: (name: typeof PACKAGES_TABLE | typeof ASSIGNMENTS_TABLE) => Promise<TableClient>;
  clock: Clock;
  /** The back-end's public base URL used in manifest download URLs (RJ_PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  /**
   * The realm's delivery generation token (cached realm row) and how to bump it after a catalogue or assignment
   * change; without them each manifest reads the two partition generation rows.
   */
  realmGeneration?: { current(realmId: string): Promise<string>; bump(realmId: string): Promise<void> };
}

/** Builds the package services once per host. */
export function createPackageServices(options: PackageServicesOptions): PackageServices {
  const generation = options.realmGeneration;
  const bump = generation === undefined ? undefined : (realmId: string) => generation.bump(realmId);
  const catalogueRepo = new CatalogueRepository(() => options.table(PACKAGES_TABLE), bump);
  const assignmentRepo = new AssignmentRepository(() => options.table(ASSIGNMENTS_TABLE), bump);
  return {
    catalogue: new CatalogueService(catalogueRepo, assignmentRepo, options.clock),
    assignments: new AssignmentService(assignmentRepo, options.clock),
    delivery: new DeliveryService(catalogueRepo, assignmentRepo, options.publicBaseUrl, { clock: options.clock }, generation === undefined ? undefined : (realmId) => generation.current(realmId)),
  };
}
