/**
 * @module cli/store-target
 * The `--store` target: a durable client straight on the store
 * (runtime/store-client), with no app and no workers.
 *
 * What must hold:
 * - Statuses take the management API's shape (client/df-status), failure
 *   stacks cut to file names as the server serves them, so both targets print the same.
 * - The store is closed when the command ends.
 */
import { toStatusBody } from '../client/df-status.ts';
import { InstanceNotFoundError } from '../model/errors.ts';
import type { OrchestrationStatus } from '../model/instance.ts';
import { openStoreClient } from '../runtime/store-client.ts';
import { storeScheduleTarget } from './schedule-target.ts';
import type { StatusBody, Target } from './target.ts';

export async function openStoreTarget(url: string): Promise<Target> {
  const opened = await openStoreClient(url);
  const { client } = opened;
  const body = (status: OrchestrationStatus, history = false) =>
    toStatusBody(client.forHttp(status), { showHistory: history, showHistoryOutput: true, showInput: true }) as StatusBody;
  return {
    async list(query) {
      const page = await client.listInstances({
        pageSize: query.pageSize,
        showInput: true,
        ...(query.runtimeStatus ? { runtimeStatus: query.runtimeStatus } : {}),
        ...(query.name === undefined ? {} : { name: query.name }),
        ...(query.instanceIdPrefix === undefined ? {} : { instanceIdPrefix: query.instanceIdPrefix }),
        ...(query.createdFrom ? { createdTimeFrom: query.createdFrom } : {}),
        ...(query.createdTo ? { createdTimeTo: query.createdTo } : {}),
        ...(query.continuationToken ? { continuationToken: query.continuationToken } : {}),
      });
      const instances = page.instances.map((status) => body(status));
      return { instances, ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
    },
    async status(instanceId, history) {
      const status = await client.getStatus(instanceId, { showHistory: history, showHistoryOutput: true, showInput: true });
      if (!status) throw new InstanceNotFoundError(instanceId);
      return body(status, history);
    },
    async start({ name, instanceId, input, onConflict }) {
      const started = await client.startNew(name, { input, onConflict, ...(instanceId === undefined ? {} : { instanceId }) });
      return { instanceId: started.instanceId, outcome: started.outcome };
    },
    raise: (instanceId, eventName, data) => client.raiseEvent(instanceId, eventName, data),
    control: (instanceId, operation, reason) => client[operation](instanceId, reason),
    async restart(instanceId, sameId) {
      return { instanceId: (await client.restart(instanceId, { newInstanceId: !sameId })).instanceId };
    },
    async purgeInstance(instanceId) {
      return (await client.purgeInstanceHistory(instanceId)).instancesDeleted;
    },
    async purge({ runtimeStatus, createdFrom, createdTo }) {
      return (await client.purgeInstances({ runtimeStatus, createdTimeFrom: createdFrom, createdTimeTo: createdTo })).instancesDeleted;
    },
    releaseInstanceId: async (instanceId) => (await client.releaseInstanceId(instanceId)).released,
    schedules: storeScheduleTarget(client.schedules),
    [Symbol.asyncDispose]: () => opened.close(),
  };
}
