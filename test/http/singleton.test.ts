/**
 * @module test/http/singleton.test
 * The singleton starter (`HttpStartSingle`) under a race: 200 concurrent
 * POSTs for one instance ID must start exactly one instance; every other
 * request gets 409 with the winner's status.
 *
 * For HelloSequence the race runs against a client-only server (workers
 * off), so the instance cannot finish, and be legitimately started again,
 * while requests are still arriving: the assertion stays exact however
 * slow the machine is. A second process with workers then runs it on the
 * same SQLite file.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request, waitForCompletion, waitForStatus } from '../helpers/http-client.ts';
import { startServer } from '../helpers/server-process.ts';

async function race(url: string, count: number, body?: unknown) {
  const responses = await Promise.all(
    Array.from({ length: count }, () => request(url, { method: 'POST', ...(body === undefined ? {} : { json: body }) })),
  );
  const accepted = responses.filter((r) => r.status === 202);
  const conflicts = responses.filter((r) => r.status === 409);
  return { responses, accepted, conflicts };
}

describe('HttpStartSingle race', () => {
  it('200 concurrent POSTs to /api/orchestrators/HelloSequence/<id>: one 202, 199 × 409, one instance', async () => {
    using dir = createTempDir('perdure-singleton-');
    const store = `sqlite:${dir.file('store.db')}`;
    writeFileSync(dir.file('client-only.config.mjs'), 'export default { workers: false };\n');
    await using front = await startServer({ store, args: ['--config', dir.file('client-only.config.mjs')] });
    const { responses, accepted, conflicts } = await race(`${front.url}/api/orchestrators/HelloSequence/the-one`, 200);

    assert.equal(accepted.length, 1, `statuses: ${JSON.stringify(responses.map((r) => r.status))}`);
    assert.equal(conflicts.length, 199);
    assert.equal(accepted[0]!.body.id, 'the-one');
    assert.equal(accepted[0]!.headers.get('location'), `${front.url}${MANAGEMENT}/instances/the-one`);
    const createdTimes = new Set(conflicts.map((r) => r.body.createdTime));
    assert.equal(createdTimes.size, 1, 'every 409 describes the same instance');
    for (const conflict of conflicts) {
      assert.equal(conflict.body.message, "An instance with ID 'the-one' already exists.");
      assert.equal(conflict.body.instanceId, 'the-one');
      assert.equal(conflict.body.name, 'HelloSequence');
      assert.equal(conflict.body.runtimeStatus, 'Pending');
    }
    const listed = await request(`${front.url}${MANAGEMENT}/instances?instanceIdPrefix=the-one`);
    assert.equal(listed.body.length, 1);
    assert.equal(listed.body[0].createdTime, [...createdTimes][0]);

    await using worker = await startServer({ store });
    const done = await waitForCompletion(worker.url, 'the-one');
    assert.deepEqual(done.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    assert.equal(done.createdTime, [...createdTimes][0], 'the instance that ran is the one the race created');
  });

  it('against a server with workers: one 202 while the instance is live, and a new start once it has finished', async () => {
    using dir = createTempDir('perdure-singleton-');
    await using server = await startServer({ store: `sqlite:${dir.file('store.db')}` });
    const url = `${server.url}/api/orchestrators/ApprovalWorkflow/approval-1`;
    const { accepted, conflicts } = await race(url, 200, { timeoutSeconds: 600 });
    assert.equal(accepted.length, 1);
    assert.equal(conflicts.length, 199);
    assert.ok(conflicts.every((r) => ['Pending', 'Running'].includes(r.body.runtimeStatus)));

    const raised = await request(`${server.url}${MANAGEMENT}/instances/approval-1/raiseEvent/Approval`, { method: 'POST', json: true });
    assert.equal(raised.status, 202);
    const first = await waitForCompletion(server.url, 'approval-1');
    assert.equal(first.output, 'approved');
    // As in Durable Functions' singleton sample, a finished instance does not block a new start.
    const again = await request(url, { method: 'POST', json: { timeoutSeconds: 600 } });
    assert.equal(again.status, 202);
    const second = await waitForStatus(server.url, 'approval-1', (s) => s.runtimeStatus === 'Running');
    assert.notEqual(second.createdTime, first.createdTime);
  });
});
