/** The HTTP status of an Azure SDK RestError, or undefined for other errors. */
export function statusOf(e: unknown): number | undefined {
  if (typeof e !== "object" || e === null || !("statusCode" in e)) return undefined;
  const status: unknown = e.statusCode;
  return typeof status === "number" ? status : undefined;
}
