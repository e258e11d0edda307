/**
 * @module test/cli/shutdown.test
 * A graceful shutdown answers requests that are waiting for an instance to
 * complete (start-and-wait) with the 202 check-status payload before the
 * process exits, so the caller learns its instance ID instead of getting an
 * empty reply. A real `perdure start` process and a real SIGTERM.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { startServer } from '../helpers/server-process.ts';

const TEST_APP = new URL('../http/fixtures/test-app.ts', import.meta.url).pathname;

describe('SIGTERM', () => {
  it('answers an in-flight start-and-wait with 202 and its check-status payload, then exits 0', async () => {
    using dir = createTempDir('perdure-shutdown-');
    const store = `sqlite:${dir.file('store.db')}`;
    await using server = await startServer({ app: TEST_APP, store });
    const waiting = request(`${server.url}/api/start-and-wait/WaitsForever?timeoutMs=60000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const deadline = Date.now() + 30_000;
    while ((await request(`${server.url}${MANAGEMENT}/instances?runtimeStatus=Running`)).body.length === 0) {
      assert.ok(Date.now() < deadline, 'the instance never started');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exited = server.stop('SIGTERM');
    const answer = await waiting;
    assert.equal(answer.status, 202, answer.text);
    assert.match(answer.body.id, /^[0-9a-f-]{36}$/);
    assert.equal(answer.body.statusQueryGetUri, `${server.url}${MANAGEMENT}/instances/${answer.body.id}`);
    assert.equal(answer.headers.get('location'), answer.body.statusQueryGetUri);
    assert.equal((await exited).code, 0);

    await using again = await startServer({ app: TEST_APP, store });
    const status = await request(`${again.url}${MANAGEMENT}/instances/${answer.body.id}`);
    assert.equal(status.body.runtimeStatus, 'Running', 'the instance it names exists and lives on');
  });
});
