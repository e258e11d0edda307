/**
 * @module postgres/unrunnable-names
 * Owns the look-up a host makes now and then to learn which claimable work
 * it leaves waiting because it has not registered its function (rolling
 * deploys): the distinct names of such instances, entities and tasks.
 *
 * What must hold: "claimable" means exactly what a claim would take were the
 * name registered (visible, lease free, not a suspended instance without a
 * control message), so the host warns about nothing a claim would run. As
 * the claim does, it reaches instance rows by primary key only.
 */
import type { RunnableNames } from '../store.ts';
import type { Database } from './database.ts';

type Kind = keyof RunnableNames;

const UNRUNNABLE_SQL = `
  WITH due AS MATERIALIZED (
    SELECT instance_id, bool_or(is_control) AS has_control FROM inbox WHERE visible_at <= $1 GROUP BY instance_id
  )
  SELECT DISTINCT CASE WHEN left(i.instance_id, 1) = '@' THEN 'entities' ELSE 'orchestrations' END AS kind, i.name
  FROM due d CROSS JOIN LATERAL (
    SELECT i.instance_id, i.name FROM instances i
    WHERE i.instance_id = d.instance_id AND i.lease_expires_at <= $1
      AND (d.has_control OR i.runtime_status <> 'Suspended')
      AND NOT CASE WHEN left(i.instance_id, 1) = '@' THEN i.name = ANY($3::text[]) ELSE i.name = ANY($2::text[]) END
    OFFSET 0
  ) i
  UNION
  SELECT DISTINCT 'activities', name FROM activities
  WHERE visible_at <= $1 AND lease_expires_at <= $1 AND NOT name = ANY($4::text[])`;

export async function findUnrunnableNames(db: Database, runnable: RunnableNames, now: number): Promise<RunnableNames> {
  const rows = await db.statement<{ kind: Kind; name: string }>(
    UNRUNNABLE_SQL,
    [now, runnable.orchestrations, runnable.entities, runnable.activities],
    { idempotent: true },
  );
  const found: Record<Kind, string[]> = { orchestrations: [], activities: [], entities: [] };
  for (const { kind, name } of rows) found[kind].push(name);
  for (const names of Object.values(found)) names.sort();
  return found;
}
