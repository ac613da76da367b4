import { AppError } from "../../lib/core/errors.js";

function asAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  throw new Error(`expected an AppError, got ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
}

/** The AppError a promise (or an async call) rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejectionOf(pending: Promise<unknown> | (() => Promise<unknown>)): Promise<AppError> {
  try {
    await (typeof pending === "function" ? pending() : pending);
  } catch (error) {
    return asAppError(error);
  }
  throw new Error("expected an AppError, but it succeeded");
}

/** The AppError a call throws; fails the test when it returns or throws anything else. */
export function thrownBy(call: () => unknown): AppError {
  try {
    call();
  } catch (error) {
    return asAppError(error);
  }
  throw new Error("expected an AppError, but it returned");
}
