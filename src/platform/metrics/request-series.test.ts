import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestSeries } from './request-series.js';

const NAMES = {
  counterName: 'test_requests_total',
  counterHelp: 'Requests.',
  histogramName: 'test_request_duration_seconds',
  histogramHelp: 'Latency.',
};
const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The same figures through prom-client's own Counter and Histogram, which the exposition must match line for line. */
function promClientReference() {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'] as const;
  const counter = new Counter({ name: NAMES.counterName, help: NAMES.counterHelp, labelNames, registers: [registry] });
  const histogram = new Histogram({ name: NAMES.histogramName, help: NAMES.histogramHelp, labelNames, buckets: BUCKETS, registers: [registry] });
  return {
    registry,
    observe(method: string, route: string, status: number, seconds: number) {
      const labels = { method, route, status: String(status) };
      counter.inc(labels);
      histogram.observe(labels, seconds);
    },
  };
}

const OBSERVATIONS: ReadonlyArray<[string, string, number, number]> = [
  ['POST', '/v1/chat/completions', 200, 0.0004],
  ['POST', '/v1/chat/completions', 200, 0.001], // on a bound: counted in that bucket
  ['POST', '/v1/chat/completions', 200, 0.05],
  ['POST', '/v1/chat/completions', 200, 3], // above every bound: only in +Inf
  ['POST', '/v1/chat/completions', 429, 0.002],
  ['GET', '/api/v1/accounts', 200, 0.02],
  ['GET', '/api/v1/AuditLog/:id', 404, 0.0005],
];

describe('RequestSeries', () => {
  it('exposes the same counter and histogram lines as prom-client for the same requests', async () => {
    const reference = promClientReference();
    const registry = new Registry();
    const series = new RequestSeries({ ...NAMES, buckets: BUCKETS });
    series.register(registry);
    for (const [method, route, status, seconds] of OBSERVATIONS) {
      reference.observe(method, route, status, seconds);
      series.observe(method, route, status, seconds);
    }
    const sortedLines = (text: string) => text.split('\n').filter(Boolean).sort();
    const exposition = await registry.metrics();
    expect(sortedLines(exposition)).toEqual(sortedLines(await reference.registry.metrics()));
    expect(exposition).toContain('test_request_duration_seconds_bucket{le="0.001",method="POST",route="/v1/chat/completions",status="200"} 2');
    expect(exposition).toContain('test_request_duration_seconds_bucket{le="+Inf",method="POST",route="/v1/chat/completions",status="200"} 4');
    expect(exposition).toContain('test_requests_total{method="POST",route="/v1/chat/completions",status="429"} 1');
  });

  it('serves the JSON form and starts over when the registry is reset', async () => {
    const registry = new Registry();
    const series = new RequestSeries({ ...NAMES, buckets: BUCKETS });
    series.register(registry);
    series.observe('GET', '/healthz', 200, 0.0001);
    const json = await registry.getMetricsAsJSON();
    expect(json.find((metric) => metric.name === NAMES.counterName)?.values).toEqual([
      { labels: { method: 'GET', route: '/healthz', status: '200' }, value: 1 },
    ]);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('route="/healthz"');
  });
});
