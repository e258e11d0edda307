/**
 * @module test/cli/operator.test
 * Every operator command against both targets: a real server on loopback
 * (`--url`, with a key) and the same kind of SQLite store opened directly
 * (`--store`), each with its own `perdure start` process running the
 * workers. The same assertions run for both, exit codes included; a last
 * block checks that both targets print identical JSON for one store.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { startServer, type ServerProcess } from '../helpers/server-process.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { cli, showUntil } from './operator-helpers.ts';

const TEST_APP = new URL('../http/fixtures/test-app.ts', import.meta.url).pathname;
const KEY = 'operator-cli-test-key-0123456789';
// eslint-disable-next-line no-control-regex -- an escape sequence is what colour is
const ANSI = /\u001b\[/;
const finished = (s: any) => ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus);

for (const kind of ['url', 'store'] as const) {
  describe(`perdure instance (--${kind})`, () => {
    const dir = createTempDir(`perdure-operator-${kind}-`);
    const storeUrl = `sqlite:${dir.file('store.db')}`;
    let server: ServerProcess;
    let target: string[];
    const run = (...args: string[]) => cli([...args, ...target]);

    before(async () => {
      server = await startServer({ app: TEST_APP, store: storeUrl, env: { PERDURE_MASTER_KEY: KEY } });
      target = kind === 'url' ? ['--url', server.url, '--key', KEY] : ['--store', storeUrl];
    });
    after(async () => {
      await server?.[Symbol.asyncDispose]();
      dir[Symbol.dispose]();
    });

    it('starts, waits for, shows and writes the history of an instance', async () => {
      const started = await run('instance', 'start', 'HelloSequence', '--id', 'hello', '--json');
      assert.equal(started.code, 0, started.stderr);
      assert.deepEqual(started.json(), { instanceId: 'hello', outcome: 'created' });
      const waited = await run('instance', 'wait', 'hello', '--timeout', '60', '--json');
      assert.equal(waited.code, 0, waited.stderr);
      assert.deepEqual(waited.json().output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);

      const shown = (await run('instance', 'show', 'hello', '--history', '--json')).json();
      assert.equal(shown.runtimeStatus, 'Completed');
      const completions = shown.historyEvents.filter((e: any) => e.EventType === 'TaskCompleted');
      assert.deepEqual(
        completions.map((e: any) => [e.FunctionName, e.Result]),
        [
          ['SayHello', 'Hello Tokyo!'],
          ['SayHello', 'Hello Seattle!'],
          ['SayHello', 'Hello London!'],
        ],
      );
      // `instance history` writes exactly the management API's history (results included), whatever the target.
      const history = await run('instance', 'history', 'hello');
      assert.equal(history.code, 0, history.stderr);
      const served = await request(`${server.url}${MANAGEMENT}/instances/hello?showHistory=true&showHistoryOutput=true&code=${KEY}`);
      assert.deepEqual(history.json(), served.body.historyEvents);
      assert.deepEqual(history.json(), shown.historyEvents);

      const human = await run('instance', 'show', 'hello', '--history');
      assert.match(human.stdout, /Status: +Completed/);
      assert.match(human.stdout, /TaskCompleted +SayHello +result "Hello Tokyo!"/);
      assert.doesNotMatch(human.stdout, ANSI, 'no colour when stdout is not a terminal');
    });

    it('lists with filters and a limit, as a table or JSON', async () => {
      for (const id of ['echo-1', 'echo-2', 'echo-3']) {
        assert.equal((await run('instance', 'start', 'Echo', '--id', id, '--input', `{"n":"${id}"}`)).code, 0);
      }
      for (const id of ['echo-1', 'echo-2', 'echo-3']) await showUntil(target, id, finished);
      const byPrefix = await run('instance', 'list', '--prefix', 'echo-', '--status', 'completed', '--name', 'Echo', '--json');
      assert.equal(byPrefix.code, 0, byPrefix.stderr);
      assert.deepEqual(
        byPrefix.json().map((s: any) => [s.instanceId, s.input]),
        [
          ['echo-1', { n: 'echo-1' }],
          ['echo-2', { n: 'echo-2' }],
          ['echo-3', { n: 'echo-3' }],
        ],
      );
      assert.deepEqual(
        (await run('instance', 'list', '--name', 'HelloSequence', '--json')).json().map((s: any) => s.instanceId),
        ['hello'],
      );
      assert.equal((await run('instance', 'list', '--prefix', 'echo-', '--limit', '2', '--json')).json().length, 2);
      assert.match(
        (await run('instance', 'list', '--prefix', 'echo-', '--limit', '2')).stdout,
        /echo-2 [^\n]*\n\(more instances match: raise --limit/,
      );
      assert.deepEqual((await run('instance', 'list', '--since', '2099-01-01', '--json')).json(), []);
      assert.deepEqual((await run('instance', 'list', '--status', 'Failed', '--prefix', 'echo-', '--json')).json(), []);
      const table = await run('instance', 'list', '--prefix', 'echo-');
      assert.match(table.stdout, /^INSTANCE ID +NAME +STATUS +CREATED +UPDATED\necho-1 +Echo +Completed /);
      const coloured = await cli(['instance', 'list', '--prefix', 'echo-', ...target], { tty: true });
      assert.match(coloured.stdout, new RegExp(`${ANSI.source}32mCompleted`), 'statuses are coloured on a terminal');
    });

    it('refuses a second live singleton (exit 4) unless told to use or replace it', async () => {
      assert.equal((await run('instance', 'start', 'ApprovalWorkflow', '--id', 'single')).code, 0);
      const again = await run('instance', 'start', 'ApprovalWorkflow', '--id', 'single');
      assert.equal(again.code, 4);
      assert.match(again.stderr, /^perdure: An instance with ID 'single' already exists\.\n$/);
      const existing = await run('instance', 'start', 'ApprovalWorkflow', '--id', 'single', '--on-conflict', 'use-existing', '--json');
      assert.deepEqual(existing.json(), { instanceId: 'single', outcome: 'existing' });
      const replaced = await run(
        'instance',
        'start',
        'ApprovalWorkflow',
        '--id',
        'single',
        '--on-conflict',
        'terminate-existing',
        '--json',
      );
      assert.deepEqual(replaced.json(), { instanceId: 'single', outcome: 'replaced' });
      await showUntil(target, 'single', (s) => s.runtimeStatus === 'Running');
    });

    it('raises an event with JSON data from a file', async () => {
      writeFileSync(dir.file('approval.json'), '{ "approved": true }');
      const raised = await run('instance', 'raise', 'single', 'Approval', '--data', `@${dir.file('approval.json')}`);
      assert.equal(raised.code, 0, raised.stderr);
      assert.match(raised.stdout, /Event 'Approval' raised on 'single'/);
      const done = await run('instance', 'wait', 'single', '--json');
      assert.equal(done.json().output, 'approved');
    });

    it('suspends, resumes and terminates with a reason', async () => {
      assert.equal((await run('instance', 'start', 'ApprovalWorkflow', '--id', 'ctl')).code, 0);
      await showUntil(target, 'ctl', (s) => s.runtimeStatus === 'Running');
      assert.equal((await run('instance', 'suspend', 'ctl', '--reason', 'pause')).code, 0);
      await showUntil(target, 'ctl', (s) => s.runtimeStatus === 'Suspended');
      assert.equal((await run('instance', 'resume', 'ctl')).code, 0);
      await showUntil(target, 'ctl', (s) => s.runtimeStatus === 'Running');
      const terminated = await run('instance', 'terminate', 'ctl', '--reason', 'operator said so', '--json');
      assert.deepEqual(terminated.json(), { instanceId: 'ctl', operation: 'terminate' });
      const status = await showUntil(target, 'ctl', finished);
      assert.equal(status.runtimeStatus, 'Terminated');
      assert.equal(status.output, 'operator said so');
      const late = await run('instance', 'terminate', 'ctl');
      assert.equal(late.code, 4, 'a finished instance cannot be terminated');
      assert.match(late.stderr, /Cannot terminate instance 'ctl': it is Terminated\./);
    });

    it('rewinds a failed instance and restarts a finished one', async () => {
      const flag = dir.file('fixed.flag');
      assert.equal((await run('instance', 'start', 'Rewindable', '--id', 'rw', '--input', JSON.stringify(flag))).code, 0);
      const failed = await run('instance', 'wait', 'rw', '--json');
      assert.equal(failed.code, 0, 'waiting for an instance that fails still succeeds');
      assert.equal(failed.json().runtimeStatus, 'Failed');
      assert.match((await run('instance', 'show', 'rw')).stdout, /Failure: +TaskFailedError: .*flag file/);
      writeFileSync(flag, '');
      assert.equal((await run('instance', 'rewind', 'rw', '--reason', 'fixed')).code, 0);
      assert.equal((await showUntil(target, 'rw', (s) => s.runtimeStatus === 'Completed')).output, 'recovered');
      assert.equal((await run('instance', 'rewind', 'rw')).code, 4, 'only a Failed instance can be rewound');

      const restarted = await run('instance', 'restart', 'hello', '--json');
      assert.equal(restarted.code, 0, restarted.stderr);
      const newId = restarted.json().instanceId as string;
      assert.notEqual(newId, 'hello');
      assert.equal((await run('instance', 'wait', newId, '--json')).json().runtimeStatus, 'Completed');
      assert.equal((await run('instance', 'restart', 'hello', '--same-id', '--json')).json().instanceId, 'hello');
    });

    it('answers an unknown instance with exit 3 for every command', async () => {
      for (const args of [
        ['instance', 'show', 'nobody'],
        ['instance', 'history', 'nobody'],
        ['instance', 'raise', 'nobody', 'Approval'],
        ['instance', 'terminate', 'nobody'],
        ['instance', 'suspend', 'nobody'],
        ['instance', 'resume', 'nobody'],
        ['instance', 'rewind', 'nobody'],
        ['instance', 'restart', 'nobody'],
        ['instance', 'purge', 'nobody'],
        ['instance', 'wait', 'nobody'],
      ]) {
        const result = await run(...args);
        assert.equal(result.code, 3, `${args.join(' ')}: ${result.stderr}`);
        assert.equal(result.stderr, "perdure: No instance with ID 'nobody' was found.\n");
      }
    });

    it('gives up waiting at the timeout with exit 1', async () => {
      assert.equal((await run('instance', 'start', 'ApprovalWorkflow', '--id', 'slow')).code, 0);
      const waited = await run('instance', 'wait', 'slow', '--timeout', '0.3');
      assert.equal(waited.code, 1);
      assert.match(waited.stderr, /did not complete within 300 ms/);
    });

    it('purges one instance, refusing a live one (exit 4)', async () => {
      const live = await run('instance', 'purge', 'slow');
      assert.equal(live.code, 4);
      assert.match(live.stderr, /Cannot purge instance 'slow': it is (Running|Pending)/);
      const purged = await run('instance', 'purge', 'echo-1', '--json');
      assert.deepEqual(purged.json(), { instanceId: 'echo-1', instancesDeleted: 1 });
      assert.equal((await run('instance', 'show', 'echo-1')).code, 3);
    });

    it('purges finished instances by status and age, leaving live ones', async () => {
      const purged = await run('purge', '--status', 'Completed,Terminated', '--before', '0s', '--json');
      assert.equal(purged.code, 0, purged.stderr);
      assert.ok(purged.json().instancesDeleted >= 5, purged.stdout);
      const left = (await run('instance', 'list', '--json')).json();
      assert.ok(
        left.every((s: any) => s.runtimeStatus !== 'Completed' && s.runtimeStatus !== 'Terminated'),
        JSON.stringify(left),
      );
      assert.ok(left.some((s: any) => s.instanceId === 'slow'));
      const none = await run('purge', '--before', '0s');
      assert.equal(none.code, 0);
      assert.equal(none.stdout, 'Purged 0 instance(s).\n');
    });
  });
}
