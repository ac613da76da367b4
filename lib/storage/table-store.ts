import { TableClient, TableServiceClient, type TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import { isConflict } from "./rest-error.js";
import type { TableName } from "./storage-names.js";

/** Where the tables live: a connection string (Azurite, keys) or an account endpoint with a credential. */
export type StorageTarget =
  | { kind: "connection-string"; connectionString: string }
  | { kind: "identity"; accountName: string; credential: TokenCredential; tableUrl?: string; blobUrl?: string };

/** The Table endpoint of an identity-based target: the configured one, else the public cloud's. */
export function tableEndpoint(target: Extract<StorageTarget, { kind: "identity" }>): string {
  return target.tableUrl ?? `https://${target.accountName}.table.core.windows.net`;
}

/** The Blob endpoint of an identity-based target: the configured one, else the public cloud's. */
export function blobEndpoint(target: Extract<StorageTarget, { kind: "identity" }>): string {
  return target.blobUrl ?? `https://${target.accountName}.blob.core.windows.net`;
}

// Short retries: an outage must surface as 503 within seconds, not after the SDK's default minute.
const OPTIONS: TableServiceClientOptions = {
  retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
};

function isHttp(connectionString: string): boolean {
  return /TableEndpoint=http:|DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(connectionString);
}

/** Makes Table clients for one storage target, one per table name, each table created once and idempotently. */
export class TableStore {
  private readonly clients = new Map<string, Promise<TableClient>>();

  constructor(
    private readonly target: StorageTarget,
    private readonly prefix: string,
  ) {}

  /** The full table name for a logical name ("Devices" -> "rjDevices"). */
  tableName(name: string): string {
    return `${this.prefix}${name}`;
  }

  /**
   * A client for one of the app's tables (storage-names.ts), created on first use. Throws the SDK's error when
   * storage is unreachable (and retries next time).
   */
  async table(name: TableName): Promise<TableClient> {
    const full = this.tableName(name);
    let pending = this.clients.get(full);
    if (pending === undefined) {
      pending = this.create(full);
      this.clients.set(full, pending);
      pending.catch(() => this.clients.delete(full));
    }
    return await pending;
  }

  /** A client without creating the table (for probes, and for tables found by listing the account). */
  client(name: string): TableClient {
    return this.makeClient(this.tableName(name));
  }

  /** The service client, for health probes. */
  service(): TableServiceClient {
    if (this.target.kind === "connection-string") {
      return TableServiceClient.fromConnectionString(this.target.connectionString, {
        ...OPTIONS,
        allowInsecureConnection: isHttp(this.target.connectionString),
      });
    }
    return new TableServiceClient(tableEndpoint(this.target), this.target.credential, OPTIONS);
  }

  private makeClient(full: string): TableClient {
    if (this.target.kind === "connection-string") {
      return TableClient.fromConnectionString(this.target.connectionString, full, {
        ...OPTIONS,
        allowInsecureConnection: isHttp(this.target.connectionString),
      });
    }
    return new TableClient(tableEndpoint(this.target), full, this.target.credential, OPTIONS);
  }

  private async create(full: string): Promise<TableClient> {
    const client = this.makeClient(full);
    try {
      await client.createTable();
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    return client;
  }
}
