/**
 * @module postgres/notifications
 * Owns the store's one LISTEN connection: it hears the NOTIFY that other
 * hosts' commits send when they queue work, and wakes this host's listeners.
 *
 * What must hold:
 * - One dedicated pg.Client per store (never a pool client: LISTEN belongs to
 *   a session), opened on the first subscription and closed with the last.
 * - A dropped connection is reopened with capped exponential backoff, and the
 *   channel is listened to again; listeners are woken after every successful
 *   LISTEN, since notifications sent while disconnected are lost.
 * - Bursts are coalesced: listeners run at most once per `minIntervalMs`,
 *   with a trailing call so the last notification of a burst is never lost,
 *   and are told every kind of work the burst announced.
 * - The payload names the kind of work ('o' orchestrations, 'a' activities,
 *   'oa' both), so a host wakes only the workers that can take it. A payload
 *   it does not know (an empty one from an older host) means both.
 * - A listener that throws does not stop the others or the connection.
 */
import pg from 'pg';
import type { ExternalWork } from '../store.ts';

/** NOTIFY payloads (see the module header). */
export const ORCHESTRATION_WORK = 'o';
export const ACTIVITY_WORK = 'a';

/** The payload announcing `work`, or '' when there is none. */
export function workPayload(work: ExternalWork): string {
  return `${work.orchestrations ? ORCHESTRATION_WORK : ''}${work.activities ? ACTIVITY_WORK : ''}`;
}

export function parseWork(payload: string | undefined): ExternalWork {
  const orchestrations = payload === ORCHESTRATION_WORK || payload === ORCHESTRATION_WORK + ACTIVITY_WORK;
  const activities = payload === ACTIVITY_WORK || payload === ORCHESTRATION_WORK + ACTIVITY_WORK;
  return orchestrations || activities ? { orchestrations, activities } : BOTH;
}

const BOTH: ExternalWork = { orchestrations: true, activities: true };

export interface WorkListenerOptions {
  readonly clientConfig: pg.ClientConfig;
  readonly channel: string;
  readonly minIntervalMs?: number;
  readonly maxBackoffMs?: number;
}

const DEFAULT_MIN_INTERVAL_MS = 5;
const DEFAULT_MAX_BACKOFF_MS = 5_000;
const FIRST_BACKOFF_MS = 50;

export class WorkListener {
  readonly #options: WorkListenerOptions;
  readonly #listeners = new Set<(work: ExternalWork) => void>();
  readonly #wake: () => void;
  /** What the notifications since the listeners last ran announced. */
  #pending: { orchestrations: boolean; activities: boolean } = { orchestrations: false, activities: false };
  #client: pg.Client | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #backoffMs = FIRST_BACKOFF_MS;
  #active = false;
  #disposed = false;

  constructor(options: WorkListenerOptions) {
    this.#options = options;
    this.#wake = throttle(() => this.#callListeners(), options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS);
  }

  subscribe(listener: (work: ExternalWork) => void): () => void {
    if (this.#disposed) return () => {};
    const wrapped = (work: ExternalWork) => listener(work);
    this.#listeners.add(wrapped);
    if (!this.#active) {
      this.#active = true;
      void this.#connect();
    }
    return () => {
      this.#listeners.delete(wrapped);
      if (this.#listeners.size === 0) void this.#stop();
    };
  }

  /** Closes the connection for good (the store is closing): later subscriptions do nothing. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#listeners.clear();
    await this.#stop();
  }

  async #stop(): Promise<void> {
    this.#active = false;
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    if (!this.#active) return;
    const client = new pg.Client(this.#options.clientConfig);
    this.#client = client;
    const dropped = () => this.#dropped(client);
    client.on('error', dropped);
    client.on('end', dropped);
    client.on('notification', (message) => {
      if (message.channel === this.#options.channel) this.#announce(parseWork(message.payload));
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#options.channel}"`);
    } catch {
      dropped();
      return;
    }
    if (this.#client !== client) return;
    this.#backoffMs = FIRST_BACKOFF_MS;
    this.#announce(BOTH);
  }

  #announce(work: ExternalWork): void {
    this.#pending.orchestrations ||= work.orchestrations;
    this.#pending.activities ||= work.activities;
    this.#wake();
  }

  /** Called once or more (error, then end) per broken client; reconnects once. */
  #dropped(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => {});
    if (!this.#active) return;
    const delay = this.#backoffMs * (0.5 + Math.random() / 2);
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
    this.#retryTimer.unref();
  }

  #callListeners(): void {
    const work = this.#pending;
    this.#pending = { orchestrations: false, activities: false };
    for (const listener of [...this.#listeners]) {
      try {
        listener(work);
      } catch {
        // One failing listener must not starve the others.
      }
    }
  }
}

/** Runs `fn` at once if it has not run for `intervalMs`, else once at the end of the interval. */
export function throttle(fn: () => void, intervalMs: number): () => void {
  let last = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    timer = undefined;
    last = performance.now();
    fn();
  };
  return () => {
    if (timer !== undefined) return;
    const wait = last + intervalMs - performance.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
}
