/**
 * @module failure
 * Failure details as they are stored and shown: plain JSON, never an Error
 * object, so that they survive serialization, replay and HTTP.
 */
export interface FailureDetails {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** The failure that caused this one, e.g. the child's failure inside a sub-orchestration failure. */
  readonly cause?: FailureDetails;
}

export function toFailureDetails(error: unknown): FailureDetails {
  if (error instanceof Error) {
    const cause = error.cause === undefined ? undefined : toFailureDetails(error.cause);
    return {
      name: error.name,
      message: error.message,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
      ...(cause === undefined ? {} : { cause }),
    };
  }
  return { name: 'Error', message: typeof error === 'string' ? error : safeString(error) };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
