/**
 * @module test/http/connections.test
 * Connection-level limits and noise: an aborted upload is a debug line,
 * not an error with a stack (19,900 aborts once gave 99,556 log lines);
 * connections past `maxConnections` are refused while the ones open keep
 * working; a client that never finishes its headers is cut off after
 * `headersTimeoutMs`.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTempDir } from '../helpers/temp-dir.ts';
import { MANAGEMENT, request } from '../helpers/http-client.ts';
import { startServer, spawnCli, EXAMPLE_APP, type ServerProcess } from '../helpers/server-process.ts';

const dir = createTempDir('perdure-connections-');
let server: ServerProcess;

before(async () => {
  server = await startServer({
    store: `sqlite:${dir.file('store.db')}`,
    env: {
      PERDURE_LOG_LEVEL: 'debug',
      PERDURE_MAX_CONNECTIONS: '4',
      PERDURE_HEADERS_TIMEOUT_MS: '1000',
      PERDURE_REQUEST_TIMEOUT_MS: '2000',
    },
  });
});
after(async () => {
  await server?.[Symbol.asyncDispose]();
  dir[Symbol.dispose]();
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the server closes the socket, with whatever it sent first. */
function closedByServer(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => {});
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('connections', () => {
  it('logs aborted uploads at debug level, without an error or a stack', async () => {
    const port = Number(new URL(server.url).port);
    const paths = ['/api/orchestrators/HelloSequence/abort-1', `${MANAGEMENT}/orchestrators/HelloSequence/abort-2`];
    for (let i = 0; i < 20; i++) {
      const socket = await open(port);
      const closed = closedByServer(socket);
      socket.write(
        `POST ${paths[i % 2]} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[1,`,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.destroy();
      await closed;
    }
    await waitFor(() => (server.output().match(/client went away/g) ?? []).length === 20, '20 debug lines');
    assert.doesNotMatch(server.stderr(), /Unhandled error|Error: aborted|\n\s+at /);
    assert.equal((await request(`${server.url}/api/health`)).status, 200);
  });

  it('refuses connections past maxConnections, and serves again once they close', async () => {
    const port = Number(new URL(server.url).port);
    const held = await Promise.all([0, 1, 2, 3].map(() => open(port)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const extra = await open(port);
    const extraAnswer = closedByServer(extra);
    extra.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(await extraAnswer, '', 'the fifth connection is closed without an answer');
    for (const socket of held) socket.destroy();
    await waitFor(() => held.every((socket) => socket.destroyed), 'sockets closed');
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await request(`${server.url}/api/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, 200);
  });

  it('cuts off a client that never finishes its headers (headersTimeoutMs)', async () => {
    const socket = await open(Number(new URL(server.url).port));
    const answer = closedByServer(socket);
    socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // no blank line: the headers never end
    assert.match(await answer, /^HTTP\/1\.1 408/);
  });

  it('refuses out-of-range limits before starting, naming the setting', async () => {
    for (const [env, message] of [
      [{ PERDURE_MAX_CONNECTIONS: '0' }, /maxConnections: must be an integer from 1/],
      [{ PERDURE_REQUEST_TIMEOUT_MS: '5000', PERDURE_HEADERS_TIMEOUT_MS: '6000' }, /headersTimeoutMs: must not exceed requestTimeoutMs/],
      [{ PERDURE_REQUEST_TIMEOUT_MS: 'soon' }, /PERDURE_REQUEST_TIMEOUT_MS must be a whole number/],
    ] as const) {
      const cli = spawnCli(['start', EXAMPLE_APP, '--port', '0', '--store', `sqlite:${dir.file('never.db')}`], env);
      assert.equal((await cli.exited).code, 2, JSON.stringify(env));
      assert.match(cli.stderr(), message);
    }
  });
});
