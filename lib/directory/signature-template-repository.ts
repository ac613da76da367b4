import type { TableClient } from "@azure/data-tables";
import { keyPart, odataString, realmKey } from "../storage/keys.js";
import { isNotFound } from "../storage/rest-error.js";
import type { SignatureTemplate } from "./signature-template.js";

interface TemplateEntity {
  name: string;
  html: string;
  text: string;
  updatedAt: string;
}

export interface StoredSignatureTemplate extends SignatureTemplate {
  name: string;
  updatedAt: string;
}

/** A realm's Outlook signature templates: PartitionKey `<realm>|signatures`, RowKey the template name. */
export class SignatureTemplateRepository {
  constructor(private readonly table: () => Promise<TableClient>) {}

  /** Creates or replaces a template (already validated). */
  async put(realmId: string, name: string, template: SignatureTemplate, updatedAt: string): Promise<void> {
    const client = await this.table();
    await client.upsertEntity<TemplateEntity>({ partitionKey: realmKey(realmId, "signatures"), rowKey: keyPart(name), name, ...template, updatedAt }, "Replace");
  }

  /** Every template of the realm, by name; [] when none. */
  async list(realmId: string): Promise<StoredSignatureTemplate[]> {
    const client = await this.table();
    const out: StoredSignatureTemplate[] = [];
    const filter = `PartitionKey eq ${odataString(realmKey(realmId, "signatures"))}`;
    for await (const e of client.listEntities<TemplateEntity>({ queryOptions: { filter } })) {
      out.push({ name: e.name, html: e.html, text: e.text, updatedAt: e.updatedAt });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes a template; false when there was none. */
  async delete(realmId: string, name: string): Promise<boolean> {
    const client = await this.table();
    try {
      await client.deleteEntity(realmKey(realmId, "signatures"), keyPart(name));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}
