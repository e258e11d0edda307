/**
 * @module activity-run
 * The state of one claimed activity while it runs on this host: its abort
 * signal, its deadlines (decision 0028) and its heartbeats.
 *
 * What must hold:
 * - The start-to-close deadline is the one stored with the task (fixed by
 *   its first claim, whichever host made it); the heartbeat deadline starts
 *   at this claim and moves with every `heartbeat()`.
 * - The heartbeat deadline stored with the task stays at least half a
 *   heartbeat timeout ahead while heartbeats come (`needsWrite`), so another
 *   host never takes the task from a live, heartbeating run.
 * - No lease this run writes outlasts either deadline by more than the
 *   grace (`deadlineGraceMs`): a crashed host's task is claimed again, and
 *   failed, soon after.
 */
import { ActivityTimeoutError, PerdureError, type ActivityTimeoutType } from '../model/errors.ts';
import { toFailureDetails, type FailureDetails } from '../model/failure.ts';
import { deadlineGraceMs } from '../store/row-codec.ts';
import type { ActivityHeartbeat, ActivityWorkItem } from '../store/store.ts';

export class ActivityRun {
  /** When this run misses its heartbeat, if it has a heartbeat timeout. */
  #heartbeatDeadline: number | undefined;
  /** The heartbeat deadline last stored with the task. */
  #storedDeadline: number | undefined;
  /** Details given since the last write, if any. */
  #unsaved: { value: unknown } | undefined;
  /** The newest details: this run's last heartbeat's, or those the task came with. */
  #details: unknown;
  #writing = false;

  constructor(
    readonly item: ActivityWorkItem,
    claimedAt: number,
    /** Whose signal the handler was given (an inline run's is made before its row exists). */
    readonly abort = new AbortController(),
  ) {
    const { heartbeatTimeoutMs, heartbeatDeadlineAt, heartbeatDetails } = item;
    this.#heartbeatDeadline = heartbeatTimeoutMs === undefined ? undefined : claimedAt + heartbeatTimeoutMs;
    this.#storedDeadline = heartbeatDeadlineAt;
    this.#details = heartbeatDetails;
  }

  /** The timeout this run has passed at `now`, if any. */
  timedOut(now: number): ActivityTimeoutType | undefined {
    if (this.item.deadlineAt !== undefined && now >= this.item.deadlineAt) return 'startToClose';
    if (this.#heartbeatDeadline !== undefined && now >= this.#heartbeatDeadline) return 'heartbeat';
    return undefined;
  }

  /** The earliest deadline still ahead, for the timer that checks them. */
  nextDeadline(): number | undefined {
    const deadlines = [this.item.deadlineAt, this.#heartbeatDeadline].filter((d): d is number => d !== undefined);
    return deadlines.length === 0 ? undefined : Math.min(...deadlines);
  }

  /** Records a heartbeat at `now`; `details` (already JSON) replace the stored ones when given. */
  heartbeat(now: number, details: { value: unknown } | undefined): void {
    if (this.item.heartbeatTimeoutMs !== undefined) this.#heartbeatDeadline = now + this.item.heartbeatTimeoutMs;
    if (details !== undefined) {
      this.#unsaved = details;
      this.#details = details.value;
    }
  }

  /** Whether a heartbeat must be written now rather than at the next lease renewal. */
  needsWrite(now: number): boolean {
    const timeout = this.item.heartbeatTimeoutMs;
    if (timeout === undefined || this.#writing) return false;
    return this.#storedDeadline === undefined || this.#storedDeadline - now < timeout / 2;
  }

  /** The write for a lease renewal or heartbeat; call `written` once it is stored. */
  beat(now: number, leaseMs: number): ActivityHeartbeat {
    const grace = deadlineGraceMs(leaseMs);
    const deadlines = [this.item.deadlineAt, this.#heartbeatDeadline].filter((d): d is number => d !== undefined);
    const caps = [now + leaseMs, ...deadlines.map((d) => d + grace)];
    return {
      item: this.item,
      leaseExpiresAt: Math.min(...caps),
      ...(this.#heartbeatDeadline === undefined ? {} : { heartbeatDeadlineAt: this.#heartbeatDeadline }),
      ...(this.#unsaved === undefined ? {} : { details: this.#unsaved }),
    };
  }

  /** Marks a write as started (`true`) or stored (the beat that was written). */
  writing(beat: ActivityHeartbeat | true): void {
    if (beat === true) {
      this.#writing = true;
      return;
    }
    this.#writing = false;
    if (beat.heartbeatDeadlineAt !== undefined) this.#storedDeadline = beat.heartbeatDeadlineAt;
    if (this.#unsaved === beat.details) this.#unsaved = undefined;
  }

  /** The failure of a timed-out run, with its last heartbeat details for the retry. */
  timeoutFailure(type: ActivityTimeoutType): FailureDetails {
    const timeoutMs = type === 'heartbeat' ? this.item.heartbeatTimeoutMs : this.item.timeoutMs;
    return this.withDetails(toFailureDetails(new ActivityTimeoutError(this.item.name, type, timeoutMs ?? 0)));
  }

  /** A failure carrying the run's last heartbeat details, so a retry attempt starts from them. */
  withDetails(failure: FailureDetails): FailureDetails {
    return this.#details === undefined ? failure : { ...failure, lastHeartbeatDetails: this.#details };
  }

  get lastDetails(): unknown {
    return this.#details;
  }
}

/**
 * The instance of a running activity was terminated, suspended or ended:
 * the reason its signal aborts. Its result is discarded.
 */
export class ActivityCancelledError extends PerdureError {
  override name = 'ActivityCancelledError';
  constructor(
    readonly instanceId: string,
    readonly why: 'suspended' | 'ended',
    what: string,
  ) {
    super(why === 'suspended' ? `instance '${instanceId}' was suspended: ${what} stops` : `instance '${instanceId}' ended: ${what} stops`);
  }
}

/** The timeout a task had already passed when this host claimed it, if any. */
export function expiredAtClaim(item: ActivityWorkItem, now: number): 'startToClose' | 'heartbeat' | undefined {
  if (item.deadlineAt !== undefined && item.deadlineAt <= now) return 'startToClose';
  if (item.heartbeatTimeoutMs !== undefined && item.heartbeatDeadlineAt !== undefined && item.heartbeatDeadlineAt <= now) {
    return 'heartbeat';
  }
  return undefined;
}

/** Heartbeats of an inline run: kept only to travel with its failure. */
export class InlineHeartbeats {
  #details: unknown;
  heartbeat(_now: number, details: { value: unknown } | undefined): void {
    if (details !== undefined) this.#details = details.value;
  }
  withDetails(failure: FailureDetails): FailureDetails {
    return this.#details === undefined ? failure : { ...failure, lastHeartbeatDetails: this.#details };
  }
}
