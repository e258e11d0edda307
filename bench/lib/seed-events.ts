/**
 * @module bench/lib/seed-events
 * What a seeded (pre-existing) instance looks like: the rows a real
 * completed HelloSequence leaves behind, with the same 12 history events,
 * so a large store seeded for W6 is as large, and indexed the same way, as
 * one that ran for real.
 *
 * Stores keep history in one of two layouts, and the seeders follow the
 * table they find: a row per event (column `event`), or a row per commit
 * (column `events`, a JSON array, `seq` = index of its first event).
 */
import { expectedHello, HELLO_CITIES } from './bench-app.ts';

export const SEED_HISTORY_LENGTH = 12;
/** Seeded instances are spaced this far apart in created time, all before the seeding started. */
export const SEED_SPACING_MS = 10;

export function seedInstanceId(i: number): string {
  return `seed-${String(i).padStart(7, '0')}`;
}

export function seedExecutionId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

export type HistoryLayout = 'event' | 'commit';

export interface HistoryRow {
  readonly seq: number;
  /** JSON text: one event, or the array of events one commit appended. */
  readonly text: string;
}

/** The history rows of seeded instance `i` in the given layout. */
export function seedHistoryRows(i: number, createdAt: number, layout: HistoryLayout): HistoryRow[] {
  const events = seedHistory(i, createdAt);
  if (layout === 'event') return events.map((event, seq) => ({ seq, text: JSON.stringify(event) }));
  // Each turn's commit starts with its OrchestratorStarted event.
  const rows: HistoryRow[] = [];
  let start = 0;
  for (let seq = 1; seq <= events.length; seq++) {
    if (seq === events.length || (events[seq] as { type: string }).type === 'OrchestratorStarted') {
      rows.push({ seq: start, text: JSON.stringify(events.slice(start, seq)) });
      start = seq;
    }
  }
  return rows;
}

/** The 12 events of a completed HelloSequence for input `i`, in order. */
function seedHistory(i: number, createdAt: number): object[] {
  const at = (offset: number) => new Date(createdAt + offset).toISOString();
  const events: object[] = [
    { type: 'OrchestratorStarted', timestamp: at(1) },
    { type: 'ExecutionStarted', timestamp: at(0), name: 'HelloSequence', executionId: seedExecutionId(i), input: i },
  ];
  HELLO_CITIES.forEach((city, taskId) => {
    events.push({ type: 'TaskScheduled', timestamp: at(1 + taskId * 2), taskId, name: 'SayHello', input: `${city} ${i}` });
    events.push({ type: 'OrchestratorStarted', timestamp: at(2 + taskId * 2) });
    events.push({ type: 'TaskCompleted', timestamp: at(2 + taskId * 2), taskId, result: `Hello ${city} ${i}!` });
  });
  events.push({ type: 'ExecutionCompleted', timestamp: at(8), status: 'Completed', result: expectedHello(i) });
  return events;
}
