/**
 * @module cli/instance-commands
 * `perdure instance …`: the operator commands on instances. Each is
 * written once against cli/target, so `--url` and `--store` behave alike.
 *
 * What must hold:
 * - Every command takes the target flags and `--json`; bad values are
 *   usage errors naming the flag (cli/values).
 * - Commands that queue work (raise, terminate, ...) report that it was
 *   accepted: the instance changes when a host runs its next turn.
 */
import { Option, type Command } from 'commander';
import type { RuntimeStatus } from '../model/runtime-status.ts';
import { CliError, ExitCode } from './cli-error.ts';
import type { CliIo } from './io.ts';
import { operator, report } from './operator-command.ts';
import { printInstanceTable, printJson, printStatus } from './output.ts';
import type { ControlOperation, StatusBody } from './target.ts';
import {
  parseConflictPolicy,
  parseJson,
  parsePositiveInteger,
  parseSeconds,
  parseStatuses,
  parseTime,
  type CONFLICT_POLICIES,
} from './values.ts';
import { waitForFinish } from './wait.ts';

export function addInstanceCommands(program: Command, io: CliIo): void {
  const instance = program
    .command('instance')
    .summary('list, inspect and act on instances')
    .description('List, inspect and act on instances.');
  addList(instance, io);
  addReadCommands(instance, io);
  addStart(instance, io);
  addRaise(instance, io);
  for (const operation of ['terminate', 'suspend', 'resume', 'rewind'] as const) addControl(instance, io, operation);
  addRestartAndPurge(instance, io);
  addWait(instance, io);
  addReleaseId(instance, io);
}

/** Frees an ID that the tombstone of a purged `reuseStatuses: []` instance keeps used; none is a not-found (exit 3). */
function addReleaseId(instance: Command, io: CliIo): void {
  operator(
    instance.command('release-id').description('Free the ID of a purged once-only instance (remove its tombstone).').argument('<ID>'),
    io,
    async (target, [id], flags) => {
      if (!(await target.releaseInstanceId(id!))) {
        throw new CliError(`No tombstone keeps the instance ID '${id!}'.`, { exitCode: ExitCode.NotFound });
      }
      report(io, flags, { instanceId: id!, released: true }, `Instance ID '${id!}' released.`);
    },
  );
}

function addReadCommands(instance: Command, io: CliIo): void {
  operator<{ history?: boolean }>(
    instance.command('show').description('Show one instance.').argument('<ID>').option('--history', 'with its history'),
    io,
    async (target, [id], flags) => {
      const status = await target.status(id!, flags.history === true);
      if (flags.json) printJson(io, status);
      else printStatus(io, status);
    },
  );
  operator(
    instance.command('history').description("Write an instance's history as JSON (Durable Functions' shape) to stdout.").argument('<ID>'),
    io,
    async (target, [id]) => printJson(io, (await target.status(id!, true))['historyEvents'] ?? []),
  );
}

function addRaise(instance: Command, io: CliIo): void {
  operator<{ data?: unknown }>(
    instance
      .command('raise')
      .description('Raise an event on an instance.')
      .argument('<ID>')
      .argument('<EVENT>')
      .option('--data <JSON|@file>', 'event data', parseJson),
    io,
    async (target, [id, event], flags) => {
      await target.raise(id!, event!, flags.data);
      report(io, flags, { instanceId: id!, operation: 'raise', eventName: event! }, `Event '${event!}' raised on '${id!}'.`);
    },
  );
}

function addRestartAndPurge(instance: Command, io: CliIo): void {
  operator<{ sameId?: boolean }>(
    instance
      .command('restart')
      .description("Start an instance's orchestration again with its input, under a new ID.")
      .argument('<ID>')
      .option('--same-id', 'reuse the ID (the instance must have finished)'),
    io,
    async (target, [id], flags) => {
      const restarted = await target.restart(id!, flags.sameId === true);
      report(io, flags, { instanceId: restarted.instanceId, restartedFrom: id! }, `Restarted '${id!}' as '${restarted.instanceId}'.`);
    },
  );
  operator(
    instance.command('purge').description('Delete a finished instance and its history.').argument('<ID>'),
    io,
    async (target, [id], flags) => {
      const instancesDeleted = await target.purgeInstance(id!);
      report(io, flags, { instanceId: id!, instancesDeleted }, `Purged '${id!}'.`);
    },
  );
}

function addList(instance: Command, io: CliIo): void {
  operator<{ status?: RuntimeStatus[]; name?: string; prefix?: string; since?: Date; limit: number }>(
    instance
      .command('list')
      .description('List instances, oldest first.')
      .option('--status <S,…>', 'only these statuses', (text) => parseStatuses(text))
      .option('--name <N>', 'only this orchestration')
      .option('--prefix <P>', 'only IDs starting with P')
      .option('--since <T>', 'created at or after T (ISO 8601, or an age: 30m, 24h, 7d)', (text) => parseTime(text))
      .option('--limit <N>', 'at most N instances', parsePositiveInteger, 100),
    io,
    async (target, _operands, flags) => {
      const instances: StatusBody[] = [];
      let token: string | undefined;
      do {
        const page = await target.list({
          pageSize: Math.min(flags.limit - instances.length, 1000),
          ...(flags.status ? { runtimeStatus: flags.status } : {}),
          ...(flags.name === undefined ? {} : { name: flags.name }),
          ...(flags.prefix === undefined ? {} : { instanceIdPrefix: flags.prefix }),
          ...(flags.since ? { createdFrom: flags.since } : {}),
          ...(token ? { continuationToken: token } : {}),
        });
        instances.push(...page.instances);
        token = page.continuationToken;
      } while (token && instances.length < flags.limit);
      if (flags.json) printJson(io, instances);
      else printInstanceTable(io, instances);
      if (token && !flags.json) io.stdout.write(`(more instances match: raise --limit to see them)\n`);
    },
  );
}

function addStart(instance: Command, io: CliIo): void {
  type Policy = (typeof CONFLICT_POLICIES)[keyof typeof CONFLICT_POLICIES];
  operator<{ id?: string; input?: unknown; onConflict: Policy }>(
    instance
      .command('start')
      .description('Start an orchestration.')
      .argument('<NAME>')
      .option('--id <ID>', 'instance ID (default: a random UUID); choosing one makes a singleton start')
      .option('--input <JSON|@file>', 'input', parseJson)
      .addOption(
        new Option('--on-conflict <POLICY>', 'when a live instance has the ID: reject (exit 4), use-existing, terminate-existing')
          .argParser(parseConflictPolicy)
          .default('reject'),
      ),
    io,
    async (target, [name], flags) => {
      const started = await target.start({
        name: name!,
        input: flags.input,
        onConflict: flags.onConflict,
        ...(flags.id === undefined ? {} : { instanceId: flags.id }),
      });
      report(io, flags, started, `${started.outcome === 'existing' ? 'Already running' : 'Started'}: ${started.instanceId}`);
    },
  );
}

function addControl(instance: Command, io: CliIo, operation: ControlOperation): void {
  const help: Record<ControlOperation, string> = {
    terminate: 'Terminate a live instance.',
    suspend: 'Suspend a live instance.',
    resume: 'Resume a suspended instance.',
    rewind: 'Retry the failed tasks of a Failed instance from where it failed.',
  };
  operator<{ reason?: string }>(
    instance.command(operation).description(help[operation]).argument('<ID>').option('--reason <R>', 'recorded in the history'),
    io,
    async (target, [id], flags) => {
      await target.control(id!, operation, flags.reason);
      report(io, flags, { instanceId: id!, operation }, `Asked '${id!}' to ${operation}.`);
    },
  );
}

function addWait(instance: Command, io: CliIo): void {
  operator<{ timeout: number }>(
    instance
      .command('wait')
      .description('Wait until an instance has finished (Completed, Failed or Terminated), then show it.')
      .argument('<ID>')
      .option('--timeout <S>', 'give up after S seconds (exit 1)', parseSeconds, 60),
    io,
    async (target, [id], flags) => {
      const status = await waitForFinish(target, id!, flags.timeout * 1000);
      if (flags.json) printJson(io, status);
      else printStatus(io, status);
    },
  );
}
