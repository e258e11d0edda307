/**
 * The Grafana dashboard under docs/ queries only metrics a host exports, so
 * a renamed metric cannot leave it showing empty panels.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { HostMetrics } from '../../src/runtime/metrics.ts';

describe('docs/grafana-dashboard.json', () => {
  it('is a dashboard whose every query names metrics the host exports', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const counts = () => Promise.resolve({});
    const metrics = new HostMetrics({ instanceCounts: counts, backlog: counts });
    const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    assert.ok(dashboard.panels.length >= 10);
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      assert.ok(panel.targets.length > 0, panel.title);
      for (const { expr } of panel.targets)
        for (const [name] of expr.matchAll(/perdure_\w+/g)) used.add(name.replace(/_(bucket|count|sum)$/, ''));
    }
    for (const name of used) assert.ok(exported.has(name), `${name} is exported`);
    for (const name of exported) assert.ok(used.has(name), `${name} has a panel`);
  });
});
