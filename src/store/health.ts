/**
 * @module store/health
 * How a store knows whether it can write right now, cheaply enough to answer
 * every health check of a load balancer.
 *
 * The answer is the last write outcome the store saw, whoever made it (a
 * start, a turn's commit, an activity result, a probe), while it is younger
 * than `maxAgeMs`; after that a write probe decides, and concurrent checks
 * share one probe. So a busy host answers health checks without writing,
 * and an idle one writes at most once per `maxAgeMs`.
 *
 * What must hold:
 * - A write that fails with a StoreUnavailableError makes the store unhealthy
 *   at once, for at least `maxAgeMs` (after that a probe decides); a write
 *   that succeeds makes a store that was not faulted in that window healthy.
 * - A probe that fails for any reason (closed, a bug) reports unhealthy; it never throws.
 * - The age is measured on the monotonic clock: it is a cache lifetime, not a time the store keeps.
 */
import { StoreUnavailableError, type StoreFaultReason } from '../model/errors.ts';

export interface StoreHealth {
  /** True when the store accepted a write in the last moments (or a probe just now). */
  readonly writable: boolean;
  /** Why not, when not writable. */
  readonly reason?: StoreFaultReason;
  /** The fault in one line (names the store, never its credentials). */
  readonly message?: string;
}

export const HEALTH_MAX_AGE_MS = 1_000;

const WRITABLE: StoreHealth = { writable: true };

export class HealthMonitor {
  #last: { readonly health: StoreHealth; readonly at: number } | undefined;
  #probing: Promise<StoreHealth> | undefined;

  constructor(
    private readonly probe: () => Promise<void>,
    private readonly maxAgeMs = HEALTH_MAX_AGE_MS,
  ) {}

  wrote(): void {
    // A fault holds until it is older than maxAgeMs: on a nearly full disk a small write (a lease)
    // may pass while larger ones fail, and health should not flap with each of them.
    const last = this.#last;
    if (last !== undefined && !last.health.writable && performance.now() - last.at < this.maxAgeMs) return;
    this.#last = { health: WRITABLE, at: performance.now() };
  }

  /** Records the fault if `error` is one; returns `error` so callers can rethrow it. */
  failed(error: unknown): unknown {
    if (error instanceof StoreUnavailableError) this.#last = { health: unhealthy(error), at: performance.now() };
    return error;
  }

  check(): Promise<StoreHealth> {
    const last = this.#last;
    if (last !== undefined && performance.now() - last.at < this.maxAgeMs) return Promise.resolve(last.health);
    return (this.#probing ??= this.#probe().finally(() => (this.#probing = undefined)));
  }

  async #probe(): Promise<StoreHealth> {
    let health: StoreHealth = WRITABLE;
    try {
      await this.probe();
    } catch (error) {
      health =
        error instanceof StoreUnavailableError
          ? unhealthy(error)
          : { writable: false, reason: 'unreachable', message: error instanceof Error ? error.message : String(error) };
    }
    this.#last = { health, at: performance.now() };
    return health;
  }
}

function unhealthy(error: StoreUnavailableError): StoreHealth {
  return { writable: false, reason: error.reason, message: error.message };
}
