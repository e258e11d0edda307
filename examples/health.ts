/**
 * @module examples/health
 * An anonymous trigger for load-balancer health checks: it answers without
 * the host key, unlike the `authLevel: 'function'` starters. It answers 503
 * when the store does not take writes (full, read-only, corrupt, unreachable),
 * so a load balancer stops sending work to a host that cannot do it.
 * `checkStoreHealth` costs nothing on a busy host (it reports the last write's
 * outcome) and at most one small write a second on an idle one.
 */
import { app } from 'perdure';

export const health = app.http('Health', {
  methods: ['GET'],
  route: 'health',
  authLevel: 'anonymous',
  handler: async (_request, context) => {
    const store = await context.client.checkStoreHealth();
    if (store.writable) return { status: 'ok' };
    return Response.json({ status: 'unavailable', reason: store.reason }, { status: 503, headers: { 'retry-after': '5' } });
  },
});
