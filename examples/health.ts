/**
 * @module examples/health
 * An anonymous trigger for load-balancer health checks: it answers without
 * the host key, unlike the `authLevel: 'function'` starters.
 */
import { app } from 'perdure';

export const health = app.http('Health', {
  methods: ['GET'],
  route: 'health',
  authLevel: 'anonymous',
  handler: () => ({ status: 'ok' }),
});
