/**
 * @module test/store/postgres-stale-claims.test
 * A PostgreSQL claim reads its candidates and their messages from the
 * statement's snapshot but locks the newest version of each row. If another
 * host wrote the row in between (it claimed and completed the instance, or it
 * committed late under a lease that had expired), the claim must skip the
 * row: handing it out would pass on messages already consumed, and the drain
 * turn of a completed instance would then wipe its output (W7 on 3 hosts).
 *
 * To open that window on purpose, the inbox gets many messages for instance
 * IDs that do not exist, visible only from the slow claim's clock onwards: the
 * slow claim spends its time on them after taking its snapshot, while the
 * other host's claim (at an earlier time) never sees them.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createPostgresStore } from '../../src/store/postgres/store.ts';
import type { OrchestrationWorkItem, Store } from '../../src/store/store.ts';
import { adminQuery, createTestSchema, withParam, type TestSchema } from '../helpers/postgres.ts';
import { T0, commitFor, commitOk, startRequest } from '../../src/store/contract/fixtures.ts';

const GHOSTS = 400_000;
const GHOSTS_VISIBLE_AT = T0 + 500;
const SLOW_NOW = T0 + 1_000;

interface Hosts extends AsyncDisposable {
  readonly fast: Store;
  readonly slow: Store;
  /** The slow host's connections carry this application_name, so its running claim can be seen. */
  readonly slowName: string;
}

async function openHosts(schema: TestSchema): Promise<Hosts> {
  const slowName = `${schema.name}_slow`;
  const fast = createPostgresStore({ url: schema.baseUrl, schema: schema.name, poolSize: 2 });
  const slow = createPostgresStore({ url: withParam(schema.baseUrl, 'application_name', slowName), schema: schema.name, poolSize: 2 });
  await fast.migrate();
  await slow.migrate();
  return { fast, slow, slowName, [Symbol.asyncDispose]: async () => void (await Promise.all([fast.close(), slow.close()])) };
}

async function addGhostMessages(schema: TestSchema): Promise<void> {
  await schema.query(
    `INSERT INTO inbox (instance_id, execution_id, visible_at, is_control, event)
     SELECT 'ghost-' || g, NULL, $1, false, '{}' FROM generate_series(1, $2::int) AS g`,
    [GHOSTS_VISIBLE_AT, GHOSTS],
  );
  // With statistics, the fast host's claim (at T0) reads no ghost at all.
  await schema.query('ANALYZE inbox');
}

/**
 * Starts a claim on the slow host, runs `meanwhile` once the claim's statement
 * is running (its snapshot taken), and returns what the claim handed out.
 */
async function claimAround(hosts: Hosts, meanwhile: () => Promise<void>): Promise<OrchestrationWorkItem[]> {
  let settled = false;
  const claim = hosts.slow.claimOrchestrations({ owner: 'slow', leaseMs: 60_000, limit: 10, now: SLOW_NOW });
  void claim.finally(() => (settled = true)).catch(() => {});
  for (;;) {
    const running = await adminQuery(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE '%WITH due AS%'`,
      [hosts.slowName],
    );
    if (running.length > 0) break;
    assert.equal(settled, false, 'precondition: the slow claim was seen running');
    await sleep(2);
  }
  await sleep(20);
  await meanwhile();
  assert.equal(settled, false, 'precondition: the other host committed while the slow claim still ran');
  return claim;
}

describe('PostgreSQL store: a claim never hands out a row written after its snapshot', () => {
  it('skips an instance another host claimed and completed meanwhile', async () => {
    await using schema = await createTestSchema('stale');
    await using hosts = await openHosts(schema);
    await hosts.fast.createInstances([startRequest('x')]);
    await addGhostMessages(schema);
    const items = await claimAround(hosts, async () => {
      const [item] = await hosts.fast.claimOrchestrations({ owner: 'fast', leaseMs: 60_000, limit: 10, now: T0 });
      assert.equal(item?.instanceId, 'x');
      await commitOk(hosts.fast, commitFor(item, { runtimeStatus: 'Completed', output: 'done' }));
    });
    assert.deepEqual(items, []);
    assert.equal((await hosts.fast.getInstance('x'))?.output, 'done');
  });

  it('skips an instance whose expired lease holder committed meanwhile', async () => {
    await using schema = await createTestSchema('late');
    await using hosts = await openHosts(schema);
    await hosts.fast.createInstances([startRequest('x')]);
    // The lease has expired by the slow claim's clock, but nobody took it over yet, so the holder may still commit.
    const [held] = await hosts.fast.claimOrchestrations({ owner: 'fast', leaseMs: 100, limit: 10, now: T0 });
    assert.ok(held);
    await addGhostMessages(schema);
    const items = await claimAround(hosts, () => commitOk(hosts.fast, commitFor(held, { runtimeStatus: 'Completed', output: 'done' })));
    assert.deepEqual(items, []);
    assert.equal((await hosts.fast.getInstance('x'))?.output, 'done');
  });
});
