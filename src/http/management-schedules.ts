/**
 * @module http/management-schedules
 * Schedules over HTTP, under `/runtime/webhooks/durabletask/schedules`:
 * `GET schedules`, `GET|POST|PATCH|DELETE schedules/{name}`, and
 * `POST schedules/{name}/pause|unpause|trigger`. Each calls the same
 * `client.schedules` operation as the code API and answers its description.
 *
 * What must hold: an unknown schedule is a 404, a taken name a 409, a bad
 * definition a 400 naming the field (http/errors.ts maps the typed errors).
 */
import type { ScheduleOptions } from '../client/schedule-spec.ts';
import { ValidationError } from '../model/errors.ts';
import { readJsonBody } from './body.ts';
import { json } from './errors.ts';
import type { ManagementRequest } from './management-routes.ts';

type Handler = (request: ManagementRequest) => Promise<Response>;

/** The handler for a method and path under `schedules`, if any. */
export function scheduleRoute(method: string, segments: readonly string[]): Handler | undefined {
  if (segments.length === 1) return method === 'GET' ? listSchedules : undefined;
  if (segments.length === 2) return BY_METHOD[method];
  if (segments.length === 3 && method === 'POST') return OPERATIONS[segments[2]!.toLowerCase()];
  return undefined;
}

const BY_METHOD: Record<string, Handler | undefined> = {
  GET: async ({ deps, segments }) => json(200, await deps.client.schedules.describe(segments[1]!)),
  POST: async ({ c, deps, segments }) =>
    json(201, await deps.client.schedules.create(segments[1]!, await bodyOf(c.req.raw, deps.maxBodyBytes))),
  PATCH: async ({ c, deps, segments }) =>
    json(200, await deps.client.schedules.update(segments[1]!, await bodyOf(c.req.raw, deps.maxBodyBytes))),
  DELETE: async ({ deps, segments }) => {
    await deps.client.schedules.delete(segments[1]!);
    return new Response(null, { status: 204 });
  },
};

const OPERATIONS: Record<string, Handler | undefined> = {
  pause: async ({ deps, segments }) => json(200, await deps.client.schedules.pause(segments[1]!)),
  unpause: async ({ deps, segments }) => json(200, await deps.client.schedules.unpause(segments[1]!)),
  trigger: async ({ deps, segments }) => json(200, await deps.client.schedules.trigger(segments[1]!)),
};

async function listSchedules({ deps }: ManagementRequest): Promise<Response> {
  return json(200, await deps.client.schedules.list());
}

async function bodyOf(request: Request, maxBytes: number): Promise<ScheduleOptions> {
  const body = await readJsonBody(request, maxBytes);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object');
  return body as ScheduleOptions;
}
