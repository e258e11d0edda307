/**
 * @module version-gate
 * Decides, before any orchestrator code runs, whether this host may run an
 * instance of the version it was started with (Durable Functions'
 * `versionMatchStrategy` / `versionFailureStrategy`).
 *
 * What must hold:
 * - The check comes before replay: code older than the instance would
 *   diverge from its history, and that must never fail it.
 * - `reject` leaves the instance exactly as it was (no commit): the turn is
 *   handed back with its delivery returned, and not claimable for
 *   REJECT_BACKOFF_MS, so hosts that refuse it do not spin on it.
 * - `fail` fails the instance with a VersionMismatchError naming both versions.
 */
import { VersionMismatchError } from '../model/errors.ts';
import type { HistoryEvent } from '../model/history.ts';
import { versionAccepted, type VersionMatch, type VersionMismatchAction } from '../model/version.ts';
import type { OrchestrationWorkItem } from '../store/store.ts';

/** How long a rejected turn waits before any host may claim it again. */
export const REJECT_BACKOFF_MS = 1_000;

export interface VersionPolicy {
  /** The version of the code this host runs ('' when it has none). */
  readonly version: string;
  readonly match: VersionMatch;
  readonly onMismatch: VersionMismatchAction;
}

export type VersionVerdict =
  { readonly action: 'run' } | { readonly action: 'reject' } | { readonly action: 'fail'; readonly error: VersionMismatchError };

const RUN: VersionVerdict = { action: 'run' };

export function judgeVersion(policy: VersionPolicy | undefined, name: string, instanceVersion: string | undefined): VersionVerdict {
  if (!policy || policy.match === 'none') return RUN;
  const version = instanceVersion ?? '';
  if (versionAccepted(policy.match, version, policy.version)) return RUN;
  if (policy.onMismatch === 'reject') return { action: 'reject' };
  return { action: 'fail', error: new VersionMismatchError(name, version, policy.version, policy.match) };
}

/** The version an execution was started with: from its stored history, or from the start message of a first turn. */
export function versionOf(item: OrchestrationWorkItem, history: readonly HistoryEvent[]): string | undefined {
  for (const event of history) if (event.type === 'ExecutionStarted') return event.version;
  for (const message of item.messages) if (message.event.type === 'ExecutionStarted') return message.event.version;
  return undefined;
}
