import type { AppError } from '../errors.js';
import { ACCESS_LOG_MESSAGE, type AccessLogEntry, type AccessLogger, writeAccessLine } from '../logging/access-log.js';
import type { HttpMetrics } from '../metrics/metrics.js';
import { agentryErrorBody, openAiErrorBody, statusOf, toAppError } from './error-mapping.js';

/**
 * How a request ends, the same on Fastify's routes and on direct routes
 * (direct-routes.ts): its access line and metrics, or the reply to its error.
 */

/** What a request's logger must offer here: Fastify's `request.log`, or the RequestLogger of a direct route. */
export interface RequestLog extends AccessLogger {
  debug(bindings: object, message: string): void;
  info(bindings: object, message: string): void;
  error(bindings: object, message: string): void;
}

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** Counts the request in the metrics and writes its access line. */
export function recordResponse(metrics: HttpMetrics, log: RequestLog, entry: AccessLogEntry): void {
  metrics.observeRequest(entry.method, entry.route, entry.status, entry.durationMs / 1000);
  // Probes and scrapes arrive every few seconds; they would drown the requests that matter.
  if (QUIET_ROUTES.has(entry.route)) log.debug(entry, ACCESS_LOG_MESSAGE);
  else writeAccessLine(log, entry);
}

/** `/v1` speaks OpenAI's error shape, which the OpenAI-compatible SDKs parse. */
export function errorBodyFor(url: string, error: AppError): unknown {
  return url.startsWith('/v1/') || url === '/v1' ? openAiErrorBody(error) : agentryErrorBody(error);
}

export interface ErrorReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** Logs a request's error (server faults with their cause, refusals by code) and says what to answer. */
export function errorReplyFor(error: unknown, url: string, log: RequestLog): ErrorReply {
  const appError = toAppError(error);
  const status = statusOf(appError);
  if (status >= 500) log.error({ err: error }, 'request failed');
  else log.info({ code: appError.code, status }, 'request rejected');
  const retryAfter = (appError as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  const headers: Record<string, string> = typeof retryAfter === 'number' ? { 'retry-after': String(Math.ceil(retryAfter)) } : {};
  return { status, headers, body: errorBodyFor(url, appError) };
}
