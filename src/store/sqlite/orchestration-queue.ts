/**
 * @module sqlite/orchestration-queue
 * Owns leasing orchestration instances that have visible inbox messages, and
 * handing leases back. (Committing a turn lives in orchestration-commit.ts.)
 *
 * What must hold:
 * - A claim takes only instances whose lease is free or expired, and every
 *   claim bumps lease_token: the token is the fence that commit checks, so a
 *   worker whose lease expired and was taken over cannot commit any more.
 * - Every claim also counts a delivery of the pending turn (deliveries, reset
 *   by a commit), in the same transaction, before any code runs the turn.
 * - A suspended instance is claimed only for control messages, and is handed
 *   nothing else.
 * - The candidate scan reads only the visible slice of inbox_by_visible (a
 *   covering index), so its cost follows the number of visible messages, not
 *   the number of future timers or of (mostly finished) instances. INDEXED BY
 *   pins that plan: without ANALYZE statistics SQLite prefers the
 *   per-instance index for the GROUP BY and would scan the whole inbox.
 * - With `runnable`, an instance the host cannot run (its name, or its
 *   entity name, is not registered there) is no candidate: it stays as it
 *   is, for a host that can. The name is read from the instance row the
 *   join already reads by key, so the filter adds no scan.
 */
import type { ClaimOptions, OrchestrationWorkItem } from '../store.ts';
import { toInboxMessage, type InboxRow, type InstanceRow } from './codec.ts';
import type { Connection } from './database.ts';

/** At most this many messages are handed out per work item; the rest wait for the next turn. */
export const MAX_MESSAGES_PER_ITEM = 1000;

type LeasedRow = Pick<InstanceRow, 'name' | 'execution_id' | 'runtime_status' | 'history_length' | 'lease_token' | 'deliveries'>;

export function claimOrchestrations(connection: Connection, options: ClaimOptions): OrchestrationWorkItem[] {
  if (options.limit < 1) return [];
  return connection.write(() => {
    const ids = connection
      .statement(
        `SELECT m.instance_id FROM inbox m INDEXED BY inbox_by_visible JOIN instances i ON i.instance_id = m.instance_id
         WHERE m.visible_at <= @now AND i.lease_expires_at <= @now
           AND (m.is_control = 1 OR i.runtime_status <> 'Suspended')
           AND ${RUNNABLE_INSTANCE}
         GROUP BY m.instance_id
         ORDER BY MIN(m.id)
         LIMIT @limit`,
      )
      .pluck()
      .all({ now: options.now, limit: options.limit, ...runnableParameters(options.runnable) }) as string[];
    return ids.map((instanceId) => leaseInstance(connection, instanceId, options));
  });
}

/**
 * Whether instance `i` is one the claiming host can run. The IN lists are
 * uncorrelated subqueries, so SQLite builds each once per statement; a NULL
 * list (no filter) lets every instance through.
 */
export const RUNNABLE_INSTANCE = `(@orchestrations IS NULL OR CASE WHEN substr(i.instance_id, 1, 1) = '@'
  THEN i.name IN (SELECT value FROM json_each(@entities)) ELSE i.name IN (SELECT value FROM json_each(@orchestrations)) END)`;

/** The parameters of RUNNABLE_INSTANCE (and of the activity filter) for a claim's `runnable`. */
export function runnableParameters(runnable: ClaimOptions['runnable']): Record<string, string | null> {
  if (runnable === undefined) return { orchestrations: null, entities: null };
  return { orchestrations: JSON.stringify(runnable.orchestrations), entities: JSON.stringify(runnable.entities) };
}

function leaseInstance(connection: Connection, instanceId: string, options: ClaimOptions): OrchestrationWorkItem {
  const row = connection
    .statement(
      `UPDATE instances SET lease_owner = @owner, lease_expires_at = @expiresAt, lease_token = lease_token + 1,
         deliveries = deliveries + 1
       WHERE instance_id = @instanceId
       RETURNING name, execution_id, runtime_status, history_length, lease_token, deliveries`,
    )
    .get({ owner: options.owner, expiresAt: options.now + options.leaseMs, instanceId }) as LeasedRow;
  const messages = connection
    .statement(
      `SELECT id, execution_id, event FROM inbox
       WHERE instance_id = @instanceId AND visible_at <= @now AND (@controlOnly = 0 OR is_control = 1)
       ORDER BY id
       LIMIT ${MAX_MESSAGES_PER_ITEM}`,
    )
    .all({ instanceId, now: options.now, controlOnly: row.runtime_status === 'Suspended' ? 1 : 0 }) as InboxRow[];
  return {
    instanceId,
    name: row.name,
    executionId: row.execution_id,
    runtimeStatus: row.runtime_status,
    historyLength: row.history_length,
    leaseToken: row.lease_token,
    deliveries: row.deliveries,
    messages: messages.map(toInboxMessage),
  };
}

export function abandonOrchestrations(
  connection: Connection,
  items: readonly Pick<OrchestrationWorkItem, 'instanceId' | 'leaseToken'>[],
  delivered: boolean,
  retryAt: number,
): void {
  if (items.length === 0) return;
  connection.write(() => {
    // A turn that never ran gives its delivery back; one that ran and was stopped keeps it counted.
    // An unowned lease that expires at `retryAt` is what keeps a handed-back turn from claims until then.
    const release = connection.statement(
      `UPDATE instances SET lease_owner = NULL, lease_expires_at = @retryAt,
         deliveries = CASE WHEN @delivered = 1 THEN deliveries ELSE MAX(deliveries - 1, 0) END
       WHERE instance_id = @instanceId AND lease_token = @leaseToken`,
    );
    for (const { instanceId, leaseToken } of items) release.run({ instanceId, leaseToken, delivered: delivered ? 1 : 0, retryAt });
  });
}
