import type { Metric, Registry } from 'prom-client';

/** One method × route × status: how many requests, and their latencies bucketed as Prometheus counts them. */
interface Series {
  readonly labels: { readonly method: string; readonly route: string; readonly status: string };
  count: number;
  sum: number;
  /** Per bucket, not cumulative: observations above the previous bound and up to this one. */
  readonly buckets: Float64Array;
}

/** What prom-client's registry reads from a metric when it is scraped. */
interface ExportedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: ExportedValue[] }>;
  reset(): void;
}

interface ExportedValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

export interface RequestSeriesOptions {
  readonly counterName: string;
  readonly counterHelp: string;
  readonly histogramName: string;
  readonly histogramHelp: string;
  /** Upper bounds of the latency buckets, in seconds, ascending. */
  readonly buckets: readonly number[];
}

/**
 * The request counter and latency histogram, kept in plain numbers and turned
 * into Prometheus series only when the registry is scraped. prom-client's own
 * Counter and Histogram validate and hash the label object on every
 * observation, twice per request on a path that runs thousands of times a
 * second; here a request is three Map lookups and two additions.
 */
export class RequestSeries {
  /** route → method → status → series; nested so that no key string is built per request. */
  private readonly byRoute = new Map<string, Map<string, Map<number, Series>>>();
  private readonly bounds: readonly number[];

  constructor(private readonly options: RequestSeriesOptions) {
    this.bounds = options.buckets;
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const series = this.seriesFor(method, route, status);
    series.count += 1;
    series.sum += seconds;
    const bounds = this.bounds;
    for (let index = 0; index < bounds.length; index += 1) {
      if (seconds <= bounds[index]!) {
        series.buckets[index]! += 1;
        return;
      }
    }
    // Above the last bound: counted only in +Inf, which is the series' count.
  }

  /** Registers the counter and the histogram with a prom-client registry, beside its own metrics. */
  register(registry: Registry): void {
    // The registry formats any metric by calling `get()`; its types name only prom-client's classes.
    registry.registerMetric(this.counter() as unknown as Metric);
    registry.registerMetric(this.histogram() as unknown as Metric);
  }

  private seriesFor(method: string, route: string, status: number): Series {
    let byMethod = this.byRoute.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.byRoute.set(route, byMethod);
    }
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      byMethod.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (series === undefined) {
      series = { labels: { method, route, status: String(status) }, count: 0, sum: 0, buckets: new Float64Array(this.bounds.length) };
      byStatus.set(status, series);
    }
    return series;
  }

  private *allSeries(): Iterable<Series> {
    for (const byMethod of this.byRoute.values()) for (const byStatus of byMethod.values()) yield* byStatus.values();
  }

  private counter(): ExportedMetric {
    const { counterName: name, counterHelp: help } = this.options;
    return {
      name,
      help,
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({ name, help, type: 'counter', aggregator: 'sum', values: [...this.allSeries()].map((series) => ({ labels: series.labels, value: series.count })) }),
      reset: () => this.byRoute.clear(),
    };
  }

  private histogram(): ExportedMetric {
    const { histogramName: name, histogramHelp: help } = this.options;
    const exportSeries = (series: Series): ExportedValue[] => {
      const values: ExportedValue[] = [];
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += series.buckets[index]!;
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push(
        { labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: `${name}_bucket` },
        { labels: series.labels, value: series.sum, metricName: `${name}_sum` },
        { labels: series.labels, value: series.count, metricName: `${name}_count` },
      );
      return values;
    };
    return {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values: [...this.allSeries()].flatMap(exportSeries) }),
      reset: () => this.byRoute.clear(),
    };
  }
}
