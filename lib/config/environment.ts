/** A copy of the process environment: with settings.ts, the only place that touches process.env. */
export function readEnvironment(): Record<string, string | undefined> {
  return { ...process.env };
}
