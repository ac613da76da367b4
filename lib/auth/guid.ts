const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when the value is a GUID in its usual 8-4-4-4-12 hex form (any case). */
export const isGuid = (value: unknown): value is string => typeof value === "string" && GUID.test(value);
