/**
 * @module test/store/contract/list-instances
 * Contract cases for listInstances: every filter, ordering by
 * (createdAt, instanceId), and keyset paging without duplicates or gaps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../model/errors.ts';
import type { InstanceQuery } from '../store.ts';
import { T0, createWithStatus, startRequest, type StoreHarness } from './fixtures.ts';

async function ids(h: StoreHarness, query: Partial<InstanceQuery>): Promise<string[]> {
  const page = await h.store.listInstances({ pageSize: 1000, ...query });
  assert.equal(page.continuationToken, undefined);
  return page.instances.map((i) => i.instanceId);
}

/** Pages through a query and returns every ID, checking that only the last page lacks a token. */
async function pageThrough(h: StoreHarness, query: Omit<InstanceQuery, 'continuationToken'>): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = await h.store.listInstances({ ...query, ...(token === undefined ? {} : { continuationToken: token }) });
    pages.push(page.instances.map((i) => i.instanceId));
    token = page.continuationToken;
    if (token !== undefined) assert.equal(page.instances.length, query.pageSize, 'a page with a token is full');
    assert.ok(pages.length < 100, 'paging must end');
  } while (token !== undefined);
  return pages;
}

export function describeListInstances(h: StoreHarness): void {
  describe('listInstances', () => {
    it('filters by status, creation time, name and ID prefix', async () => {
      await h.store.createInstances([startRequest('p1', { now: T0 + 1 }), startRequest('p2', { name: 'Other', now: T0 + 2 })]);
      await createWithStatus(
        h.store,
        [startRequest('c1', { now: T0 + 3 }), startRequest('c2', { name: 'Other', now: T0 + 4 })],
        'Completed',
      );
      await createWithStatus(h.store, [startRequest('f1', { now: T0 + 5 })], 'Failed');

      assert.deepEqual(await ids(h, {}), ['p1', 'p2', 'c1', 'c2', 'f1']);
      assert.deepEqual(await ids(h, { runtimeStatus: ['Completed'] }), ['c1', 'c2']);
      assert.deepEqual(await ids(h, { runtimeStatus: ['Failed', 'Pending'] }), ['p1', 'p2', 'f1']);
      assert.deepEqual(await ids(h, { runtimeStatus: ['Terminated'] }), []);
      assert.deepEqual(await ids(h, { runtimeStatus: [] }), ['p1', 'p2', 'c1', 'c2', 'f1'], 'an empty status list does not filter');
      assert.deepEqual(await ids(h, { createdFrom: T0 + 2, createdTo: T0 + 4 }), ['p2', 'c1'], 'from inclusive, to exclusive');
      assert.deepEqual(await ids(h, { name: 'Other' }), ['p2', 'c2']);
      assert.deepEqual(await ids(h, { name: 'Other', runtimeStatus: ['Completed'], createdFrom: T0 + 4 }), ['c2']);
      assert.deepEqual(await ids(h, { instanceIdPrefix: 'c' }), ['c1', 'c2']);
      const [record] = (await h.store.listInstances({ pageSize: 1, runtimeStatus: ['Failed'] })).instances;
      assert.deepEqual(record, await h.store.getInstance('f1'));
    });

    it('filters by last change, both bounds inclusive', async () => {
      await h.store.createInstances(['u0', 'u1', 'u2', 'u3'].map((id, i) => startRequest(id, { now: T0 + 10 * i })));
      const updated = await Promise.all(['u0', 'u1', 'u2', 'u3'].map((id) => h.store.getInstance(id)));
      assert.deepEqual(
        updated.map((r) => r?.updatedAt),
        [T0, T0 + 10, T0 + 20, T0 + 30],
      );
      assert.deepEqual(await ids(h, { updatedFrom: T0 + 10, updatedTo: T0 + 20 }), ['u1', 'u2']);
      assert.deepEqual(await ids(h, { updatedFrom: T0 + 11 }), ['u2', 'u3']);
      assert.deepEqual(await ids(h, { updatedTo: T0 + 9, instanceIdPrefix: 'u' }), ['u0']);
      assert.deepEqual(await ids(h, { updatedFrom: T0 + 31 }), []);
    });

    it('matches the ID prefix literally and case-sensitively', async () => {
      const names = ['a%1', 'ab1', 'a_2', 'ax2', 'A%3', 'a%'];
      await h.store.createInstances(names.map((id, i) => startRequest(id, { now: T0 + i })));
      assert.deepEqual(await ids(h, { instanceIdPrefix: 'a%' }), ['a%1', 'a%']);
      assert.deepEqual(await ids(h, { instanceIdPrefix: 'a_' }), ['a_2']);
      assert.deepEqual(await ids(h, { instanceIdPrefix: 'A' }), ['A%3']);
      assert.deepEqual(await ids(h, { instanceIdPrefix: 'a%1' }), ['a%1']);
      assert.deepEqual(await ids(h, { instanceIdPrefix: 'zzz' }), []);
    });

    it('leaves out entities (IDs starting with @) when asked, with any other filter and across pages', async () => {
      const all = ['@counter@a', 'o1', '@counter@b', 'o2', '@cart@x', 'o3', '@counter@c', 'o@4'];
      await h.store.createInstances(all.map((id, i) => startRequest(id, { now: T0 + i })));
      assert.deepEqual(await ids(h, {}), all, 'listed by default');
      assert.deepEqual(await ids(h, { excludeEntities: false }), all);
      assert.deepEqual(await ids(h, { excludeEntities: true }), ['o1', 'o2', 'o3', 'o@4']);
      assert.deepEqual(await ids(h, { excludeEntities: true, instanceIdPrefix: '@counter@' }), []);
      assert.deepEqual(await ids(h, { excludeEntities: true, runtimeStatus: ['Pending'], createdFrom: T0 + 2 }), ['o2', 'o3', 'o@4']);
      assert.deepEqual(await pageThrough(h, { pageSize: 2, excludeEntities: true }), [
        ['o1', 'o2'],
        ['o3', 'o@4'],
      ]);
    });

    it('orders by creation time, then ID, and pages without duplicates or gaps', async () => {
      // Several instances share a creation time, so the ID must break ties.
      const all = Array.from({ length: 25 }, (_, i) =>
        startRequest(`i-${String(24 - i).padStart(2, '0')}`, { now: T0 + Math.floor(i / 4) }),
      );
      await h.store.createInstances(all);
      const expected = [...all].sort((x, y) => x.now - y.now || (x.instanceId < y.instanceId ? -1 : 1)).map((r) => r.instanceId);
      const pages = await pageThrough(h, { pageSize: 10 });
      assert.deepEqual(
        pages.map((p) => p.length),
        [10, 10, 5],
      );
      assert.deepEqual(pages.flat(), expected);
    });

    it('pages through a multi-status filter in order', async () => {
      const make = (prefix: string, offset: number) =>
        Array.from({ length: 7 }, (_, i) => startRequest(`${prefix}${i}`, { now: T0 + i * 3 + offset }));
      await h.store.createInstances(make('p', 0));
      await createWithStatus(h.store, make('c', 1), 'Completed');
      await createWithStatus(h.store, make('f', 2), 'Failed');
      const pages = await pageThrough(h, { pageSize: 4, runtimeStatus: ['Failed', 'Completed'] });
      assert.deepEqual(
        pages.map((p) => p.length),
        [4, 4, 4, 2],
      );
      const expected = Array.from({ length: 7 }, (_, i) => [`c${i}`, `f${i}`]).flat();
      assert.deepEqual(pages.flat(), expected);
    });

    it('returns no token when the last page is exactly full, or when nothing matches', async () => {
      await h.store.createInstances(Array.from({ length: 6 }, (_, i) => startRequest(`x${i}`, { now: T0 + i })));
      assert.deepEqual(
        (await pageThrough(h, { pageSize: 3 })).map((p) => p.length),
        [3, 3],
      );
      assert.deepEqual(await h.store.listInstances({ pageSize: 3, name: 'nobody' }), { instances: [] });
    });

    it('rejects a malformed continuation token', async () => {
      for (const continuationToken of ['not a token', 'eyJmb28iOjF9', Buffer.from('[1]').toString('base64url')]) {
        await assert.rejects(
          h.store.listInstances({ pageSize: 10, continuationToken }),
          (error: unknown) => error instanceof ValidationError && error.field === 'continuationToken',
        );
      }
    });
  });
}
