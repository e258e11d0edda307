/**
 * @module remote-workers
 * How a host's parts are wired when its workers run elsewhere in the same
 * process (the engine thread of `perdure start`, decision 0038): the
 * client-only host on the main thread wakes them and hands starts to them
 * through a `RemoteWorkers`, and either side may bring its own
 * CompletionNotifier (the engine's mirrors its holds to the main thread's,
 * so waiters there wake on the engine's commits without polling).
 *
 * What must hold: a `RemoteWorkers` is only ever given to a host created
 * with `workers: false` (one host's work is never run twice in one thread),
 * and its calls only post messages: none of them waits for the engine.
 */
import type { CompletionNotifier } from '../worker/completion-notifier.ts';

// cli/ reaches the worker layer only through runtime/: the engine thread and its link each bring a notifier.
export { CompletionNotifier } from '../worker/completion-notifier.ts';
import type { StartHandoff } from '../worker/start-handoff.ts';
import type { OpenStoreOptions } from '../store/open-store.ts';

export interface RemoteWorkers {
  /** Work a claim would find was committed here (starts, events, control messages, entity signals). */
  wakeClaims(): void;
  /** A schedule was created, changed or removed here. */
  wakeSchedules(): void;
  /** Starts leased to the remote orchestration worker, their first turn posted to it (start-handoff.ts). */
  readonly handoff?: StartHandoff;
}

/** What the engine side exposes of a host with workers, for the messages the main thread posts to it. */
export interface LocalWorkers {
  /** The lease owner of its orchestration worker: starts leased to it carry this owner. */
  readonly owner: string;
  readonly leaseMs: number;
  wakeClaims(): void;
  wakeSchedules(): void;
  /** Takes a start's first turn that the main thread's start leased to this worker. */
  accept: StartHandoff['accept'];
}

/** The internal second argument of createHost; embedding programs never pass it. */
export interface HostWiring {
  readonly completions?: CompletionNotifier;
  readonly remoteWorkers?: RemoteWorkers;
  /** Called once, before createHost resolves, with the workers of a host that runs them. */
  readonly onWorkers?: (workers: LocalWorkers) => void;
  /** How a store given as a URL is opened (the engine thread's shared SQLite write lock). */
  readonly storeOptions?: OpenStoreOptions;
}
