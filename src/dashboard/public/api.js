/**
 * @module dashboard/public/api
 * The dashboard's only way to the server: the management API, as any other
 * client uses it (Durable Functions' routes, Perdure's `perdure/` read
 * routes, and the `schedules` routes). Every request that changes state carries the session's
 * CSRF token; a 401 sends the browser to the login page.
 *
 * A read is a plain `fetch(url)`: cors mode and same-origin credentials, as the shell's
 * `<link rel="preload" as="fetch" crossorigin>` asks for the first data, and no header the preload
 * lacks (reads need no CSRF token). A request that matches the preload takes its response instead
 * of asking the server again; a mismatch would cost a second request, not an error.
 */
import { listQuery } from './instances-query.js';

const BASE = '/runtime/webhooks/durabletask';
const SAFE_METHODS = ['GET', 'HEAD'];
const CONTINUATION = 'x-ms-continuation-token';

function meta(name) {
  return document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
}

/** An answer of the management API that is not a success: its status and message. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

async function call(method, path, { body, headers = {} } = {}) {
  const csrf = SAFE_METHODS.includes(method) ? {} : { 'x-perdure-csrf': meta('perdure-csrf') };
  const init = { method, credentials: 'same-origin', headers: { ...csrf, ...headers } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = body;
  }
  const response = await fetch(`${BASE}${path}`, init);
  if (response.status === 401 && meta('perdure-auth') === 'key') {
    window.location.assign('/dashboard/login');
  }
  const text = await response.text();
  const data = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, headers: response.headers, status: response.status };
}

const id = (value) => encodeURIComponent(value);

export const api = {
  counts: async () => (await call('GET', '/perdure/counts')).data,
  orchestrators: async () => (await call('GET', '/perdure/orchestrators')).data.orchestrators,
  async list(filter, pageSize, token) {
    const headers = token ? { [CONTINUATION]: token } : {};
    const { data, headers: answer } = await call('GET', `/instances?${listQuery(filter, pageSize)}`, { headers });
    return { instances: data, token: answer.get(CONTINUATION) || undefined };
  },
  instance: async (instanceId) => (await call('GET', `/perdure/instances/${id(instanceId)}`)).data,
  /** The history in Durable Functions' shape: what `perdure instance history` writes, byte for byte once formatted. */
  history: async (instanceId) =>
    (await call('GET', `/instances/${id(instanceId)}?showHistory=true&showHistoryOutput=true`)).data.historyEvents ?? [],
  /** Starts `name`; `input` is JSON text or empty. Answers the new instance's ID. */
  async start(name, instanceId, input) {
    const path = `/orchestrators/${id(name)}${instanceId ? `/${id(instanceId)}` : ''}`;
    return (await call('POST', path, input ? { body: input } : {})).data.id;
  },
  raise: (instanceId, event, data) => call('POST', `/instances/${id(instanceId)}/raiseEvent/${id(event)}`, data ? { body: data } : {}),
  control: (instanceId, operation, reason) =>
    call('POST', `/instances/${id(instanceId)}/${operation}${reason ? `?reason=${encodeURIComponent(reason)}` : ''}`),
  async restart(instanceId, newId) {
    return (await call('POST', `/instances/${id(instanceId)}/restart?restartWithNewInstanceId=${newId ? 'true' : 'false'}`)).data.id;
  },
  purge: (instanceId) => call('DELETE', `/instances/${id(instanceId)}`),

  /** A page of entities (`filter`: name, key prefix), with lock holders; entities without state only with `includeDeleted`. */
  async entities(filter, pageSize, token) {
    const params = new URLSearchParams({ top: String(pageSize) });
    if (filter.name) params.set('name', filter.name);
    if (filter.name && filter.prefix) params.set('prefix', filter.prefix);
    if (filter.includeDeleted) params.set('includeDeleted', 'true');
    const headers = token ? { [CONTINUATION]: token } : {};
    const { data, headers: answer } = await call('GET', `/perdure/entities?${params}`, { headers });
    return { entities: data, token: answer.get(CONTINUATION) || undefined };
  },
  /** One entity; its state is cut (`stateTruncated`, `statePreview`) when its JSON is long. */
  entity: async (name, key) => (await call('GET', `/perdure/entities/${id(name)}/${id(key)}`)).data,
  /** The whole state, through Durable Functions' route (for the download). */
  entityState: async (name, key) => (await call('GET', `/entities/${id(name)}/${id(key)}`)).data,
  /** Signals `op` with `input` (JSON text, or empty for none). */
  signal: (name, key, op, input) =>
    call('POST', `/entities/${id(name)}/${id(key)}?op=${encodeURIComponent(op)}`, input ? { body: input } : {}),

  schedules: async () => (await call('GET', '/schedules')).data,
  /** `pause`, `unpause` or `trigger`; answers the schedule's new description. */
  scheduleOperation: async (name, operation) => (await call('POST', `/schedules/${id(name)}/${operation}`)).data,
  deleteSchedule: (name) => call('DELETE', `/schedules/${id(name)}`),
};
