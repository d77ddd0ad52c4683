import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';

/**
 * The URL of a worker script that sits beside `moduleUrl` under `baseName`:
 * built, the module is `.js` and so is its worker; under vitest or tsx both are `.ts`.
 */
export function siblingWorkerUrl(moduleUrl: string, baseName: string): URL {
  return new URL(`./${baseName}${path.extname(fileURLToPath(moduleUrl))}`, moduleUrl);
}

/**
 * How to start a worker script. Built, it is plain `.js`. Under vitest or tsx it is `.ts`, and Node 20
 * does not apply loader hooks given to a worker as `execArgv: ['--import', 'tsx']` to that worker's modules
 * (ERR_UNKNOWN_FILE_EXTENSION; tsx#354, node#47747), so a small bootstrap registers tsx in the thread and
 * then imports the script. `tsx` is a dev dependency, resolved from the working directory (the repository).
 */
export function workerEntry(url: URL, options: WorkerOptions): { readonly script: URL | string; readonly options: WorkerOptions } {
  if (!url.pathname.endsWith('.ts')) return { script: url, options };
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return { script: bootstrap, options: { ...options, eval: true } };
}
