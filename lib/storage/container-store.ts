import type { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import { isConflict } from "./rest-error.js";
import type { ContainerName } from "./storage-names.js";

/**
 * Blob containers of one storage account, each created once per process on first write (409 tolerated), so
 * a storage account made by hand or an empty emulator works without anything prepared up front.
 */
export class ContainerStore {
  private readonly ensured = new Map<string, Promise<ContainerClient>>();

  constructor(private readonly blobs: BlobServiceClient) {}

  /** The container, created if missing; a failure is not remembered, so the next call tries again. */
  async container(name: ContainerName): Promise<ContainerClient> {
    let pending = this.ensured.get(name);
    if (pending === undefined) {
      pending = this.create(name);
      this.ensured.set(name, pending);
      pending.catch(() => this.ensured.delete(name));
    }
    return await pending;
  }

  /** A client without creating the container: for reads and SAS URLs, where a missing container means a missing blob. */
  client(name: ContainerName): ContainerClient {
    return this.blobs.getContainerClient(name);
  }

  private async create(name: ContainerName): Promise<ContainerClient> {
    const client = this.blobs.getContainerClient(name);
    try {
      await client.createIfNotExists();
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    return client;
  }
}
