import { isGuid } from "../auth/guid.js";
import { AppError } from "../core/errors.js";

/** The device id of an admin path, lower case. Device ids are Entra device ids (GUIDs); anything else is a 400. */
export function deviceIdParam(raw: string | undefined): string {
  if (!isGuid(raw)) throw new AppError("validation", "The device id must be a GUID", { code: "invalid-device-id" });
  return raw.toLowerCase();
}
