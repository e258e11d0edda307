/**
 * @module postgres/orchestration-queue
 * Owns leasing orchestration instances that have visible inbox messages, and
 * handing leases back. (Committing a turn lives in orchestration-commit.ts.)
 *
 * What must hold:
 * - A claim is one statement: pick candidates, lock them with FOR NO KEY UPDATE
 *   SKIP LOCKED, lease them, and read their messages. SKIP LOCKED means
 *   hosts claiming at once never wait for each other.
 * - A claim hands out an instance only in the state its statement's snapshot
 *   saw. The candidates and the messages are read from that snapshot, but
 *   the lock reaches the newest version of the row, and another host may
 *   have claimed and committed the instance in between (consuming those very
 *   messages, perhaps completing it), or a host whose lease had expired may
 *   have committed late. So the lock requires the newest version to be the
 *   one the snapshot saw (same xmin: nobody wrote the row since), besides
 *   `lease_expires_at <= now`; PostgreSQL re-checks both on the newest
 *   version. A row written since is skipped, and the next claim sees it as
 *   it is now. Without this, a claim handed out a just-completed instance
 *   with its consumed ExecutionStarted, and the drain turn that followed
 *   wiped its output (W7, 3 hosts).
 * - Every claim bumps lease_token: the token is the fence that commit checks,
 *   so a worker whose lease expired and was taken over cannot commit any more.
 *   It also counts a delivery of the pending turn (deliveries, reset by a
 *   commit) in the same statement, before any code runs the turn.
 * - A suspended instance is claimed only for control messages, and is handed
 *   nothing else.
 * - Candidates are ordered by their oldest visible message, so the instance
 *   that has waited longest goes first. (A suspended instance is ordered by
 *   its oldest visible message of any kind, not only control ones.)
 * - With `runnable`, an instance the host cannot run (its name, or its
 *   entity name, is not registered there) is no candidate and is left as it
 *   is. The name is read in the primary-key probe the claim makes anyway, so
 *   the filter costs no extra scan; an instance's name changes only with a
 *   write to its row, which the xmin check already catches.
 */
import type { RuntimeStatus } from '../../model/runtime-status.ts';
import type { ClaimOptions, OrchestrationWorkItem } from '../store.ts';
import { toInboxMessage } from './codec.ts';
import type { Database } from './database.ts';
import { ORCHESTRATION_WORK } from './notifications.ts';

/** At most this many messages are handed out per work item; the rest wait for the next turn. */
export const MAX_MESSAGES_PER_ITEM = 1000;
/**
 * Candidates considered per wanted item: hosts claiming at the same moment see
 * the same oldest candidates and skip each other's locked rows, so look further.
 */
const CANDIDATE_FACTOR = 2;

interface ClaimRow {
  readonly instance_id: string;
  readonly name: string;
  readonly execution_id: string;
  readonly runtime_status: RuntimeStatus;
  readonly history_length: number;
  readonly lease_token: number;
  readonly deliveries: number;
  readonly message_id: number | null;
  readonly message_execution_id: string | null;
  readonly event: string | null;
}

/**
 * Every step reaches instance rows by primary key, never by a scan of the
 * instances table, whatever the planner's statistics say: the table holds
 * every finished instance, while the visible messages are few. Without the
 * LATERAL probe and the `= ANY(ARRAY(...))` conditions PostgreSQL prefers a
 * hash join over all instances (tested: 90 ms per claim at 200,000 rows).
 * Candidates are probed in message order and the probing stops once enough
 * are found, so a claim reads the visible messages once and probes only
 * about `limit` instances (plus those leased right now).
 */
const CLAIM_SQL = `
  WITH due AS MATERIALIZED (
    SELECT instance_id, MIN(id) AS first_id, bool_or(is_control) AS has_control
    FROM inbox WHERE visible_at <= $1
    GROUP BY instance_id
  ), candidates AS MATERIALIZED (
    SELECT d.instance_id, d.first_id, eligible.seen_xmin
    FROM (SELECT instance_id, first_id, has_control FROM due ORDER BY first_id) d
    CROSS JOIN LATERAL (
      SELECT i.xmin AS seen_xmin FROM instances i
      WHERE i.instance_id = d.instance_id AND i.lease_expires_at <= $1
        AND (d.has_control OR i.runtime_status <> 'Suspended')
        AND ($5::text[] IS NULL OR CASE WHEN left(i.instance_id, 1) = '@' THEN i.name = ANY($6::text[]) ELSE i.name = ANY($5::text[]) END)
      OFFSET 0
    ) eligible
    ORDER BY d.first_id
    LIMIT $2::int * ${CANDIDATE_FACTOR}
  ), picked AS (
    -- When the lock finds the row written after the snapshot, both conditions
    -- on i are re-checked on the newest version: "i.xmin = c.seen_xmin" then
    -- fails, so the row is skipped rather than handed out with stale messages.
    SELECT i.instance_id, c.first_id
    FROM instances i JOIN candidates c ON c.instance_id = i.instance_id
    WHERE i.instance_id = ANY(ARRAY(SELECT instance_id FROM candidates))
      AND i.lease_expires_at <= $1 AND i.xmin = c.seen_xmin
    ORDER BY c.first_id
    LIMIT $2
    FOR NO KEY UPDATE OF i SKIP LOCKED
  ), leased AS (
    UPDATE instances i SET lease_owner = $3, lease_expires_at = $4, lease_token = i.lease_token + 1,
      deliveries = i.deliveries + 1
    FROM picked
    WHERE i.instance_id = ANY(ARRAY(SELECT instance_id FROM picked)) AND i.instance_id = picked.instance_id
    RETURNING i.instance_id, i.name, i.execution_id, i.runtime_status, i.history_length, i.lease_token, i.deliveries,
      picked.first_id
  )
  SELECT l.instance_id, l.name, l.execution_id, l.runtime_status, l.history_length, l.lease_token, l.deliveries,
         m.id AS message_id, m.execution_id AS message_execution_id, m.event
  FROM leased l
  LEFT JOIN LATERAL (
    -- "+ 0" keeps visible_at out of the index search: an instance has few
    -- messages, so walking inbox_by_instance in id order is always right,
    -- while a bitmap over inbox_by_visible (chosen without statistics)
    -- would read every visible message once per claimed instance.
    SELECT id, execution_id, event FROM inbox
    WHERE inbox.instance_id = l.instance_id AND inbox.visible_at + 0 <= $1
      AND (inbox.is_control OR l.runtime_status <> 'Suspended')
    ORDER BY id
    LIMIT ${MAX_MESSAGES_PER_ITEM}
  ) m ON true
  ORDER BY l.first_id, m.id`;

export async function claimOrchestrations(db: Database, options: ClaimOptions): Promise<OrchestrationWorkItem[]> {
  if (options.limit < 1) return [];
  // Not idempotent, but safe to repeat: a lease lost with a broken connection just expires.
  const { now, limit, owner, leaseMs, runnable } = options;
  const names = [runnable?.orchestrations ?? null, runnable?.entities ?? null];
  const rows = await db.statement<ClaimRow>(CLAIM_SQL, [now, limit, owner, now + leaseMs, ...names], {
    idempotent: true,
    prepare: true,
  });
  return groupItems(rows);
}

/** One row per message (ordered by instance, then message) → one item per instance. */
function groupItems(rows: readonly ClaimRow[]): OrchestrationWorkItem[] {
  const items: OrchestrationWorkItem[] = [];
  let current: (OrchestrationWorkItem & { messages: OrchestrationWorkItem['messages'][number][] }) | undefined;
  for (const row of rows) {
    if (current?.instanceId !== row.instance_id) {
      current = {
        instanceId: row.instance_id,
        name: row.name,
        executionId: row.execution_id,
        runtimeStatus: row.runtime_status,
        historyLength: row.history_length,
        leaseToken: row.lease_token,
        deliveries: row.deliveries,
        messages: [],
      };
      items.push(current);
    }
    if (row.message_id !== null) current.messages.push(toInboxMessage(row.message_id, row.message_execution_id, row.event!));
  }
  return items;
}

export async function abandonOrchestrations(
  db: Database,
  items: readonly Pick<OrchestrationWorkItem, 'instanceId' | 'leaseToken'>[],
  delivered: boolean,
  channel: string,
  retryAt: number,
): Promise<void> {
  if (items.length === 0) return;
  // Other hosts may take the work over at once, so wake them. A turn that never ran gives its
  // delivery back; one that ran and was stopped keeps it counted.
  await db.statement(
    `WITH released AS (
       UPDATE instances i SET lease_owner = NULL, lease_expires_at = $5,
         deliveries = CASE WHEN $4::boolean THEN i.deliveries ELSE GREATEST(i.deliveries - 1, 0) END
       FROM unnest($1::text[], $2::bigint[]) AS a(instance_id, lease_token)
       WHERE i.instance_id = a.instance_id AND i.lease_token = a.lease_token
       RETURNING 1
     )
     SELECT pg_notify($3, '${ORCHESTRATION_WORK}') FROM (SELECT 1 FROM released LIMIT 1) AS any_released`,
    [items.map((item) => item.instanceId), items.map((item) => item.leaseToken), channel, delivered, retryAt],
    { idempotent: true },
  );
}
