/**
 * @module sqlite/schedules
 * Owns schedule rows in a SQLite file: a definition and a firing state as
 * JSON text, and a version that makes every write a compare-and-set.
 *
 * What must hold: a write is applied only if the row's version equals the
 * one the writer read (0: the row must not exist), inside one write
 * transaction, so of two hosts that read the same version one wins.
 */
import type { ScheduleRecord, ScheduleWrite } from '../store.ts';
import type { Connection } from './database.ts';

interface ScheduleRow {
  readonly name: string;
  readonly definition: string;
  readonly state: string;
  readonly version: number;
  readonly updated_at: number;
}

export function listSchedules(connection: Connection): ScheduleRecord[] {
  const rows = connection.statement('SELECT * FROM schedules ORDER BY name').all() as ScheduleRow[];
  return rows.map(toScheduleRecord);
}

export function toScheduleRecord(row: ScheduleRow): ScheduleRecord {
  return {
    name: row.name,
    definition: JSON.parse(row.definition) as unknown,
    state: JSON.parse(row.state) as unknown,
    version: Number(row.version),
    updatedAt: Number(row.updated_at),
  };
}

/** Call inside a write transaction. */
export function writeSchedule(connection: Connection, write: ScheduleWrite): boolean {
  if (write.value === null) {
    return (
      connection.statement('DELETE FROM schedules WHERE name = ? AND version = ?').run(write.name, write.expectedVersion).changes === 1
    );
  }
  const params = {
    name: write.name,
    definition: JSON.stringify(write.value.definition),
    state: JSON.stringify(write.value.state),
    expected: write.expectedVersion,
    now: write.now,
  };
  const sql =
    write.expectedVersion === 0
      ? `INSERT INTO schedules (name, definition, state, version, updated_at) VALUES (@name, @definition, @state, 1, @now)
         ON CONFLICT (name) DO NOTHING`
      : `UPDATE schedules SET definition = @definition, state = @state, version = version + 1, updated_at = @now
         WHERE name = @name AND version = @expected`;
  return connection.statement(sql).run(params).changes === 1;
}
