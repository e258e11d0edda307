/**
 * @module bench/lib/http-bench-app
 * The app module W4 serves with `perdure start`: the bench app plus two
 * anonymous HTTP triggers. `POST /api/bench/hello/{instanceId}?n=N` starts
 * HelloSequence and answers in the same request (200 with the output) via
 * waitForCompletionOrCreateCheckStatusResponse, so one request is one
 * start-to-completion round trip. `GET /api/bench/ready` answers once the
 * server is up.
 */
import { buildBenchApp } from './bench-app.ts';

const { app } = buildBenchApp();

app.http('BenchHello', {
  methods: ['POST'],
  route: 'bench/hello/{instanceId}',
  handler: async (request, { params, client }) => {
    const n = Number(new URL(request.url).searchParams.get('n') ?? 0);
    const instanceId = params.instanceId ?? '';
    await client.startNew('HelloSequence', { instanceId, input: n });
    return client.waitForCompletionOrCreateCheckStatusResponse(request, instanceId, { timeoutMs: 30_000, retryIntervalMs: 50 });
  },
});

app.http('BenchReady', { methods: ['GET'], route: 'bench/ready', handler: () => 'ok' });

export default app;
