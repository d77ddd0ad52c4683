import v8 from 'node:v8';

/**
 * Caps how far V8 lets the old generation grow past what was live after its
 * last full collection. Under a steady stream of requests V8's own heuristic
 * lets it grow about fourfold (from ~30 MB live to ~125 MB committed on the
 * gateway benchmark) before collecting, and every page it grows into costs
 * resident memory and page faults. The limit is recomputed at each full
 * collection, so setting the flag once the process runs takes effect at the next.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
