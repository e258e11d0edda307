/**
 * @module examples/orchestrations.test
 * The samples' orchestration logic, tested as a user would with
 * `perdure/testing`: a test environment whose clock skips ahead when every
 * instance waits on a timer (an hour-long approval deadline, a monitor's
 * polling interval), activity mocks, single decisions without a store, and
 * a replay check that the histories these runs export still replay.
 * examples/app.test.ts drives the same samples over HTTP through the server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertReplays, createTestEnvironment, runOrchestrator } from 'perdure/testing';
import app from './app.ts';
import { fanOutWork } from './fan-out-fan-in.ts';
import { checkJobStatus } from './monitor.ts';

const HOUR = 3_600_000;

describe('sample orchestrations, with perdure/testing', () => {
  it('HelloSequence greets three cities in order', async () => {
    await using env = await createTestEnvironment({ app });
    const { instanceId } = await env.client.startNew('HelloSequence');
    const status = await env.client.waitForCompletion(instanceId);
    assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it("HelloSequence's first decision is to greet Tokyo", () => {
    assert.deepEqual(runOrchestrator(app, 'HelloSequence').actions, [
      { kind: 'ScheduleActivity', taskId: 0, name: 'SayHello', input: 'Tokyo' },
    ]);
  });

  it('FanOutFanIn sums its parallel activities, here mocked so a slow batch takes no time', async () => {
    await using env = await createTestEnvironment({ app });
    const seen: number[] = [];
    env.mockActivity(fanOutWork, ({ index }) => {
      seen.push(index);
      return index * 100;
    });
    const { instanceId } = await env.client.startNew('FanOutFanIn', { input: { n: 20, delayMs: 60_000 } });
    assert.equal((await env.client.waitForCompletion(instanceId)).output, 21_000);
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('ApprovalWorkflow is decided by the event when it comes before the deadline', async () => {
    await using env = await createTestEnvironment({ app });
    for (const [id, payload, outcome] of [
      ['yes', { approved: true }, 'approved'],
      ['bool', true, 'approved'],
      ['no', { approved: false }, 'rejected'],
    ] as const) {
      await env.client.startNew('ApprovalWorkflow', { instanceId: id, input: { timeoutSeconds: 72 * 3600 } });
      await env.client.raiseEvent(id, 'Approval', payload);
      const status = await env.client.waitForCompletion(id);
      assert.equal(status.output, outcome);
    }
    assert.ok(env.clock.now() - Date.UTC(2030, 0, 1) < 72 * HOUR, 'no deadline was reached: the cancelled timers held nothing open');
  });

  it('ApprovalWorkflow times out after its hour when no event comes', async () => {
    await using env = await createTestEnvironment({ app });
    const { instanceId } = await env.client.startNew('ApprovalWorkflow');
    const status = await env.client.waitForCompletion(instanceId);
    assert.equal(status.output, 'timed out');
    assert.equal(Date.parse(status.lastUpdatedTime) - Date.parse(status.createdTime), HOUR);
  });

  it('Monitor polls every minute and restarts itself with continueAsNew until the job is done', async () => {
    await using env = await createTestEnvironment({ app });
    const { instanceId } = await env.client.startNew('Monitor', { input: { checksUntilDone: 5 } });
    const status = await env.client.waitForCompletion(instanceId);
    assert.deepEqual(status.output, { status: 'done', checks: 5 });
    assert.deepEqual(status.customStatus, { checks: 5, state: 'done' });
    assert.equal(Date.parse(status.lastUpdatedTime) - Date.parse(status.createdTime), 4 * 60_000, 'four one-minute sleeps');
    const history = await env.client.getHistory(instanceId);
    assert.equal(history.filter((e) => e.type === 'TaskCompleted').length, 1, 'history was reset: one poll in this execution');
  });

  it('Monitor expires after an hour of a job that never finishes', async () => {
    await using env = await createTestEnvironment({ app });
    env.mockActivity(checkJobStatus, () => 'running');
    const { instanceId } = await env.client.startNew('Monitor', { input: { checksUntilDone: 1 } });
    assert.deepEqual((await env.client.waitForCompletion(instanceId)).output, { status: 'expired', checks: 60 });
  });

  it('ParentWithChildren aggregates its sub-orchestrations, each under its own ID', async () => {
    await using env = await createTestEnvironment({ app });
    await env.client.startNew('ParentWithChildren', { instanceId: 'parent-1', input: { cities: ['Oslo', 'Lima'] } });
    const status = await env.client.waitForCompletion('parent-1');
    assert.deepEqual(status.output, {
      count: 2,
      greetings: ['Hello Oslo!', 'Hello Lima!'],
      childInstanceIds: ['parent-1-child-0', 'parent-1-child-1'],
    });
    assert.deepEqual((await env.client.getStatus('parent-1-child-1'))?.output, { city: 'Lima', greeting: 'Hello Lima!' });
  });

  it("every sample's exported history replays with today's code", async () => {
    await using env = await createTestEnvironment({ app });
    const runs = [
      ['HelloSequence', undefined],
      ['FanOutFanIn', 5],
      ['ApprovalWorkflow', { timeoutSeconds: 60 }],
      ['Monitor', { checksUntilDone: 2 }],
      ['ParentWithChildren', undefined],
    ] as const;
    const histories = [];
    for (const [name, input] of runs) {
      const { instanceId } = await env.client.startNew(name, input === undefined ? {} : { input });
      await env.client.waitForCompletion(instanceId);
      histories.push(await env.client.getHistory(instanceId));
    }
    const results = await assertReplays(app, histories);
    assert.deepEqual(
      results.map((r) => r.status),
      ['Completed', 'Completed', 'Completed', 'Completed', 'Completed'],
    );
  });
});
