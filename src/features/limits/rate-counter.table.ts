export interface RateCountersTable {
  /** What is counted, e.g. `key:<id>:requests-per-minute`. One row per scope, reset when its window changes. */
  scope: string;
  org_id: string;
  window_start: string;
  count: number;
}
