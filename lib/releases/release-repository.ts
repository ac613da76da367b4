import type { TableClient } from "@azure/data-tables";
import { z } from "zod";
import type { ReleaseChannel } from "../policies/policy.js";
import { keyPart, realmKey } from "../storage/keys.js";
import { isNotFound } from "../storage/rest-error.js";

/** A client release as an admin publishes it for a channel. */
export const releaseSchema = z
  .object({
    version: z.string().max(64).regex(/^\d+(\.\d+){1,3}([-+][0-9A-Za-z.-]+)?$/, "a version like 4.2.1"),
    url: z.url({ protocol: /^https$/ }).max(2048),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "64 hex digits").transform((s) => s.toLowerCase()),
  })
  .strict();

export type Release = z.infer<typeof releaseSchema>;

interface ReleaseEntity {
  version: string;
  url: string;
  sha256: string;
  publishedAt: string;
}

/** The newest client release per channel and realm: PartitionKey `<realm>|releases`, RowKey the channel. */
export class ReleaseRepository {
  constructor(private readonly table: () => Promise<TableClient>) {}

  /** The channel's release, or undefined when none was published. */
  async get(realmId: string, channel: ReleaseChannel): Promise<(Release & { publishedAt: string }) | undefined> {
    const client = await this.table();
    try {
      const e = await client.getEntity<ReleaseEntity>(realmKey(realmId, "releases"), keyPart(channel));
      return { version: e.version, url: e.url, sha256: e.sha256, publishedAt: e.publishedAt };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Publishes (replaces) the channel's release. */
  async put(realmId: string, channel: ReleaseChannel, release: Release, publishedAt: string): Promise<void> {
    const client = await this.table();
    await client.upsertEntity<ReleaseEntity>({ partitionKey: realmKey(realmId, "releases"), rowKey: keyPart(channel), ...release, publishedAt }, "Replace");
  }
}
