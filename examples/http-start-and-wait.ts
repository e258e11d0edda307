/**
 * @module examples/http-start-and-wait
 * The async HTTP API pattern: `POST /api/start-and-wait/{functionName}`
 * starts an orchestration and holds the request open for a short while.
 * A quick orchestration answers 200 with its output in the same request;
 * a slow one answers 202 with the check-status URLs to poll. As in Durable
 * Functions, a terminated one answers 200 with its status, a failed one 500.
 *
 * `?timeoutMs=` sets how long to wait (default 10 s, at most 60 s).
 */
import { app, ValidationError } from 'perdure';
import { readOptionalJson } from './http-input.ts';

export const httpStartAndWait = app.http('HttpStartAndWait', {
  methods: ['POST'],
  route: 'start-and-wait/{functionName}',
  authLevel: 'function',
  handler: async (request, { params, client }) => {
    const timeoutMs = parseTimeout(new URL(request.url).searchParams.get('timeoutMs'));
    const { instanceId } = await client.startNew(params.functionName ?? '', { input: await readOptionalJson(request) });
    return client.waitForCompletionOrCreateCheckStatusResponse(request, instanceId, { timeoutMs, retryIntervalMs: 250 });
  },
});

function parseTimeout(value: string | null): number {
  if (value === null) return 10_000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new ValidationError('timeoutMs', 'must be an integer from 0 to 60000');
  return ms;
}
