/**
 * @module runtime-status
 * The Durable Functions set of runtime statuses, and the two groupings the
 * engine relies on: live (at most one per instance ID) and terminal.
 */
export const RuntimeStatus = {
  Pending: 'Pending',
  Running: 'Running',
  Completed: 'Completed',
  ContinuedAsNew: 'ContinuedAsNew',
  Failed: 'Failed',
  Terminated: 'Terminated',
  Suspended: 'Suspended',
} as const;

export type RuntimeStatus = (typeof RuntimeStatus)[keyof typeof RuntimeStatus];

export const ALL_RUNTIME_STATUSES: readonly RuntimeStatus[] = Object.values(RuntimeStatus);

/** A live instance blocks a new start with the same ID under the default policy. */
export const LIVE_STATUSES: readonly RuntimeStatus[] = [
  RuntimeStatus.Pending,
  RuntimeStatus.Running,
  RuntimeStatus.ContinuedAsNew,
  RuntimeStatus.Suspended,
];

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = [RuntimeStatus.Completed, RuntimeStatus.Failed, RuntimeStatus.Terminated];

export function isLiveStatus(status: RuntimeStatus): boolean {
  return LIVE_STATUSES.includes(status);
}

export function isTerminalStatus(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function isRuntimeStatus(value: unknown): value is RuntimeStatus {
  return typeof value === 'string' && (ALL_RUNTIME_STATUSES as readonly string[]).includes(value);
}
