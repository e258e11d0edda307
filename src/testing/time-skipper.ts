/**
 * @module testing/time-skipper
 * Moves the test clock when the host has nothing to do. The host is idle
 * when both worker loops are parked on the clock's timers, no activity is
 * running and no store call is in flight, and that stays so for a few event
 * loop turns (so that a test's own next call, already on its way, is seen).
 * Then time jumps to the next moment work falls due (a durable timer, a
 * lease), or to the end of an `env.sleep` if that is sooner.
 *
 * What must hold:
 * - Time never moves while anything is runnable or in flight.
 * - Without auto-skipping, time moves only for `sleep`, and never past its end.
 * - A skip never goes backwards, and due work already visible is woken, not
 *   skipped over.
 */
import type { TestClock } from './test-clock.ts';

/** The host's claim loops: orchestrations and activities. */
const HOST_LOOPS = 2;
/** Event loop turns the host must stay idle before time moves. */
const SETTLE_TURNS = 3;

export interface TimeSkipperOptions {
  readonly clock: TestClock;
  /** Asks the store itself, not the tracked wrapper: looking for the next wake-up is not activity. */
  readonly nextWakeAt: (now: number) => Promise<number | undefined>;
  readonly autoSkip: boolean;
  readonly busy: () => boolean;
  readonly wake: () => void;
}

interface Sleeper {
  readonly until: number;
  readonly resolve: () => void;
}

export class TimeSkipper {
  #generation = 0;
  #scheduled = false;
  #stopped = false;
  #wokenFor: number | undefined;
  readonly #sleepers = new Set<Sleeper>();

  constructor(private readonly options: TimeSkipperOptions) {}

  /** Something changed (a store call, an activity, a timer): look again once things settle. */
  poke(): void {
    this.#generation += 1;
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => void this.#check());
  }

  /** Resolves once the clock has moved `ms` forward, stopping at every timer due on the way. */
  sleep(ms: number): Promise<void> {
    const until = this.options.clock.now() + ms;
    return new Promise((resolve) => {
      this.#sleepers.add({ until, resolve });
      this.poke();
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const sleeper of this.#sleepers) sleeper.resolve();
    this.#sleepers.clear();
  }

  #idle(): boolean {
    return this.options.clock.waitingTimers >= HOST_LOOPS && !this.options.busy();
  }

  async #check(): Promise<void> {
    const generation = this.#generation;
    try {
      for (let turn = 0; turn < SETTLE_TURNS; turn++) {
        if (this.#stopped || !this.#idle() || generation !== this.#generation) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (this.#stopped || !this.#idle() || generation !== this.#generation) return;
      const now = this.options.clock.now();
      const due = await this.options.nextWakeAt(now);
      if (this.#stopped || generation !== this.#generation) return;
      this.#move(now, due);
    } finally {
      this.#scheduled = false;
      if (generation !== this.#generation && !this.#stopped) this.poke();
    }
  }

  #move(now: number, future: number | undefined): void {
    const { clock } = this.options;
    let due = future;
    if (due !== undefined && due <= now) {
      if (this.#wokenFor !== due) {
        this.#wokenFor = due; // work is due already: wake the host once for it, then look again
        this.options.wake();
        return this.poke();
      }
      due = undefined; // woken for and still not taken (held while suspended, say): it is not a reason to stop
    }
    let target: number | undefined;
    if (this.#sleepers.size > 0) target = Math.min(due ?? Infinity, ...[...this.#sleepers].map((s) => s.until));
    else if (this.options.autoSkip) target = due;
    if (target !== undefined && target > now) clock.set(target);
    for (const sleeper of [...this.#sleepers]) {
      if (sleeper.until > clock.now()) continue;
      this.#sleepers.delete(sleeper);
      sleeper.resolve();
    }
    if (this.#sleepers.size > 0) this.poke();
  }
}
