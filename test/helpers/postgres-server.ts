/**
 * @module test/helpers/postgres-server
 * Restarting the real PostgreSQL test server, for tests that check what
 * happens to hosts when it goes away and comes back. The server is shared by
 * every test (and every engineer) on the machine, so:
 *
 * - restart it once, in fast mode (active transactions roll back, no
 *   waiting for clients), and only from a `*.serial.test.ts` file, which
 *   scripts/run-tests.mjs runs alone after the others;
 * - always call `ensurePostgresUp()` in a finally block: if the restart
 *   failed half-way, it starts the server again.
 *
 * The cluster is the local Debian one (`pg_ctlcluster <version> main`): the
 * version is the single directory in /etc/postgresql, unless
 * PERDURE_TEST_POSTGRES_CLUSTER says `<version>/<name>`. The tests run as
 * root (here and in CI), so pg_ctlcluster may act on it.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { adminQuery } from './postgres.ts';

const run = promisify(execFile);

function cluster(): [version: string, name: string] {
  const configured = process.env['PERDURE_TEST_POSTGRES_CLUSTER'];
  if (configured) {
    const [version, name] = configured.split('/');
    if (version && name) return [version, name];
    throw new Error(`PERDURE_TEST_POSTGRES_CLUSTER must be '<version>/<name>', e.g. '15/main' (got '${configured}')`);
  }
  let versions: string[] = [];
  try {
    versions = readdirSync('/etc/postgresql');
  } catch {
    // reported below
  }
  if (versions.length !== 1) {
    throw new Error(
      `Cannot tell which PostgreSQL cluster to restart (found ${JSON.stringify(versions)} in /etc/postgresql): ` +
        "set PERDURE_TEST_POSTGRES_CLUSTER, e.g. '15/main'.",
    );
  }
  return [versions[0]!, 'main'];
}

async function pgCtlCluster(action: 'restart' | 'start'): Promise<void> {
  const [version, name] = cluster();
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action], { timeout: 120_000 });
}

/** When the server (re)started, in epoch ms, as the server says. */
export async function postmasterStartTime(): Promise<number> {
  const [row] = await adminQuery<{ started: string }>('SELECT (extract(epoch FROM pg_postmaster_start_time()) * 1000)::text AS started');
  return Math.round(Number(row!.started));
}

/** Restarts the server (fast mode) and waits until it takes connections again. */
export async function restartPostgres(): Promise<void> {
  await pgCtlCluster('restart');
  await waitUntilReachable(60_000);
}

/** Starts the server if it is not reachable, and waits until it is. For finally blocks. */
export async function ensurePostgresUp(): Promise<void> {
  try {
    await waitUntilReachable(10_000);
    return;
  } catch {
    // Not up (a restart that failed half-way): start it.
  }
  await pgCtlCluster('start').catch(() => {}); // "already running" is fine; reachability decides
  await waitUntilReachable(60_000);
}

async function waitUntilReachable(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await adminQuery('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL is still unreachable after ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
