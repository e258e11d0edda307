/**
 * @module chaos/probes/poison
 * Work that kills its host: an activity and an orchestrator turn that call
 * `process.exit`. Each time the host dies, a new `perdure start` takes over,
 * as a supervisor would restart it. Must hold: after at most `maxDeliveries`
 * deaths the instance is Failed with a PoisonedWorkError, and the host that
 * found the poison stays up.
 */
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { createHost, silentLogger } from '../../src/index.ts';
import poisonApp from '../../test/runtime/fixtures/poison-app.ts';
import { spawnCli } from '../../test/helpers/server-process.ts';
import { createTempDir } from '../../test/helpers/temp-dir.ts';
import { sleep, type Probe } from '../probe.ts';

const APP = fileURLToPath(new URL('../../test/runtime/fixtures/poison-app.ts', import.meta.url));
const MAX_DELIVERIES = 5;

export const poison: Probe = {
  name: 'poison',
  summary: `an activity and a turn that kill the host, restarted until they fail (maxDeliveries ${MAX_DELIVERIES})`,
  async run() {
    using dir = createTempDir('perdure-chaos-poison-');
    const store = `sqlite:${dir.file('perdure.db')}`;
    const config = dir.file('perdure.config.mjs');
    writeFileSync(
      config,
      `export default { maxDeliveries: ${MAX_DELIVERIES}, orchestrations: { leaseMs: 300 }, activities: { leaseMs: 300 } };\n`,
    );
    const activity = await restartUntilSettled(store, config, 'CallsExit', 'chaos-poison-activity');
    const turn = await restartUntilSettled(store, config, 'ExitsInTurn', 'chaos-poison-turn');
    return {
      probe: 'poison',
      figures: { maxDeliveries: MAX_DELIVERIES, activity, turn },
      checks: {
        'the poisoned activity failed its instance': activity.status === 'Failed' && activity.failure === 'PoisonedWorkError',
        'the poisoned turn failed its instance': turn.status === 'Failed' && turn.failure === 'PoisonedWorkError',
        'within maxDeliveries restarts': activity.deaths <= MAX_DELIVERIES && turn.deaths <= MAX_DELIVERIES,
        'the last host stayed up': activity.lastHostUp && turn.lastHostUp,
      },
    };
  },
};

async function restartUntilSettled(store: string, config: string, name: string, instanceId: string) {
  await using client = await createHost({ app: poisonApp, store, workers: false, logger: silentLogger });
  await client.client.startNew(name, { instanceId });
  let deaths = 0;
  while (deaths <= MAX_DELIVERIES + 1) {
    const host = spawnCli(['start', APP, '--port', '0', '--store', store, '--config', config]);
    let exited = false;
    void host.exited.then(() => (exited = true));
    const deadline = Date.now() + 60_000;
    while (!exited && Date.now() < deadline) {
      const instance = await client.client.getStatus(instanceId);
      if (instance && ['Failed', 'Completed', 'Terminated'].includes(instance.runtimeStatus)) {
        const lastHostUp = !exited;
        host.child.kill('SIGKILL');
        await host.exited;
        return { status: instance.runtimeStatus, failure: instance.failureDetails?.name, deaths, lastHostUp };
      }
      await sleep(50);
    }
    host.child.kill('SIGKILL');
    await host.exited;
    deaths += 1;
  }
  return { status: 'still live', failure: undefined, deaths, lastHostUp: false };
}
