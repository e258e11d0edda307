/**
 * @module test/helpers/http-client
 * Small fetch wrappers for end-to-end tests against a running server:
 * JSON requests, and polling an instance until it reaches a status (with a
 * generous deadline, so slow machines only make tests slower, not red).
 */
export const MANAGEMENT = '/runtime/webhooks/durabletask';

export interface JsonResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export async function request<T = any>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<JsonResponse<T>> {
  const { json, ...rest } = init;
  const response = await fetch(url, {
    ...rest,
    ...(json === undefined ? {} : { body: JSON.stringify(json), headers: { 'content-type': 'application/json', ...(rest.headers ?? {}) } }),
  });
  const text = await response.text();
  let body: any;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

const TERMINAL = ['Completed', 'Failed', 'Terminated'];

/** Polls the status route until `done(status)` holds; returns that status. */
export async function waitForStatus(
  baseUrl: string,
  instanceId: string,
  done: (status: any) => boolean = (s) => TERMINAL.includes(s?.runtimeStatus),
  options: { timeoutMs?: number; query?: string } = {},
): Promise<any> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: JsonResponse | undefined;
  while (Date.now() < deadline) {
    last = await request(`${baseUrl}${MANAGEMENT}/instances/${encodeURIComponent(instanceId)}${options.query ?? ''}`);
    if (last.status !== 404 && done(last.body)) return last.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`instance '${instanceId}' did not reach the expected status; last answer ${last?.status}: ${last?.text}`);
}

export function waitForCompletion(baseUrl: string, instanceId: string, timeoutMs?: number): Promise<any> {
  return waitForStatus(baseUrl, instanceId, undefined, timeoutMs === undefined ? {} : { timeoutMs });
}
