/**
 * @module cli/schedule-target
 * The schedule operations of an operator target: `client.schedules` straight
 * on a store (`--store`), or the schedule routes of a running server
 * (`--url`, `/runtime/webhooks/durabletask/schedules`).
 *
 * What must hold: both answer with the client's ScheduleDescription and fail
 * with the same typed errors (ScheduleNotFoundError, ScheduleAlreadyExistsError,
 * a usage error naming the bad field), so a command's output and exit code
 * do not depend on the target.
 */
import type { ScheduleClient, ScheduleDescription } from '../client/schedules.ts';
import type { ScheduleOptions } from '../client/schedule-spec.ts';
import { ScheduleAlreadyExistsError, ScheduleNotFoundError } from '../model/errors.ts';
import { CliError, ExitCode } from './cli-error.ts';

export interface ScheduleTarget {
  list(): Promise<ScheduleDescription[]>;
  describe(name: string): Promise<ScheduleDescription>;
  create(name: string, options: ScheduleOptions): Promise<ScheduleDescription>;
  update(name: string, changes: Partial<ScheduleOptions>): Promise<ScheduleDescription>;
  pause(name: string): Promise<ScheduleDescription>;
  unpause(name: string): Promise<ScheduleDescription>;
  trigger(name: string): Promise<ScheduleDescription>;
  delete(name: string): Promise<void>;
}

export function storeScheduleTarget(schedules: ScheduleClient): ScheduleTarget {
  return {
    list: () => schedules.list(),
    describe: (name) => schedules.describe(name),
    create: (name, options) => schedules.create(name, options),
    update: (name, changes) => schedules.update(name, changes),
    pause: (name) => schedules.pause(name),
    unpause: (name) => schedules.unpause(name),
    trigger: (name) => schedules.trigger(name),
    delete: (name) => schedules.delete(name),
  };
}

/** What the HTTP target's call answers: status and parsed JSON body. */
export interface ScheduleAnswer {
  readonly status: number;
  readonly body: unknown;
}

export type ScheduleCall = (method: string, path: string, body?: unknown) => Promise<ScheduleAnswer>;

export function httpScheduleTarget(call: ScheduleCall): ScheduleTarget {
  const at = (name: string) => `/schedules/${encodeURIComponent(name)}`;
  const describe = async (method: string, path: string, name: string, body?: unknown) =>
    expect(await call(method, path, body), method === 'POST' && path === at(name) ? 201 : 200, name) as ScheduleDescription;
  return {
    list: async () => expect(await call('GET', '/schedules'), 200, '') as ScheduleDescription[],
    describe: (name) => describe('GET', at(name), name),
    create: (name, options) => describe('POST', at(name), name, options),
    update: (name, changes) => describe('PATCH', at(name), name, changes),
    pause: (name) => describe('POST', `${at(name)}/pause`, name),
    unpause: (name) => describe('POST', `${at(name)}/unpause`, name),
    trigger: (name) => describe('POST', `${at(name)}/trigger`, name),
    delete: async (name) => {
      expect(await call('DELETE', at(name)), 204, name);
    },
  };
}

/** The body of an answer with the expected status, or the typed error the client would have thrown. */
function expect(answer: ScheduleAnswer, ok: number, name: string): unknown {
  if (answer.status === ok) return answer.body;
  const body = (answer.body ?? {}) as Record<string, unknown>;
  const message = typeof body['message'] === 'string' ? body['message'] : `HTTP ${answer.status}`;
  if (answer.status === 404 && name !== '') return fail(new ScheduleNotFoundError(name));
  if (answer.status === 409) return fail(new ScheduleAlreadyExistsError(name));
  if (answer.status === 400 || answer.status === 413 || answer.status === 415) return fail(new CliError(message));
  if (answer.status === 401 || answer.status === 403) {
    return fail(new CliError(`${message} (give the key with --key or PERDURE_KEY)`, { exitCode: ExitCode.Error }));
  }
  return fail(new CliError(`The server answered ${answer.status}: ${message}`, { exitCode: ExitCode.Error }));
}

function fail(error: Error): never {
  throw error;
}
