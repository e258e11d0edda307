/**
 * @module test/http/singleton-options.test
 * The start route's singleton options and the schedule routes, served by
 * createHttpApp in process (Hono's app.request) over a host on a SQLite file:
 * Idempotency-Key retries answer the original 202, `?onConflict=` and
 * `?reuse=` choose the policy, `?event=` signals with start, a name mismatch
 * is a 409 with the reason, and schedules are created, described, triggered
 * and deleted with the status codes the docs give.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, createManualClock } from '../../src/index.ts';
import { createHttpApp } from '../../src/http/index.ts';
import { silentLogger } from '../../src/runtime/logger.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

const BASE = 'http://127.0.0.1/runtime/webhooks/durabletask';

async function withApp(
  run: (
    call: (
      method: string,
      path: string,
      init?: { body?: unknown; headers?: Record<string, string> },
    ) => Promise<{ status: number; body: any; headers: Headers }>,
  ) => Promise<void>,
) {
  using dir = createTempDir('perdure-http-singleton-');
  const app = createApp();
  app.orchestration('Inbox', function* (ctx) {
    return yield* ctx.waitForExternalEvent('mail');
  });
  app.orchestration('Other', function* (ctx) {
    return yield* ctx.waitForExternalEvent('never');
  });
  await using host = await createHost({ app, store: `sqlite:${dir.file('s.db')}`, logger: silentLogger, clock: createManualClock() });
  const http = createHttpApp(host, { logger: silentLogger });
  await run(async (method, path, init = {}) => {
    const response = await http.request(`${BASE}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
  });
}

describe('HTTP start route: singleton options', () => {
  it('Idempotency-Key: a retry answers the original 202; another request for the live ID a 409', () =>
    withApp(async (call) => {
      const first = await call('POST', '/orchestrators/Inbox/order-1', { headers: { 'idempotency-key': 'k1' } });
      const retry = await call('POST', '/orchestrators/Inbox/order-1', { headers: { 'idempotency-key': 'k1' } });
      assert.equal(first.status, 202);
      assert.equal(retry.status, 202);
      assert.deepEqual(retry.body, first.body);
      assert.equal(first.headers.get('perdure-start-outcome'), 'created');
      assert.equal(retry.headers.get('perdure-start-outcome'), 'existing');
      const other = await call('POST', '/orchestrators/Inbox/order-1', { headers: { 'idempotency-key': 'k2' } });
      assert.equal(other.status, 409);
      assert.equal(other.body.name, 'Inbox');
    }));

  it('?onConflict=useExisting, a name mismatch (409 with reason), ?event= and a bad value (400)', () =>
    withApp(async (call) => {
      assert.equal((await call('POST', '/orchestrators/Inbox/a')).status, 202);
      const mismatch = await call('POST', '/orchestrators/Other/a?onConflict=useExisting');
      assert.equal(mismatch.status, 409);
      assert.equal(mismatch.body.reason, 'nameMismatch');
      assert.equal(mismatch.body.name, 'Inbox');
      const queued = await call('POST', '/orchestrators/Inbox/a?onConflict=queueLatest');
      assert.equal(queued.headers.get('perdure-start-outcome'), 'queued');
      const joined = await call('POST', '/orchestrators/Inbox/a?onConflict=useExisting&event=mail&eventData=%22hi%22');
      assert.equal(joined.status, 202);
      assert.equal(joined.headers.get('perdure-start-outcome'), 'existing');
      const bad = await call('POST', '/orchestrators/Inbox/b?onConflict=sometimes');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'onConflict');
      assert.equal((await call('POST', '/orchestrators/Inbox/c?reuse=Done')).status, 400);
    }));

  it('a purged ?reuse= instance leaves a tombstone: 409 reason tombstone until DELETE perdure/tombstones/{id}', () =>
    withApp(async (call) => {
      const first = await call('POST', '/orchestrators/Inbox/once?reuse=&event=mail&eventData=1');
      assert.equal(first.status, 202, JSON.stringify(first.body));
      for (let i = 0; i < 500 && (await call('GET', '/instances/once')).body.runtimeStatus !== 'Completed'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal((await call('DELETE', '/instances/once')).status, 200);
      const refused = await call('POST', '/orchestrators/Inbox/once?reuse=');
      assert.equal(refused.status, 409);
      assert.equal(refused.body.reason, 'tombstone');
      assert.equal(refused.body.runtimeStatus, 'Completed');
      assert.equal(typeof refused.body.purgedTime, 'string');
      const released = await call('DELETE', '/perdure/tombstones/once');
      assert.deepEqual([released.status, released.body.instanceId, released.body.name], [200, 'once', 'Inbox']);
      assert.equal((await call('DELETE', '/perdure/tombstones/once')).status, 404);
      assert.equal((await call('GET', '/perdure/tombstones/once')).status, 404);
      assert.equal((await call('POST', '/orchestrators/Inbox/once?reuse=')).status, 202);
    }));
});

describe('HTTP schedule routes', () => {
  it('create 201, duplicate 409, describe, trigger, pause, list, bad definition 400, delete 204, then 404', () =>
    withApp(async (call) => {
      const created = await call('POST', '/schedules/nightly', {
        body: { cron: '0 3 * * *', timeZone: 'Europe/Berlin', orchestration: 'Inbox' },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.nextFireTimes.length, 5);
      assert.equal((await call('POST', '/schedules/nightly', { body: { everyMs: 1000, orchestration: 'Inbox' } })).status, 409);
      assert.equal((await call('GET', '/schedules/nightly')).body.definition.overlap, 'skip');
      assert.equal((await call('POST', '/schedules/nightly/trigger')).status, 200);
      assert.equal((await call('POST', '/schedules/nightly/pause')).body.paused, true);
      assert.deepEqual(
        (await call('GET', '/schedules')).body.map((s: { name: string }) => s.name),
        ['nightly'],
      );
      const bad = await call('PATCH', '/schedules/nightly', { body: { overlap: 'sometimes' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'overlap');
      assert.equal((await call('DELETE', '/schedules/nightly')).status, 204);
      assert.equal((await call('GET', '/schedules/nightly')).status, 404);
    }));
});
