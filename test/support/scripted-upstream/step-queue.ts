import type { EnqueueOptions, ScriptedRoute, ScriptedStep } from './steps.js';

interface QueuedStep {
  readonly step: ScriptedStep;
  readonly route: ScriptedRoute;
  readonly model: string | undefined;
}

/**
 * Steps in the order they were scripted. A request takes the first step scoped
 * to its model, else the first unscoped one, so a test driving fallbacks can
 * script each model's answer without depending on the order the gateway tries them.
 */
export class StepQueue {
  #queued: QueuedStep[] = [];

  get size(): number {
    return this.#queued.length;
  }

  push(step: ScriptedStep, options: EnqueueOptions = {}): void {
    this.#queued.push({ step, route: options.route ?? 'chat.completions', model: options.model });
  }

  take(route: ScriptedRoute, model: string): ScriptedStep | undefined {
    let index = this.#queued.findIndex((queued) => queued.route === route && queued.model === model);
    if (index < 0) index = this.#queued.findIndex((queued) => queued.route === route && queued.model === undefined);
    if (index < 0) return undefined;
    const [taken] = this.#queued.splice(index, 1);
    return taken?.step;
  }

  clear(): void {
    this.#queued = [];
  }
}
