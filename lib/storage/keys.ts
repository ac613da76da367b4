/**
 * Table keys may not contain / \ # ? or control characters; every key part is percent-encoded so
 * that no id from the network can break out of its realm's partition or collide with another part.
 */
export function keyPart(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** A PartitionKey that always starts with the realm id: `<realm>|<part>|<part>`. */
export function realmKey(realmId: string, ...parts: string[]): string {
  return [realmId, ...parts].map(keyPart).join("|");
}

/** OData filter literal for a string (single quotes doubled). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A filter for every PartitionKey that starts with `prefix` (range scan, as Table Storage has no LIKE). */
export function partitionPrefixFilter(prefix: string): string {
  return `PartitionKey ge ${odataString(prefix)} and PartitionKey lt ${odataString(prefix + "\uffff")}`;
}
