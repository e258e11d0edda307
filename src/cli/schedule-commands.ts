/**
 * @module cli/schedule-commands
 * `perdure schedule …`: list, describe, create, update, pause, unpause,
 * trigger and delete schedules, through the same `client.schedules`
 * operations as the code API and the HTTP routes (cli/schedule-target), on
 * `--url` or `--store` alike.
 *
 * What must hold:
 * - A definition flag that does not parse is a usage error naming the flag
 *   (cli/values); a definition the client refuses is its ValidationError,
 *   naming the field; both exit 2.
 * - `update` sends only the flags given; `create` needs `--orchestration`
 *   and one of `--cron` or `--every-ms` (the client says which is missing).
 */
import type { Command } from 'commander';
import type { ScheduleDescription } from '../client/schedules.ts';
import type { ScheduleOptions } from '../client/schedule-spec.ts';
import { painter, type CliIo } from './io.ts';
import { operator, report } from './operator-command.ts';
import { formatTable, printJson } from './output.ts';
import { parseJson, parsePositiveInteger } from './values.ts';
import { InvalidArgumentError } from 'commander';

interface DefinitionFlags {
  readonly cron?: string;
  readonly everyMs?: number;
  readonly timeZone?: string;
  readonly orchestration?: string;
  readonly input?: unknown;
  readonly overlap?: string;
  readonly catchupWindowMs?: number;
  readonly jitterMs?: number;
  readonly paused?: boolean;
}

export function addScheduleCommands(program: Command, io: CliIo): void {
  const schedule = program
    .command('schedule')
    .summary('list, create and operate schedules')
    .description('List, create, change and operate schedules (docs/schedules.md).');
  operator(schedule.command('list').description('List the schedules.'), io, async (target, _operands, flags) => {
    const all = await target.schedules.list();
    if (flags.json) printJson(io, all);
    else printScheduleTable(io, all);
  });
  operator(
    schedule.command('describe').description('Show a schedule: next fire times, recent actions.').argument('<NAME>'),
    io,
    async (target, [name], flags) => {
      const described = await target.schedules.describe(name!);
      if (flags.json) printJson(io, described);
      else printSchedule(io, described);
    },
  );
  addDefinitionCommand(schedule, io, 'create', 'Create a schedule (fails if the name is taken).');
  addDefinitionCommand(schedule, io, 'update', 'Change the given fields of a schedule; its firing state is kept.');
  for (const operation of ['pause', 'unpause', 'trigger'] as const) {
    operator(schedule.command(operation).description(OPERATION_HELP[operation]).argument('<NAME>'), io, async (target, [name], flags) => {
      const described = await target.schedules[operation](name!);
      if (flags.json) printJson(io, described);
      else io.stdout.write(`Schedule '${name!}' ${OPERATION_DONE[operation]}.\n`);
    });
  }
  operator(
    schedule.command('delete').description('Delete a schedule; its runs are left alone.').argument('<NAME>'),
    io,
    async (target, [name], flags) => {
      await target.schedules.delete(name!);
      report(io, flags, { name: name!, deleted: true }, `Schedule '${name!}' deleted.`);
    },
  );
}

const OPERATION_HELP = {
  pause: 'Pause a schedule (fires missed while paused are not caught up).',
  unpause: 'Unpause a schedule: it goes on from now.',
  trigger: 'Fire a schedule now, under its overlap policy (also while paused).',
} as const;

const OPERATION_DONE = { pause: 'paused', unpause: 'unpaused', trigger: 'triggered (a host starts the run on its next tick)' } as const;

function addDefinitionCommand(schedule: Command, io: CliIo, verb: 'create' | 'update', description: string): void {
  const command = schedule
    .command(verb)
    .description(description)
    .argument('<NAME>')
    .option('--cron <PATTERN>', "cron pattern, 5 fields or 6 with seconds first (e.g. '0 3 * * *')")
    .option('--every-ms <MS>', 'fixed interval in milliseconds instead of --cron', parsePositiveInteger)
    .option('--time-zone <IANA>', 'time zone of the cron pattern (default UTC)')
    .option('--orchestration <NAME>', 'the orchestration each fire starts')
    .option('--input <JSON|@file>', 'input of every run', parseJson)
    .option('--overlap <POLICY>', 'skip, bufferOne, bufferAll, cancelOther, terminateOther or allowAll (default skip)')
    .option('--catchup-window-ms <MS>', 'missed fires at most this late still start (default 60000)', parseNonNegative)
    .option('--jitter-ms <MS>', 'delay each fire by up to this much (default 0)', parseNonNegative);
  if (verb === 'create') command.option('--paused', 'create it paused');
  operator<DefinitionFlags>(command, io, async (target, [name], flags) => {
    const fields = definitionOf(flags);
    const described =
      verb === 'create' ? await target.schedules.create(name!, fields as ScheduleOptions) : await target.schedules.update(name!, fields);
    if (flags.json) printJson(io, described);
    else io.stdout.write(`Schedule '${name!}' ${verb}d; next fire ${described.nextFireTimes[0] ?? '(none: paused)'}.\n`);
  });
}

function parseNonNegative(text: string): number {
  if (!/^\d{1,12}$/.test(text.trim())) throw new InvalidArgumentError(`'${text}' is not a whole number of milliseconds.`);
  return Number(text);
}

/** The definition fields of the flags given, in the client's names. */
function definitionOf(flags: DefinitionFlags): Partial<ScheduleOptions> {
  const fields: Record<string, unknown> = {};
  const names = ['cron', 'everyMs', 'timeZone', 'orchestration', 'input', 'overlap', 'catchupWindowMs', 'jitterMs'] as const;
  for (const key of names) if (flags[key] !== undefined) fields[key] = flags[key];
  if (flags.paused === true) fields['startPaused'] = true;
  return fields;
}

function printScheduleTable(io: CliIo, schedules: readonly ScheduleDescription[]): void {
  if (schedules.length === 0) {
    io.stdout.write('No schedules.\n');
    return;
  }
  const rows = schedules.map((s) => [
    s.name,
    s.definition.cron ?? `every ${s.definition.everyMs} ms`,
    s.definition.orchestration,
    s.paused ? 'paused' : 'active',
    s.nextFireTimes[0] ?? '-',
  ]);
  io.stdout.write(`${formatTable(['NAME', 'WHEN', 'ORCHESTRATION', 'STATE', 'NEXT FIRE'], rows, painter(io))}\n`);
}

function printSchedule(io: CliIo, s: ScheduleDescription): void {
  const d = s.definition;
  const lines = [
    `Name:           ${s.name}`,
    `When:           ${d.cron === undefined ? `every ${d.everyMs} ms` : `${d.cron} (${d.timeZone})`}`,
    `Orchestration:  ${d.orchestration}`,
    `Overlap:        ${d.overlap}`,
    `State:          ${s.paused ? 'paused' : 'active'}`,
    `Running:        ${s.running ?? '-'}`,
    `Buffered:       ${s.buffered.length === 0 ? '-' : s.buffered.join(', ')}`,
    `Next fires:     ${s.nextFireTimes.length === 0 ? '-' : s.nextFireTimes.join(', ')}`,
    'Recent actions:',
    ...(s.recentActions.length === 0
      ? ['  -']
      : s.recentActions.map((a) => `  ${a.fireTime}  ${a.outcome.padEnd(8)}  ${a.instanceId}${a.detail ? `  (${a.detail})` : ''}`)),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}
