/**
 * @module unrunnable-work
 * A host claims only work whose function it has registered (rolling
 * deploys: ClaimOptions `runnable`), so work that only a newer host can run
 * waits for one, and this host never sees it. To say so, the host asks the
 * store now and then which names of claimable work it lacks
 * (findUnrunnableNames, a read of the visible rows), and warns once per name.
 *
 * What must hold:
 * - One warning line per kind and name for the life of the host, however
 *   often the work is seen (a deploy can leave work waiting for minutes).
 * - The look-up runs on a timer, never on the claim path, one at a time;
 *   a failed look-up is only tried again at the next tick (the claim loops
 *   report store faults).
 */
import type { Clock } from '../runtime/clock.ts';
import type { Logger } from '../runtime/logger.ts';
import type { RunnableNames, Store } from '../store/store.ts';

/** The look-up runs this many idle-poll intervals apart (30 s with the default 1 s poll). */
export const CHECK_EVERY_POLLS = 30;

const KIND_LABEL: Record<keyof RunnableNames, string> = {
  orchestrations: 'orchestration',
  activities: 'activity',
  entities: 'entity',
};

export class UnrunnableWorkWarner {
  readonly #warned = new Set<string>();
  constructor(private readonly logger: Logger) {}

  /** Logs the warning for this name unless this host already did. */
  warn(kind: keyof RunnableNames, name: string): void {
    const key = `${kind}\u0000${name}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.logger.warn(
      `[perdure] ${KIND_LABEL[kind]} '${name}' has work waiting that this host cannot run (it is not registered here); ` +
        'the work waits for a host that registers it',
      { kind: KIND_LABEL[kind], name },
    );
  }

  /** Asks the store once and warns about every name found. */
  async check(store: Store, names: RunnableNames, now: number): Promise<void> {
    const found = await store.findUnrunnableNames?.(names, now);
    if (!found) return;
    for (const kind of Object.keys(KIND_LABEL) as (keyof RunnableNames)[]) for (const name of found[kind]) this.warn(kind, name);
  }
}

export interface UnrunnableWatchOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly names: () => RunnableNames;
  readonly warner: UnrunnableWorkWarner;
  /** The host's idle-poll interval: the first look is one interval after start, then every CHECK_EVERY_POLLS. */
  readonly pollMs: number;
}

/** Starts the periodic look-up; returns the function that stops it. */
export function watchUnrunnableWork({ store, clock, names, warner, pollMs }: UnrunnableWatchOptions): () => void {
  if (!store.findUnrunnableNames) return () => {};
  let checking = false;
  const tick = () => {
    if (checking) return;
    checking = true;
    warner
      .check(store, names(), clock.now())
      .catch(() => {}) // a store fault: the claim loops report it, and the next tick tries again
      .finally(() => (checking = false));
  };
  const first = setTimeout(tick, pollMs);
  const timer = setInterval(tick, pollMs * CHECK_EVERY_POLLS);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
