/**
 * @module cli/target
 * What an operator command acts on: a running server (`--url`, the Durable
 * Functions management API) or a store (`--store`, a client straight on it).
 * Every command is written once, against this interface.
 *
 * What must hold:
 * - Both targets answer with the same shapes (Durable Functions' status
 *   body, client/df-status) and fail with the same typed model errors
 *   (InstanceNotFoundError, InstanceAlreadyExistsError,
 *   InvalidInstanceStateError...), so a command's output and exit code do
 *   not depend on the target.
 * - `--url` and `--store` together are a usage error; neither means the
 *   default server, http://127.0.0.1:7071.
 */
import type { RuntimeStatus } from '../model/runtime-status.ts';
import type { ConflictPolicy } from '../store/store.ts';
import { CliError } from './cli-error.ts';
import { openHttpTarget } from './http-target.ts';
import type { ScheduleTarget } from './schedule-target.ts';
import { openStoreTarget } from './store-target.ts';

/** Durable Functions' status body: name, instanceId, runtimeStatus, input, output, customStatus, times, failureDetails, historyEvents. */
export type StatusBody = Readonly<Record<string, unknown>> & {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
};

export interface ListQuery {
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly name?: string;
  readonly instanceIdPrefix?: string;
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
  readonly pageSize: number;
  readonly continuationToken?: string;
}

export interface StatusPage {
  readonly instances: StatusBody[];
  readonly continuationToken?: string;
}

export interface StartRequest {
  readonly name: string;
  readonly instanceId?: string;
  readonly input?: unknown;
  readonly onConflict: ConflictPolicy;
}

export type ControlOperation = 'terminate' | 'suspend' | 'resume' | 'rewind';

export interface PurgeWindow {
  readonly runtimeStatus: readonly RuntimeStatus[];
  readonly createdFrom: Date;
  readonly createdTo: Date;
}

export interface Target extends AsyncDisposable {
  list(query: ListQuery): Promise<StatusPage>;
  /** With `history`, the Durable Functions-shaped history, results included. Throws InstanceNotFoundError. */
  status(instanceId: string, history: boolean): Promise<StatusBody>;
  start(request: StartRequest): Promise<{ instanceId: string; outcome: string }>;
  raise(instanceId: string, eventName: string, data: unknown): Promise<void>;
  control(instanceId: string, operation: ControlOperation, reason: string | undefined): Promise<void>;
  restart(instanceId: string, sameId: boolean): Promise<{ instanceId: string }>;
  purgeInstance(instanceId: string): Promise<number>;
  /** Purges finished instances created in [createdFrom, createdTo); returns how many. */
  purge(window: PurgeWindow): Promise<number>;
  /** Removes the tombstone that keeps a purged instance's ID used; false if there was none. */
  releaseInstanceId(instanceId: string): Promise<boolean>;
  readonly schedules: ScheduleTarget;
}

export interface TargetFlags {
  readonly url?: string;
  readonly key?: string;
  readonly store?: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:7071';

export async function openTarget(flags: TargetFlags, env: Readonly<Record<string, string | undefined>>): Promise<Target> {
  if (flags.url !== undefined && flags.store !== undefined) throw new CliError('Give either --url or --store, not both.');
  if (flags.store !== undefined) {
    if (flags.key !== undefined) throw new CliError('--key is for --url (a server); a store needs none.');
    return openStoreTarget(flags.store);
  }
  const key = flags.key ?? (env['PERDURE_KEY'] || undefined);
  return openHttpTarget(flags.url ?? DEFAULT_URL, key);
}
