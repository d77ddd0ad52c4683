import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorKind, type FieldProblem, ValidationError } from '../errors.js';

/** The one table from domain error kinds to HTTP statuses. */
const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  upstream: 502,
  upstream_timeout: 504,
  internal: 500,
};

export function statusOf(error: AppError): number {
  return STATUS_BY_KIND[error.kind];
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: unknown;
  validationContext?: string;
}

const CONTEXT_NAMES: Record<string, string> = { querystring: 'query', params: 'path', body: 'body', headers: 'header' };

function ruleOf(keyword: string, message: string): string {
  // Zod reports a missing field as an invalid type whose received value is undefined.
  return keyword === 'invalid_type' && /received undefined/.test(message) ? 'required' : keyword;
}

function validationProblems(error: FastifyLikeError & { validation: Array<{ instancePath: string; keyword: string; message?: string }> }): FieldProblem[] {
  const context = CONTEXT_NAMES[error.validationContext ?? 'body'] ?? error.validationContext ?? 'body';
  return error.validation.map((issue) => {
    const path = issue.instancePath.split('/').filter(Boolean).join('.');
    const message = issue.message ?? 'is invalid';
    const rule = ruleOf(issue.keyword, message);
    return {
      field: path ? `${context}.${path}` : context,
      rule,
      message: rule === 'required' ? 'is required' : message,
    };
  });
}

/**
 * Turns anything thrown while handling a request into a domain error. Fastify's
 * own errors (body parsing, size, media type) become the matching kind; any
 * other error is internal, and its message is not shown to the client.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = (error ?? {}) as FastifyLikeError;
  if (hasZodFastifySchemaValidationErrors(error)) {
    return new ValidationError(validationProblems(error as Parameters<typeof validationProblems>[0]));
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('too_large', 'payload_too_large', 'The request body is larger than the allowed limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'unsupported_media_type', 'Unsupported Content-Type: send application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ValidationError.field('body', 'required', 'The body must not be empty when Content-Type is application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return ValidationError.field('body', 'json', 'The body is not valid JSON.');
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return ValidationError.field('body', 'json', 'The body is not valid JSON.');
  }
  if (fastifyError.statusCode === 413) {
    return new AppError('too_large', 'payload_too_large', 'The request body is larger than the allowed limit.');
  }
  if (fastifyError.statusCode === 415) {
    return new AppError('unsupported_media_type', 'unsupported_media_type', 'Unsupported Content-Type.');
  }
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new AppError('invalid', 'bad_request', fastifyError.message ?? 'Bad request.');
  }
  return new AppError('internal', 'internal_error', 'An unexpected error occurred. It has been logged.', { cause: error });
}

/** The error body of every contract but `/v1`: `{ error: { code, message, details } }`. */
export function agentryErrorBody(error: AppError): { error: { code: string; message: string; details?: unknown } } {
  return { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
}

const OPENAI_TYPES: Partial<Record<ErrorKind, string>> = {
  invalid: 'invalid_request_error',
  unauthenticated: 'authentication_error',
  payment_required: 'insufficient_quota',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  rate_limited: 'rate_limit_error',
  upstream: 'upstream_error',
  upstream_timeout: 'timeout_error',
};

/** `body.messages.2.content` → `messages[2].content`, the path form OpenAI's errors use. */
function openAiParam(field: string | undefined): string | null {
  if (!field) return null;
  return field.replace(/^body\.?/, '').replace(/\.(\d+)(?=\.|$)/g, '[$1]') || null;
}

/** The OpenAI error body, which OpenAI-compatible SDKs parse on `/v1`. */
export function openAiErrorBody(error: AppError): {
  error: { message: string; type: string; param: string | null; code: string };
} {
  const validation = error instanceof ValidationError ? error : undefined;
  const param = validation ? openAiParam(validation.problems[0]?.field) : null;
  const message = validation
    ? validation.problems.map((problem) => `${openAiParam(problem.field) ?? 'body'}: ${problem.message}`).join('; ')
    : error.message;
  return { error: { message, type: OPENAI_TYPES[error.kind] ?? 'api_error', param, code: error.code } };
}
