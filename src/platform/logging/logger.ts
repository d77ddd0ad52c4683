import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Request headers and fields that carry secrets; pino replaces their values. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["organization-secret-key"]',
  'req.headers["agent-secret-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.grantKey',
  '*.secret',
  '*.password',
  '*.token',
];

const API_KEY_QUERY = /([?&]api-key=)[^&#]*/gi;

/** The query form of a key (`?api-key=`) travels in the URL, which is logged. */
export function redactUrl(url: string): string {
  return url.replace(API_KEY_QUERY, '$1[Redacted]');
}

export function loggerOptions(level: LoggerOptions['level']): LoggerOptions {
  return {
    level: level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    serializers: {
      req(request: { id: string; method: string; url: string; ip?: string; headers: Record<string, unknown> }) {
        return { id: request.id, method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
      },
    },
  };
}

export function createLogger(level: LoggerOptions['level'], destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
