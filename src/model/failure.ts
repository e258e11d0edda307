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
  /**
   * Set only by the engine, on work it gave up on without running it again
   * (poison protection): an activity failure with this mark fails its
   * instance outright, whatever the orchestrator catches or retries.
   */
  readonly poisoned?: true;
  /** The code threw a NonRetryableError (or an error marked `isNonRetryable`): no retry policy retries it. */
  readonly isNonRetryable?: true;
  /** Set on an ActivityTimeoutError: which timeout fired. */
  readonly timeoutType?: 'startToClose' | 'heartbeat';
  /**
   * The details of the failed activity attempt's last stored heartbeat; a
   * retry of the activity gets them as `lastHeartbeatDetails`.
   */
  readonly lastHeartbeatDetails?: unknown;
}

export function toFailureDetails(error: unknown): FailureDetails {
  if (error instanceof Error) {
    const cause = error.cause === undefined ? undefined : toFailureDetails(error.cause);
    return {
      name: error.name,
      message: error.message,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
      ...(cause === undefined ? {} : { cause }),
      ...((error as { isNonRetryable?: unknown }).isNonRetryable === true ? { isNonRetryable: true as const } : {}),
      ...timeoutTypeOf(error),
    };
  }
  return { name: 'Error', message: typeof error === 'string' ? error : safeString(error) };
}

function timeoutTypeOf(error: Error): Pick<FailureDetails, 'timeoutType'> {
  const type = (error as { timeoutType?: unknown }).timeoutType;
  return type === 'startToClose' || type === 'heartbeat' ? { timeoutType: type } : {};
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * An absolute file path at the start of a stack location, a `file://` URL
 * included: `(/srv/app/src/a.ts:3:7)` and `at C:\app\a.js:1:2` keep only `a.ts:3:7` and `a.js:1:2`.
 */
const ABSOLUTE_PATH = /(?<=^|[\s(])(?:file:\/\/)?(?:\/|[A-Za-z]:[\\/])(?:[^\s()\\/]+[\\/])*([^\s()\\/]+)/gm;

/**
 * The failure with absolute paths cut down to file names, in its stack and
 * its causes' stacks, so a status served over HTTP does not map the server's
 * disk. The message is left as the code wrote it.
 */
export function withoutStackPaths(failure: FailureDetails): FailureDetails {
  const stack = failure.stack === undefined ? {} : { stack: failure.stack.replace(ABSOLUTE_PATH, '$1') };
  const cause = failure.cause === undefined ? {} : { cause: withoutStackPaths(failure.cause) };
  return { ...failure, ...stack, ...cause };
}
