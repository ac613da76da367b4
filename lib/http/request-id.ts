import { randomUUID } from "node:crypto";

/** The caller's x-request-id when it is a sane token (so it can be logged safely), else a new UUID. */
export function requestIdFrom(header: string | null): string {
  return header !== null && /^[A-Za-z0-9._:-]{8,64}$/.test(header) ? header : randomUUID();
}
