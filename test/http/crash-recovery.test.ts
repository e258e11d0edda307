/**
 * @module test/http/crash-recovery.test
 * Kill -9 the server in the middle of work, start it again on the same
 * SQLite file, and every instance still completes with the right result:
 * fan-outs whose activities were running when the process died, and
 * approval workflows that were waiting for an event.
 *
 * Leases are shortened through a config file so the restarted server can
 * reclaim the dead one's work within seconds instead of minutes.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request, waitForCompletion, waitForStatus } from '../helpers/http-client.ts';
import { startServer } from '../helpers/server-process.ts';

const FAN_OUTS = ['crash-fan-1', 'crash-fan-2', 'crash-fan-3'];
const APPROVALS = ['crash-approval-1', 'crash-approval-2'];

describe('crash recovery', () => {
  it('completes every instance after SIGKILL and a restart on the same store', async () => {
    using dir = createTempDir('perdure-crash-');
    const store = `sqlite:${dir.file('store.db')}`;
    const config = dir.file('perdure.config.mjs');
    writeFileSync(config, 'export default { orchestrations: { leaseMs: 2000 }, activities: { leaseMs: 6000 } };\n');
    const args = ['--config', config];

    await using first = await startServer({ store, args });
    const post = (path: string, json: unknown) => request(`${first.url}${path}`, { method: 'POST', json });
    for (const id of FAN_OUTS) assert.equal((await post(`/api/orchestrators/FanOutFanIn/${id}`, { n: 6, delayMs: 3000 })).status, 202);
    for (const id of APPROVALS)
      assert.equal((await post(`/api/orchestrators/ApprovalWorkflow/${id}`, { timeoutSeconds: 600 })).status, 202);
    for (const id of [...FAN_OUTS, ...APPROVALS]) await waitForStatus(first.url, id, (s) => s.runtimeStatus === 'Running');
    const beforeKill = await request(`${first.url}${MANAGEMENT}/instances?instanceIdPrefix=crash-&runtimeStatus=Completed`);
    assert.deepEqual(beforeKill.body, [], 'nothing had finished when the server was killed');

    const exit = await first.stop('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');

    await using second = await startServer({ store, args });
    for (const id of APPROVALS) {
      const raised = await request(`${second.url}${MANAGEMENT}/instances/${id}/raiseEvent/Approval`, {
        method: 'POST',
        json: { approved: true },
      });
      assert.equal(raised.status, 202);
    }
    for (const id of FAN_OUTS) {
      const status = await waitForCompletion(second.url, id, 120_000);
      assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
      assert.equal(status.output, 21);
    }
    for (const id of APPROVALS) assert.equal((await waitForCompletion(second.url, id, 120_000)).output, 'approved');
  });
});
