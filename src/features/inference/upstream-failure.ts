import { AppError, UpstreamError } from '../../platform/errors.js';

const KEY_LIKE = /\b(sk|gsk|pk|key)[-_][A-Za-z0-9_*.-]{6,}/g;

/** Removes the connection's key, and anything shaped like a key, from a provider's message. */
export function scrubSecrets(message: string, apiKey: string | undefined): string {
  const withoutKey = apiKey ? message.split(apiKey).join('[redacted]') : message;
  return withoutKey.replace(KEY_LIKE, '[redacted]');
}

function providerMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: use the text itself
  }
  return body.slice(0, 500) || 'no message';
}

/** Maps a provider's error response to the error the client receives. */
export function upstreamResponseError(
  status: number,
  body: string,
  context: { connection: string; apiKey: string | undefined; retryAfterSeconds?: number },
): UpstreamError {
  const message = scrubSecrets(providerMessage(body), context.apiKey);
  const from = `connection '${context.connection}' answered ${status}`;
  if (status === 429) {
    return new UpstreamError('rate_limited', 'upstream_rate_limited', `The provider is rate limiting (${from}): ${message}`, status, {
      ...(context.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: context.retryAfterSeconds }),
    });
  }
  if (status === 401 || status === 403) {
    return new UpstreamError('upstream', 'upstream_auth_failed', `The provider refused the connection's credentials (${from}): ${message}`, status);
  }
  if (status >= 400 && status < 500) {
    return new UpstreamError('invalid', 'upstream_rejected_request', `The provider rejected the request (${from}): ${message}`, status);
  }
  return new UpstreamError('upstream', 'upstream_error', `The provider failed (${from}): ${message}`, status);
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** undici's code when a response outgrows the outbound client's `maxResponseBytes` (AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES). */
const RESPONSE_TOO_LARGE = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function responseTooLarge(connection: string, cause: unknown): UpstreamError {
  return new UpstreamError(
    'upstream',
    'upstream_response_too_large',
    `The provider of connection '${connection}' sent a response larger than AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES allows.`,
    null,
    { cause },
  );
}

/** Maps a failure to reach the provider at all (refused, reset, timed out), or to read its whole answer. */
export function upstreamTransportError(error: unknown, connection: string): UpstreamError {
  const code = codeOf(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new UpstreamError('upstream_timeout', 'upstream_timeout', `The provider of connection '${connection}' did not answer in time.`, null, {
      cause: error,
    });
  }
  if (code === RESPONSE_TOO_LARGE) return responseTooLarge(connection, error);
  return new UpstreamError(
    'upstream',
    'upstream_unreachable',
    `The provider of connection '${connection}' could not be reached${code === undefined ? '' : ` (${code})`}.`,
    null,
    { cause: error },
  );
}

/**
 * Maps the failure of a stream the provider had begun: it stalled past the
 * connection's timeout, outgrew the size limit, or broke off. An error the
 * AI SDK path already mapped (the provider's own error event) is kept.
 */
export function midStreamFailure(error: unknown, connection: string): AppError {
  if (error instanceof AppError) return error;
  const code = codeOf(error);
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new UpstreamError(
      'upstream_timeout',
      'upstream_timeout',
      `The provider of connection '${connection}' sent nothing for longer than the connection's timeout, so the stream was ended.`,
      null,
      { cause: error },
    );
  }
  if (code === RESPONSE_TOO_LARGE) return responseTooLarge(connection, error);
  return new UpstreamError('upstream', 'upstream_stream_failed', `The provider of connection '${connection}' closed the stream before it finished.`, null, {
    cause: error,
  });
}
