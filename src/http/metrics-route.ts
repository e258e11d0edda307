/**
 * @module http/metrics-route
 * `GET /metrics`: the host's metrics as Prometheus text.
 *
 * What must hold: with keys, only the system or master key opens it (as the
 * management API), given as `?code=` (Prometheus' scrape `params`) or the
 * `x-functions-key` header; without keys it is open, like the rest of a
 * keyless (loopback-only) host.
 */
import { Hono } from 'hono';
import type { ResolvedKeys } from '../runtime/keys.ts';
import { requireKey } from './auth.ts';

/** What the route needs of a host's metrics (runtime/metrics.ts). */
export interface MetricsSource {
  text(): Promise<string>;
  readonly contentType: string;
}

export function metricsRoute(metrics: MetricsSource, keys: ResolvedKeys): Hono {
  const route = new Hono();
  route.get('/', requireKey(keys, 'management'), async () => {
    const body = await metrics.text();
    return new Response(body, { status: 200, headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' } });
  });
  return route;
}
