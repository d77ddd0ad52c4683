// Minimal typings for the parts of autocannon (v8, CommonJS, ships no types) that the benchmarks use.
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Stop after this many requests instead of after `duration`. */
      amount?: number;
      /** Seconds before a request counts as timed out. */
      timeout?: number;
      pipelining?: number;
      method?: string;
      headers?: Record<string, string>;
      /** The request body, sent with every request. */
      body?: string | Buffer;
      title?: string;
    }

    interface Histogram {
      readonly min: number;
      readonly max: number;
      readonly average: number;
      readonly mean: number;
      readonly stddev: number;
      readonly total: number;
      readonly p2_5: number;
      readonly p50: number;
      readonly p75: number;
      readonly p90: number;
      readonly p97_5: number;
      readonly p99: number;
      readonly p99_9: number;
      readonly p99_99: number;
      readonly p99_999: number;
    }

    interface Result {
      readonly title?: string;
      readonly url: string;
      /** Requests completed per second, sampled once a second. */
      readonly requests: Histogram;
      /** Milliseconds. */
      readonly latency: Histogram;
      /** Bytes per second. */
      readonly throughput: Histogram;
      /** Seconds. */
      readonly duration: number;
      readonly errors: number;
      readonly timeouts: number;
      readonly mismatches: number;
      readonly non2xx: number;
      readonly '2xx': number;
      readonly connections: number;
      readonly pipelining: number;
      readonly statusCodeStats: Record<string, { count: number }>;
    }

    interface Instance extends PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;

  export = autocannon;
}
