/**
 * @module test/runtime/host-options.test
 * createHost refuses bad tuning before it opens anything: each mistake is a
 * ValidationError naming the option's path.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/model/errors.ts';
import { createApp } from '../../src/runtime/app.ts';
import { createHost, type HostOptions } from '../../src/runtime/host.ts';
import { createTempDir } from '../helpers/temp-dir.ts';

describe('host options', () => {
  it('names the bad option and opens no store', async () => {
    using dir = createTempDir('perdure-host-options-');
    const store = `sqlite:${dir.file('never.db')}`;
    const bad: [Partial<HostOptions> | Record<string, unknown>, string, RegExp][] = [
      [{ orchestrations: { batchSize: 0 } }, 'orchestrations.batchSize', /integer from 1 to 1000 \(got 0\)/],
      [{ orchestrations: { leaseMs: 1.5 } }, 'orchestrations.leaseMs', /integer/],
      [{ activities: { concurrency: '8' } }, 'activities.concurrency', /got "8"/],
      [{ activities: { concurency: 8 } }, 'activities.concurency', /is not an option \(known: concurrency, leaseMs\)/],
      [{ activities: 5 }, 'activities', /must be an object/],
      [{ maxPollIntervalMs: -1 }, 'maxPollIntervalMs', /integer/],
      [{ maxPayloadBytes: 0 }, 'maxPayloadBytes', /integer/],
      [{ workers: 'no' }, 'workers', /true or false/],
    ];
    for (const [options, field, reason] of bad) {
      await assert.rejects(createHost({ app: createApp(), store, ...options }), (error: unknown) => {
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal(error.field, field);
        assert.match(error.message, reason);
        return true;
      });
    }
    assert.equal(existsSync(dir.file('never.db')), false, 'nothing was opened');
  });

  it('accepts the edges of every range', async () => {
    using dir = createTempDir('perdure-host-options-');
    const host = await createHost({
      app: createApp(),
      store: `sqlite:${dir.file('ok.db')}`,
      orchestrations: { inlineActivityWindowMs: 0, sessionCacheSize: 0, batchSize: 1000 },
      activities: { concurrency: 1 },
      shutdownGraceMs: 0,
    });
    await host.stop();
  });
});
