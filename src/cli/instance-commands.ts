/**
 * @module cli/instance-commands
 * `perdure instance …` and `perdure purge`: the operator commands. Each is
 * written once against cli/target, so `--url` and `--store` behave alike.
 *
 * What must hold:
 * - Every command takes the target flags and `--json`; bad values are
 *   usage errors naming the flag (cli/values).
 * - Commands that queue work (raise, terminate, ...) report that it was
 *   accepted: the instance changes when a host runs its next turn.
 */
import { Command, Option } from 'commander';
import { TERMINAL_STATUSES, type RuntimeStatus } from '../model/runtime-status.ts';
import type { CliIo } from './io.ts';
import { printInstanceTable, printJson, printStatus } from './output.ts';
import { progressBar } from './progress.ts';
import { purgeInSlices } from './purge-command.ts';
import { openTarget, type ControlOperation, type StatusBody, type Target, type TargetFlags } from './target.ts';
import {
  parseConflictPolicy,
  parseJson,
  parsePositiveInteger,
  parseSeconds,
  parseStatuses,
  parseTerminalStatuses,
  parseTime,
  type CONFLICT_POLICIES,
} from './values.ts';
import { waitForFinish } from './wait.ts';

interface CommonFlags extends TargetFlags {
  readonly json?: boolean;
}

/** What a command does, given the opened target, its operands (ID, NAME...) and its flags. */
type Run<F> = (target: Target, operands: readonly string[], flags: F & CommonFlags) => Promise<void>;

/** Adds the target and output flags, and runs `run` against the opened target, closing it after. */
function operator<F = object>(command: Command, io: CliIo, run: Run<F>): Command {
  return command
    .option('--url <URL>', 'server to talk to (default http://127.0.0.1:7071)')
    .option('--key <KEY>', 'management key for --url (env PERDURE_KEY)')
    .option('--store <URL>', 'act on a store directly instead (sqlite:<path> or postgres://…)')
    .option('--json', 'print JSON for scripts')
    .action(async (...args: unknown[]) => {
      const operands = args.slice(0, -2) as string[];
      const flags = args[args.length - 2] as F & CommonFlags;
      await using target = await openTarget(flags, io.env);
      await run(target, operands, flags);
    });
}

export function addInstanceCommands(program: Command, io: CliIo): void {
  const instance = program
    .command('instance')
    .summary('list, inspect and act on instances')
    .description('List, inspect and act on instances.');
  addList(instance, io);
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
  addStart(instance, io);
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
  for (const operation of ['terminate', 'suspend', 'resume', 'rewind'] as const) addControl(instance, io, operation);
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
  addWait(instance, io);
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

export function addPurgeCommand(program: Command, io: CliIo): void {
  operator<{ status: RuntimeStatus[]; before: Date }>(
    program
      .command('purge')
      .summary('delete finished instances created before a time')
      .description('Delete finished instances created before a time, with their history.')
      .option('--status <S,…>', 'finished statuses to purge', parseTerminalStatuses, [...TERMINAL_STATUSES])
      .requiredOption('--before <T>', 'created before T (ISO 8601, or an age: 30m, 24h, 7d)', (text) => parseTime(text)),
    io,
    async (target, _operands, flags) => {
      const instancesDeleted = await purgeInSlices(target, { runtimeStatus: flags.status, before: flags.before }, progressBar(io.stderr));
      report(io, flags, { instancesDeleted }, `Purged ${instancesDeleted.toLocaleString('en-US')} instance(s).`);
    },
  );
}

function report(io: CliIo, flags: CommonFlags, value: Record<string, unknown>, human: string): void {
  if (flags.json) printJson(io, value);
  else io.stdout.write(`${human}\n`);
}
