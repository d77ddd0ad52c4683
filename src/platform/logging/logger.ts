import pino, { type Logger, type LoggerOptions } from 'pino';
import { CENSOR, redactSecrets } from './redact-secrets.js';
import { stdoutBlocks } from './stdout-blocks.js';

export type { Logger };

const API_KEY_QUERY = /([?&]api-key=)[^&#]*/gi;

/** The query form of a key (`?api-key=`) travels in the URL, which is logged. */
export function redactUrl(url: string): string {
  // Logged for every request, and most have no query string at all.
  return url.includes('?') ? url.replace(API_KEY_QUERY, `$1${CENSOR}`) : url;
}

export function loggerOptions(level: LoggerOptions['level']): LoggerOptions {
  return {
    level: level ?? 'info',
    // Not pino's `redact`: its paths are applied by cloning every logged object,
    // which was a fifth of all the memory a gateway request allocated.
    formatters: { log: redactSecrets },
    serializers: {
      req(request: { id: string; method: string; url: string; ip?: string; headers: Record<string, unknown> }) {
        return { id: request.id, method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
      },
    },
  };
}

export function createLogger(level: LoggerOptions['level'], destination: pino.DestinationStream = stdoutBlocks()): Logger {
  return pino(loggerOptions(level), destination);
}
