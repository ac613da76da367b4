/** The one logging need of authentication: security-relevant refusals worth an operator's attention. */
export interface AuthLogger {
  /** Records a warning; never throws. */
  warn(message: string, properties: Record<string, string | number | boolean>): void;
}

/** A logger that drops everything, for callers that have none. */
export const silentAuthLogger: AuthLogger = { warn: () => undefined };
