export { defineJob, retryDelayMs, type JobContext, type JobDefinition, type RetryPolicy } from './job-definition.js';
export { JobQueue, type EnqueueOptions, type JobRow } from './job-queue.js';
export { JobWorker, type RecurringJob } from './job-worker.js';
