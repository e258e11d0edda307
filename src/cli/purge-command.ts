/**
 * @module cli/purge-command
 * `perdure purge --status S,… --before T`: deletes finished instances
 * created before T, in slices of the creation-time range so that progress
 * can be shown and no single call runs for long.
 *
 * What must hold:
 * - Only finished instances (Completed, Failed, Terminated) are purged; the
 *   store re-checks the status in the transaction that deletes.
 * - Each slice ends just after the last instance of one listed page, so a
 *   slice holds about one page of instances however they are spread in time;
 *   the bar shows how much of the time range is done.
 * - The loop ends: a slice that deletes nothing stops it.
 */
import type { Command } from 'commander';
import { TERMINAL_STATUSES, type RuntimeStatus } from '../model/runtime-status.ts';
import type { CliIo } from './io.ts';
import { operator, report } from './operator-command.ts';
import { progressBar, type Progress } from './progress.ts';
import type { Target } from './target.ts';
import { parseTerminalStatuses, parseTime } from './values.ts';

/** Instances per slice: the management API's largest page. */
export const PURGE_SLICE = 1000;

export interface PurgeRequest {
  readonly runtimeStatus: readonly RuntimeStatus[];
  readonly before: Date;
  /** Instances per slice (default PURGE_SLICE). */
  readonly sliceSize?: number;
}

/** Returns how many instances were deleted. */
export async function purgeInSlices(target: Target, request: PurgeRequest, progress: Progress): Promise<number> {
  const { runtimeStatus, before, sliceSize = PURGE_SLICE } = request;
  const end = before.getTime();
  let deleted = 0;
  let start: number | undefined;
  for (;;) {
    const page = await target.list({ runtimeStatus, createdTo: before, pageSize: sliceSize });
    const first = page.instances[0];
    const last = page.instances[page.instances.length - 1];
    if (first === undefined || last === undefined) break;
    start ??= Date.parse(first.createdTime);
    // `createdTo` is exclusive: one millisecond past the page's last instance takes it (and any twin of the same millisecond).
    const sliceEnd = page.continuationToken ? Math.min(Date.parse(last.createdTime) + 1, end) : end;
    const count = await target.purge({ runtimeStatus, createdFrom: new Date(0), createdTo: new Date(sliceEnd) });
    deleted += count;
    progress.update(end > start ? (sliceEnd - start) / (end - start) : 1, `${deleted.toLocaleString('en-US')} purged`);
    if (!page.continuationToken || count === 0) break;
  }
  progress.done();
  return deleted;
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
