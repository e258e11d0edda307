/**
 * @module work-loop
 * The claim loop both workers share. Work committed in this process wakes
 * it through its wake latch at once; otherwise it sleeps until the next due
 * timer or lease expiry, backing off (up to `idleMaxMs`) so that an idle
 * host barely touches the database. A failing store never kills the loop.
 *
 * A step is told whether it is a poll (the first one, one after a sleep that
 * nothing cut short, or after an error): a worker that tracks which local
 * work is waiting may skip the store on other steps, but must look on a poll,
 * since work from other processes and due timers are only seen that way.
 */
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import { WakeLatch } from './wake-latch.ts';

export interface WorkLoopOptions {
  readonly name: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly idleMinMs: number;
  readonly idleMaxMs: number;
  /** Earliest time future work becomes due, to sleep exactly until then. */
  readonly nextWakeAt: (now: number) => Promise<number | undefined>;
}

export class WorkLoop {
  readonly wakeLatch: WakeLatch;
  #running = false;
  #done: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: WorkLoopOptions,
    private readonly step: (poll: boolean) => Promise<boolean>,
  ) {
    this.wakeLatch = new WakeLatch(options.clock);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#done = this.#run();
  }

  /** Lets the current step finish, then stops. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wakeLatch.notify();
    await this.#done;
  }

  get running(): boolean {
    return this.#running;
  }

  async #run(): Promise<void> {
    let idle = this.options.idleMinMs;
    let errorDelay = 100;
    let poll = true;
    while (this.#running) {
      try {
        if (await this.step(poll)) {
          idle = this.options.idleMinMs;
          errorDelay = 100;
          poll = false;
          continue;
        }
        poll = !(await this.wakeLatch.wait(await this.#sleepMs(idle)));
        idle = Math.min(idle * 2, this.options.idleMaxMs);
      } catch (error) {
        this.options.logger.error(`[perdure] ${this.options.name} failed; retrying in ${errorDelay} ms`, error);
        await this.wakeLatch.wait(errorDelay);
        errorDelay = Math.min(errorDelay * 2, 5_000);
        poll = true;
      }
    }
  }

  async #sleepMs(idle: number): Promise<number> {
    if (!this.#running) return 0;
    const now = this.options.clock.now();
    const wake = await this.options.nextWakeAt(now);
    return wake === undefined ? idle : Math.max(0, Math.min(idle, wake - now));
  }
}
