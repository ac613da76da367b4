import { createHash } from "node:crypto";
import { keyPart } from "./keys.js";

/*
 * Azure Table Storage limits, the one source every bound on a stored value is derived from
 * (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model).
 * Strings are stored as UTF-16, so "64 KiB" is 32 K characters (UTF-16 code units, as String.length counts).
 * The keys' "1 KiB" is read the same way, conservatively: 512 characters. Azurite refuses a 513-character
 * RowKey; our keys are ASCII after keyPart, so characters, UTF-16 code units and UTF-8 bytes agree.
 */

/** A string property: 64 KiB of UTF-16. */
export const TABLE_STRING_MAX_CHARS = 32 * 1024;
/** A whole entity, keys and property names included. */
export const TABLE_ENTITY_MAX_BYTES = 1024 * 1024;
/** PartitionKey and RowKey each. */
export const TABLE_KEY_MAX_CHARS = 512;

/** What one entity may spend on its string values, in characters, after keys, names and other properties. */
export const TABLE_ENTITY_TEXT_BUDGET_CHARS = Math.floor((TABLE_ENTITY_MAX_BYTES - 64 * 1024) / 2);

/** True when a string fits one Table string property. */
export const fitsStringProperty = (text: string): boolean => text.length <= TABLE_STRING_MAX_CHARS;

/**
 * keyPart, unless its encoding would pass `maxChars`: then "~" and the SHA-256 (hex) of the value. keyPart
 * never starts with "~" for the values this is used for (ids whose characters exclude "~"), so the two
 * forms never collide; the compact form keeps every key of such an id within the key limit.
 */
export function compactKeyPart(value: string, maxChars: number): string {
  const encoded = keyPart(value);
  return encoded.length <= maxChars ? encoded : `~${createHash("sha256").update(value, "utf8").digest("hex")}`;
}
