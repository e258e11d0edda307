/**
 * @module test/cli/cli.test
 * The `perdure` command as a process: usage errors exit 2 with one clear
 * line (no stack), settings follow flags > env > config file > defaults,
 * startup lists the functions, and SIGTERM/SIGINT shut down cleanly with
 * exit code 0 after finishing the work in flight.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request, waitForCompletion, waitForStatus } from '../helpers/http-client.ts';
import { EXAMPLE_APP, spawnCli, startServer } from '../helpers/server-process.ts';

async function failsWith(args: string[], pattern: RegExp, options: { env?: Record<string, string>; cwd?: string; code?: number } = {}) {
  const cli = spawnCli(args, options.env, options.cwd);
  const exit = await cli.exited;
  assert.equal(exit.code, options.code ?? 2, cli.output());
  assert.match(cli.stderr(), pattern);
  assert.doesNotMatch(cli.stderr(), /\n\s+at /, 'no stack trace');
  return cli;
}

describe('perdure CLI errors', () => {
  it('exits 2 with a clear message for bad flags, commands and values', async () => {
    using dir = createTempDir('perdure-cli-');
    await failsWith(['start', EXAMPLE_APP, '--bogus'], /Unknown option '--bogus'/);
    await failsWith(['start', EXAMPLE_APP, '--port'], /--port/);
    await failsWith(['launch'], /Unknown command 'launch'/);
    await failsWith([], /Missing command/);
    await failsWith(['start', EXAMPLE_APP, '--port', 'eighty'], /--port must be an integer from 0 to 65535/);
    await failsWith(['start', EXAMPLE_APP], /PORT must be an integer/, { env: { PORT: '99999' } });
    await failsWith(['start', EXAMPLE_APP], /PERDURE_MAX_BODY_BYTES must be an integer/, { env: { PERDURE_MAX_BODY_BYTES: '-5' } });
    await failsWith(['start', EXAMPLE_APP, '--store', 'mysql://db'], /Unsupported store URL/);
    await failsWith(['start', dir.file('missing-app.ts')], /App module not found/);
    await failsWith(['start'], /No app module/, { cwd: dir.path });
  });

  it('exits 2 for a bad config file', async () => {
    using dir = createTempDir('perdure-cli-');
    writeFileSync(dir.file('typo.config.mjs'), 'export default { prot: 8080 };\n');
    await failsWith(['start', EXAMPLE_APP, '--config', dir.file('typo.config.mjs')], /Unknown key 'prot'/);
    writeFileSync(dir.file('bad-port.config.mjs'), "export default { port: 'x' };\n");
    await failsWith(['start', EXAMPLE_APP, '--config', dir.file('bad-port.config.mjs')], /port in .* must be an integer/);
    writeFileSync(dir.file('typo-inside.config.mjs'), 'export default { activities: { concurency: 5 } };\n');
    await failsWith(
      ['start', EXAMPLE_APP, '--config', dir.file('typo-inside.config.mjs')],
      /activities\.concurency in .*: is not an option/,
    );
    writeFileSync(dir.file('bad-lease.config.mjs'), 'export default { orchestrations: { leaseMs: 0 } };\n');
    await failsWith(
      ['start', EXAMPLE_APP, '--config', dir.file('bad-lease.config.mjs')],
      /orchestrations\.leaseMs in .*: must be an integer from 100/,
    );
    writeFileSync(dir.file('not-object.config.mjs'), 'export default 42;\n');
    await failsWith(['start', EXAMPLE_APP, '--config', dir.file('not-object.config.mjs')], /must export default an object/);
    await failsWith(['start', EXAMPLE_APP, '--config', dir.file('absent.config.mjs')], /Config file not found/);
  });

  it('exits 1 with a one-line message when the port is taken', async () => {
    using dir = createTempDir('perdure-cli-');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((blocker.address() as { port: number }).port);
      await failsWith(['start', EXAMPLE_APP, '--port', port, '--store', `sqlite:${dir.file('s.db')}`], /cannot listen: .*EADDRINUSE/, {
        code: 1,
      });
    } finally {
      blocker.close();
    }
  });

  it('prints usage for --help and exits 0', async () => {
    const cli = spawnCli(['--help']);
    assert.equal((await cli.exited).code, 0);
    assert.match(cli.output(), /start \[options\] \[app module\]/);
    assert.match(cli.output(), /instance/);
  });
});

describe('perdure start', () => {
  it('prints the URL, the store and every function, with methods and URLs for HTTP triggers', async () => {
    using dir = createTempDir('perdure-cli-');
    await using server = await startServer({ store: `sqlite:${dir.file('banner.db')}` });
    const out = server.output();
    assert.match(out, new RegExp(`Listening on ${server.url}`));
    assert.match(out, new RegExp(`Store: sqlite:${dir.file('banner.db')}`));
    for (const name of ['HelloSequence', 'FanOutFanIn', 'ApprovalWorkflow', 'Monitor', 'ParentWithChildren']) {
      assert.match(out, new RegExp(`\\t${name}: orchestrationTrigger`));
    }
    assert.match(out, /\tSayHello: activityTrigger/);
    assert.ok(out.includes(`\tHttpStartSingle: [POST] ${server.url}/api/orchestrators/{functionName}/{instanceId}`), out);
    assert.ok(out.includes(`\tHealth: [GET] ${server.url}/api/health`));
  });

  it('takes settings from flags over env over perdure.config.* in the working directory', async () => {
    using dir = createTempDir('perdure-cli-');
    mkdirSync(dir.file('app-dir'));
    writeFileSync(dir.file('app-dir/app.mjs'), `export { default } from ${JSON.stringify(EXAMPLE_APP)};\n`);
    writeFileSync(
      dir.file('perdure.config.mjs'),
      "export default { app: './app-dir/app.mjs', store: 'sqlite:./from-config.db', port: 1 };\n",
    );
    const env = { PERDURE_STORE: `sqlite:${dir.file('from-env.db')}` };

    // app and store from the config file and env; --port beats the config's port.
    const fromEnv = spawnCli(['start', '--port', '0'], env, dir.path);
    await waitFor(() => /Listening on/.test(fromEnv.output()), fromEnv);
    assert.match(fromEnv.output(), new RegExp(`Store: sqlite:${dir.file('from-env.db')}`));
    assert.match(fromEnv.output(), new RegExp(`Config: ${dir.file('perdure.config.mjs')}`));
    fromEnv.child.kill('SIGTERM');
    assert.equal((await fromEnv.exited).code, 0);

    // --store beats PERDURE_STORE.
    await using fromFlag = await startServer({ cwd: dir.path, env, app: './app-dir/app.mjs', store: `sqlite:${dir.file('from-flag.db')}` });
    assert.match(fromFlag.output(), new RegExp(`Store: sqlite:${dir.file('from-flag.db')}`));

    // The config's store, relative to the working directory, when nothing overrides it.
    await using fromConfig = await startServer({ cwd: dir.path, app: './app-dir/app.mjs' });
    assert.match(fromConfig.output(), new RegExp(`Store: sqlite:${dir.file('from-config.db')}`));
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops gracefully on ${signal}: exits 0, stops accepting HTTP, and the work in flight completes after a restart`, async () => {
      using dir = createTempDir('perdure-cli-');
      const store = `sqlite:${dir.file('graceful.db')}`;
      const server = await startServer({ store });
      const started = await request(`${server.url}/api/orchestrators/FanOutFanIn/graceful`, {
        method: 'POST',
        json: { n: 3, delayMs: 500 },
      });
      assert.equal(started.status, 202);
      await waitForStatus(server.url, 'graceful', (s) => s.runtimeStatus !== 'Pending');
      const exit = await server.stop(signal);
      assert.equal(exit.code, 0, server.output());
      assert.match(server.output(), /Host stopped\./);
      await assert.rejects(fetch(`${server.url}${MANAGEMENT}/instances`), 'no longer accepting HTTP');

      await using again = await startServer({ store });
      assert.equal((await waitForCompletion(again.url, 'graceful')).output, 6);
    });
  }
});

async function waitFor(condition: () => boolean, spawned: { output(): string }, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; output:\n${spawned.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
