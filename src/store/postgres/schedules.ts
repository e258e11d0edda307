/**
 * @module postgres/schedules
 * Owns schedule rows in PostgreSQL: a definition and a firing state as JSON
 * text, and a version that makes every write a compare-and-set.
 *
 * What must hold: a write is one statement conditioned on the version the
 * writer read (0: the row must not exist), so of two hosts that read the
 * same version exactly one wins, whatever the isolation level.
 */
import type { ScheduleRecord, ScheduleWrite } from '../store.ts';
import type { Database } from './database.ts';

interface ScheduleRow {
  readonly name: string;
  readonly definition: string;
  readonly state: string;
  readonly version: number;
  readonly updated_at: number;
}

export async function listSchedules(db: Database): Promise<ScheduleRecord[]> {
  const rows = await db.statement<ScheduleRow>('SELECT * FROM schedules ORDER BY name', [], { idempotent: true });
  return rows.map((row) => ({
    name: row.name,
    definition: JSON.parse(row.definition) as unknown,
    state: JSON.parse(row.state) as unknown,
    version: Number(row.version),
    updatedAt: Number(row.updated_at),
  }));
}

export async function writeSchedule(db: Database, write: ScheduleWrite): Promise<boolean> {
  if (write.value === null) {
    const deleted = await db.statement('DELETE FROM schedules WHERE name = $1 AND version = $2 RETURNING name', [
      write.name,
      write.expectedVersion,
    ]);
    return deleted.length === 1;
  }
  const params = [write.name, JSON.stringify(write.value.definition), JSON.stringify(write.value.state), write.now];
  const rows =
    write.expectedVersion === 0
      ? await db.statement(
          `INSERT INTO schedules (name, definition, state, version, updated_at) VALUES ($1, $2, $3, 1, $4)
           ON CONFLICT (name) DO NOTHING RETURNING name`,
          params,
        )
      : await db.statement(
          `UPDATE schedules SET definition = $2, state = $3, version = version + 1, updated_at = $4
           WHERE name = $1 AND version = $5 RETURNING name`,
          [...params, write.expectedVersion],
        );
  return rows.length === 1;
}
