/**
 * @module http/management-extensions
 * Perdure's own read routes beside the Durable Functions management API,
 * under `/runtime/webhooks/durabletask/perdure/`, for clients that need
 * more than Durable Functions offers (the dashboard, operator tools):
 * - `GET perdure/counts`: instances per status, from the store's counters;
 * - `GET perdure/orchestrators`: the names of the registered orchestrations;
 * - `GET perdure/instances/{id}`: the status in Perdure's own shape, with
 *   the parent's ID and the stored history (task IDs, child IDs), which
 *   Durable Functions' history shape folds away;
 * - `GET perdure/entities[/{name}/{key}]`: entities with their lock holders
 *   (http/management-entities).
 * - `DELETE perdure/tombstones/{id}`: releases an instance ID kept used by
 *   the tombstone of a purged `reuseStatuses: []` instance (`200` with the
 *   tombstone, `404` if the ID has none).
 *
 * What must hold: the same keys and browser checks as every management
 * route (they are dispatched by management-routes), GET only (but the
 * release), and no segment here can be taken for a Durable Functions route (`perdure` is
 * not one of DF's route heads).
 */
import { json } from './errors.ts';
import { entityExtensionRoute } from './management-entities.ts';
import type { ManagementRequest } from './management-routes.ts';

type Handler = (request: ManagementRequest) => Promise<Response>;

export const EXTENSIONS_HEAD = 'perdure';

/** The handler for a `perdure/...` route, or undefined (a 404). */
export function extensionRoute(method: string, segments: readonly string[]): Handler | undefined {
  const what = segments[1]?.toLowerCase();
  if (segments.length === 3 && what === 'tombstones') return method === 'DELETE' ? releaseInstanceId : undefined;
  if (method !== 'GET') return undefined;
  if (segments.length === 2 && what === 'counts') return counts;
  if (segments.length === 2 && what === 'orchestrators') return orchestrators;
  if (segments.length === 3 && what === 'instances') return instance;
  if (what === 'entities') return entityExtensionRoute(segments);
  return undefined;
}

async function counts({ deps }: ManagementRequest): Promise<Response> {
  return json(200, await deps.client.countInstancesByStatus());
}

async function orchestrators({ deps }: ManagementRequest): Promise<Response> {
  const names = [...(deps.orchestrations?.() ?? [])].sort();
  return json(200, { orchestrators: names });
}

async function instance({ deps, segments }: ManagementRequest): Promise<Response> {
  const id = segments[2]!;
  const status = await deps.client.getStatus(id, { showHistory: true, showHistoryOutput: true, showInput: true });
  if (!status) return json(404, { message: `No instance with ID '${id}' was found.` });
  return json(200, deps.client.forHttp(status));
}

async function releaseInstanceId({ deps, segments }: ManagementRequest): Promise<Response> {
  const id = segments[2]!;
  const { tombstone } = await deps.client.releaseInstanceId(id);
  if (tombstone === undefined) return json(404, { message: `No tombstone keeps the instance ID '${id}'.` });
  return json(200, {
    instanceId: tombstone.instanceId,
    name: tombstone.name,
    runtimeStatus: tombstone.runtimeStatus,
    createdTime: new Date(tombstone.createdAt).toISOString(),
    purgedTime: new Date(tombstone.purgedAt).toISOString(),
  });
}
