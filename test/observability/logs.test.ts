/**
 * Structured logs: JSON lines through pino carrying the fields of the work
 * they are about; `ctx.log` stays replay-safe; `perdure start` takes
 * `--log-format` and `--log-level`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, createHost, createPinoLogger } from '../../src/index.ts';
import { CliError } from '../../src/cli/cli-error.ts';
import { loggerFromFlags } from '../../src/cli/log-options.ts';
import { createTempDir } from '../helpers/temp-dir.ts';
import { spawnCli, startServer } from '../helpers/server-process.ts';

type Line = Record<string, unknown> & { msg: string; level: number };

function collector(): { destination: { write(line: string): void }; lines: Line[] } {
  const lines: Line[] = [];
  return { destination: { write: (line: string) => void lines.push(JSON.parse(line) as Line) }, lines };
}

const app = createApp();
const greet = app.activity('Greet', (name: string, ctx) => {
  ctx.log.warn('greeting', { audience: name }, new Error('not really'));
  return `Hello ${name}`;
});
app.orchestration('Logged', function* (ctx) {
  ctx.log.info('before the activity');
  const greeting = yield* ctx.callActivity(greet, 'Ada');
  ctx.log.info('after the activity: %s', greeting);
  return greeting;
});

describe('structured logs', () => {
  it('are JSON lines with instanceId, executionId, name and taskId; ctx.log writes once despite replays', async () => {
    using dir = createTempDir('perdure-logs-');
    const { destination, lines } = collector();
    // No session cache and no chaining: every turn replays the orchestrator from its history.
    const host = await createHost({
      app,
      store: `sqlite:${dir.file('perdure.db')}`,
      logger: createPinoLogger({ format: 'json', level: 'debug', destination }),
      orchestrations: { sessionCacheSize: 0, inlineActivityWindowMs: 0 },
    });
    try {
      await host.client.startNew('Logged', { instanceId: 'logged-1' });
      const status = await host.client.waitForCompletion('logged-1', { timeoutMs: 20_000 });
      assert.equal(status.runtimeStatus, 'Completed');
    } finally {
      await host.stop();
    }
    const executionId = lines.find((l) => l.msg === 'before the activity')?.['executionId'];
    assert.equal(typeof executionId, 'string');
    const orchestration = { instanceId: 'logged-1', executionId, name: 'Logged' };
    const of = (msg: string) => lines.filter((l) => l.msg === msg);
    assert.equal(of('before the activity').length, 1, 'not logged again on replay');
    assert.equal(of('after the activity: Hello Ada').length, 1);
    for (const line of [...of('before the activity'), ...of('after the activity: Hello Ada')]) {
      assert.deepEqual({ instanceId: line['instanceId'], executionId: line['executionId'], name: line['name'] }, orchestration);
      assert.equal(line.level, 30);
      assert.equal(typeof line['time'], 'string');
    }
    const [activity] = of('greeting');
    assert.ok(activity);
    assert.equal(activity.level, 40);
    assert.deepEqual(
      [activity['instanceId'], activity['executionId'], activity['name'], activity['taskId'], activity['audience']],
      ['logged-1', executionId, 'Greet', 0, 'Ada'],
    );
    const err = activity['err'] as { message: string; stack: string; type: string };
    assert.equal(err.message, 'not really');
    assert.match(err.stack, /^Error: not really\n\s+at /);
  });

  it('drop lines below the level', () => {
    const { destination, lines } = collector();
    const logger = createPinoLogger({ format: 'json', level: 'warn', destination });
    logger.info('quiet');
    logger.debug?.('quieter');
    logger.warn('loud', { instanceId: 'x' });
    assert.deepEqual(
      lines.map((l) => [l.msg, l['instanceId']]),
      [['loud', 'x']],
    );
  });

  it('perdure start: bad --log-format and --log-level values are refused naming the flag (the flags themselves: the process test below)', () => {
    assert.throws(
      () => loggerFromFlags({ logFormat: 'xml' }),
      (e: unknown) => e instanceof CliError && /--log-format.*json, pretty/.test(e.message),
    );
    assert.throws(
      () => loggerFromFlags({ logLevel: 'loud' }),
      (e: unknown) => e instanceof CliError && /--log-level/.test(e.message),
    );
  });

  it('perdure start --log-format json writes JSON lines on stderr; a bad --log-format exits 2', async () => {
    using dir = createTempDir('perdure-logs-cli-');
    const bad = spawnCli(['start', '--log-format', 'xml', '--store', `sqlite:${dir.file('bad.db')}`]);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr(), /--log-format/);

    const app = new URL('../http/fixtures/test-app.ts', import.meta.url).pathname;
    await using server = await startServer({
      app,
      store: `sqlite:${dir.file('perdure.db')}`,
      args: ['--log-format', 'json', '--log-level', 'debug'],
    });
    const response = await fetch(`${server.url}/api/boom`);
    assert.equal(response.status, 500);
    const deadline = Date.now() + 10_000;
    while (!server.stderr().includes('secret internal detail') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await server.stop('SIGTERM');
    const lines = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Line);
    const error = lines.find((line) => (line['err'] as { message?: string } | undefined)?.message === 'secret internal detail');
    assert.ok(error, `the 500's error is a JSON line on stderr: ${server.stderr()}`);
    assert.equal(error.level, 50);
  });
});
