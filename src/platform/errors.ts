/**
 * The one domain error hierarchy. Domain code says what went wrong (`kind`,
 * `code`); `platform/http/error-mapping.ts` alone decides the HTTP status.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'payment_required'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'rate_limited'
  | 'upstream'
  | 'upstream_timeout'
  | 'internal';

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `body.parameters.auditLogRetentionDays`. */
  readonly field: string;
  /** The rule it broke, e.g. `too_small`, `invalid_type`, `required`. */
  readonly rule: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly details?: unknown;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly details: unknown;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  constructor(readonly problems: readonly FieldProblem[]) {
    super('invalid', 'validation_failed', problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '), {
      details: problems,
    });
  }

  static field(field: string, rule: string, message: string): ValidationError {
    return new ValidationError([{ field, rule, message }]);
  }
}

export class BadRequestError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super('invalid', code, message, options);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(code: 'missing_credentials' | 'invalid_credentials' | 'key_expired', message: string) {
    super('unauthenticated', code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, code = 'forbidden') {
    super('forbidden', code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, id?: string) {
    super('not_found', 'not_found', id === undefined ? `${entity} not found.` : `${entity} '${id}' not found.`, {
      details: { entity, ...(id === undefined ? {} : { id }) },
    });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super('conflict', code, message);
  }
}

/**
 * A model provider (or other upstream) failed. Carries the upstream's status
 * and message so the client learns what happened, never its credentials.
 */
export class UpstreamError extends AppError {
  constructor(
    kind: 'upstream' | 'upstream_timeout' | 'rate_limited' | 'invalid',
    code: string,
    message: string,
    readonly upstreamStatus: number | null,
    options: AppErrorOptions & { readonly retryAfterSeconds?: number } = {},
  ) {
    super(kind, code, message, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  readonly retryAfterSeconds: number | undefined;
}

/** A limit was reached; the client may try again after `retryAfterSeconds` (sent as Retry-After). */
export class RateLimitError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details?: unknown,
  ) {
    super('rate_limited', 'rate_limited', message, { details });
  }
}
