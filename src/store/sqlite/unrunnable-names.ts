/**
 * @module sqlite/unrunnable-names
 * Owns the look-up a host makes now and then to learn which claimable work
 * it leaves waiting because it has not registered its function (rolling
 * deploys): the distinct names of such instances, entities and tasks.
 *
 * What must hold: "claimable" means exactly what a claim would take were the
 * name registered (visible, lease free, not a suspended instance without a
 * control message), so the host warns about nothing a claim would run.
 */
import type { RunnableNames } from '../store.ts';
import type { Connection } from './database.ts';
import { RUNNABLE_INSTANCE, runnableParameters } from './orchestration-queue.ts';

type Kind = keyof RunnableNames;

export function findUnrunnableNames(connection: Connection, runnable: RunnableNames, now: number): RunnableNames {
  const rows = connection
    .statement(
      `SELECT DISTINCT CASE WHEN substr(i.instance_id, 1, 1) = '@' THEN 'entities' ELSE 'orchestrations' END AS kind, i.name AS name
       FROM inbox m INDEXED BY inbox_by_visible JOIN instances i ON i.instance_id = m.instance_id
       WHERE m.visible_at <= @now AND i.lease_expires_at <= @now
         AND (m.is_control = 1 OR i.runtime_status <> 'Suspended') AND NOT ${RUNNABLE_INSTANCE}
       UNION
       SELECT DISTINCT 'activities', name FROM activities
       WHERE visible_at <= @now AND lease_expires_at <= @now AND name NOT IN (SELECT value FROM json_each(@activities))`,
    )
    .all({ now, ...runnableParameters(runnable), activities: JSON.stringify(runnable.activities) }) as { kind: Kind; name: string }[];
  const found: Record<Kind, string[]> = { orchestrations: [], activities: [], entities: [] };
  for (const { kind, name } of rows) found[kind].push(name);
  for (const names of Object.values(found)) names.sort();
  return found;
}
