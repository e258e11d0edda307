/**
 * @module chaos/probes/read-only
 * A store that cannot be written: a SQLite file on a tmpfs remounted
 * read-only. Must hold: `perdure start` refuses to start with one line
 * naming the file and exit code 1, and the file is left as it was.
 * Skipped, with the reason, where a tmpfs cannot be mounted.
 */
import { readFileSync } from 'node:fs';
import { EXAMPLE_APP, spawnCli, startServer } from '../../test/helpers/server-process.ts';
import { request, waitForCompletion } from '../../test/helpers/http-client.ts';
import { mountTmpfs } from '../../test/helpers/tmpfs.ts';
import { skipped, type Probe } from '../probe.ts';

export const readOnly: Probe = {
  name: 'read-only',
  summary: 'perdure start on a store that is read-only',
  async run() {
    const mounted = mountTmpfs(4 * 1024 * 1024);
    if (typeof mounted === 'string') return skipped('read-only', mounted);
    using fs = mounted;
    const path = fs.file('perdure.db');
    {
      await using server = await startServer({ store: `sqlite:${path}` });
      await request(`${server.url}/api/orchestrators/HelloSequence/kept`, { method: 'POST' });
      await waitForCompletion(server.url, 'kept');
      await server.stop('SIGTERM');
    }
    fs.readOnly();
    const bytesBefore = readFileSync(path);
    const cli = spawnCli(['start', EXAMPLE_APP, '--port', '0', '--store', `sqlite:${path}`]);
    const exit = await cli.exited;
    const lines = cli.stderr().trim().split('\n');
    return {
      probe: 'read-only',
      figures: { exitCode: exit.code, message: lines[0] ?? '' },
      checks: {
        'refuses to start, exit code 1': exit.code === 1,
        'one line naming the file': lines.length === 1 && (lines[0] ?? '').includes(path),
        'the file is unchanged': readFileSync(path).equals(bytesBefore),
      },
    };
  },
};
