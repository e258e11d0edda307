/**
 * @module test/http/store-faults.test
 * The store's state over HTTP, against `perdure start` with the example app:
 * a full disk answers 507 and a store that cannot write makes /api/health
 * 503, both with Retry-After; and a raise retried with the same
 * Idempotency-Key is delivered once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request, waitForCompletion, waitForStatus } from '../helpers/http-client.ts';
import { startServer } from '../helpers/server-process.ts';
import { mountTmpfs } from '../helpers/tmpfs.ts';

describe('store faults over HTTP', () => {
  it('answers 507 with Retry-After on a full disk, /api/health turns 503, and both recover when space is freed', async (t) => {
    const mounted = mountTmpfs(3 * 1024 * 1024);
    if (typeof mounted === 'string') return t.skip(mounted);
    using fs = mounted;
    await using server = await startServer({ store: `sqlite:${fs.file('perdure.db')}` });
    const m = `${server.url}${MANAGEMENT}`;
    assert.equal((await request(`${server.url}/api/health`)).status, 200);

    const free = fs.fill();
    const big = 'z'.repeat(200 * 1024);
    let full;
    for (let i = 0; i < 10 && full === undefined; i++) {
      const response = await request(`${m}/orchestrators/HelloSequence`, { method: 'POST', json: big });
      if (response.status !== 202) full = response;
    }
    assert.ok(full, 'a start on a full disk failed');
    assert.equal(full.status, 507, full.text);
    assert.equal(full.body.reason, 'full');
    assert.ok(Number(full.headers.get('retry-after')) > 0);
    assert.doesNotMatch(full.text, /perdure\.db/, 'the answer does not show the server path');

    const health = await request(`${server.url}/api/health`);
    assert.equal(health.status, 503);
    assert.equal(health.body.reason, 'full');
    assert.ok(health.headers.get('retry-after'));

    free();
    const started = await request(`${m}/orchestrators/HelloSequence`, { method: 'POST' });
    assert.equal(started.status, 202, started.text);
    // A fault holds for a moment (no flapping), then a probe finds the store writable again.
    for (
      let answer = await request(`${server.url}/api/health`);
      answer.status !== 200;
      answer = await request(`${server.url}/api/health`)
    ) {
      assert.equal(answer.status, 503);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal((await waitForCompletion(server.url, started.body.id)).runtimeStatus, 'Completed');
  });

  it('delivers a raise retried with the same Idempotency-Key once, and answers 422 to another event under that key', async () => {
    using dir = createTempDir();
    await using server = await startServer({ store: `sqlite:${dir.file('perdure.db')}` });
    const m = `${server.url}${MANAGEMENT}`;
    const post = (path: string, init: RequestInit & { json?: unknown } = {}) => request(`${m}${path}`, { method: 'POST', ...init });
    assert.equal((await post('/orchestrators/ApprovalWorkflow/idem-1', { json: { timeoutSeconds: 600 } })).status, 202);
    await waitForStatus(server.url, 'idem-1', (s) => s.runtimeStatus === 'Running');

    const key = { 'idempotency-key': 'note-1' };
    assert.equal((await post('/instances/idem-1/raiseEvent/Note', { json: { n: 1 }, headers: key })).status, 202);
    assert.equal((await post('/instances/idem-1/raiseEvent/Note', { json: { n: 1 }, headers: key })).status, 202, 'a retry is 202 again');
    const other = await post('/instances/idem-1/raiseEvent/Note', { json: { n: 2 }, headers: key });
    assert.equal(other.status, 422);
    assert.match(other.body.message, /note-1/);
    assert.equal((await post('/instances/idem-1/raiseEvent/Note', { json: { n: 3 } })).status, 202, 'no key: always delivered');
    const bad = await post('/instances/idem-1/raiseEvent/Note', { json: 1, headers: { 'idempotency-key': 'x'.repeat(257) } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'eventId');

    assert.equal((await post('/instances/idem-1/raiseEvent/Approval', { json: true, headers: { 'idempotency-key': 'a' } })).status, 202);
    assert.equal((await waitForCompletion(server.url, 'idem-1')).output, 'approved');
    assert.equal(
      (await post('/instances/idem-1/raiseEvent/Approval', { json: true, headers: { 'idempotency-key': 'a' } })).status,
      202,
      'a retry after completion is still the same 202',
    );
    const status = await request(`${m}/instances/idem-1?showHistory=true`);
    // History in Durable Functions' shape: `Input` is the JSON text of the event data.
    const notes = status.body.historyEvents.filter((e: any) => e.EventType === 'EventRaised' && e.Name === 'Note');
    assert.deepEqual(
      notes.map((e: any) => JSON.parse(e.Input)),
      [{ n: 1 }, { n: 3 }],
      JSON.stringify(status.body.historyEvents),
    );
  });
});
