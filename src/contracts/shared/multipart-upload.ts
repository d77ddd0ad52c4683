import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { AppError, BadRequestError, ValidationError } from '../../platform/errors.js';
import type { AppInstance } from '../../platform/http/create-server.js';

/**
 * An upload's multipart body is read as a stream by its handler; its schema is
 * there for the OpenAPI document, so body validation is skipped in the scope.
 */
const streamedBodyValidator: FastifySchemaCompiler<z.ZodType> = (routeSchema) =>
  routeSchema.httpPart === 'body' ? () => ({ value: undefined }) : validatorCompiler(routeSchema);

/**
 * Registers routes that receive one file as multipart/form-data, in a scope of
 * their own: only they parse multipart, with their own file limit instead of
 * the server-wide body limit (AGENTRY_BODY_LIMIT_BYTES) that JSON bodies get.
 */
export function registerUploadScope(app: AppInstance, maxFileBytes: number, register: (scope: AppInstance) => void): void {
  void app.register(async (scope: AppInstance) => {
    scope.setValidatorCompiler(streamedBodyValidator);
    await scope.register(fastifyMultipart, {
      // One byte over the limit, so the service sees the excess and answers 413 in its words.
      limits: { fileSize: maxFileBytes + 1, files: 1, fields: 16, fieldSize: 16 * 1024, parts: 20, headerPairs: 100 },
    });
    register(scope);
  });
}

/** Errors that already say what the client did wrong: ours, and the multipart plugin's (limits), which carry a 4xx status. */
function isRequestError(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return error instanceof AppError || (typeof status === 'number' && status >= 400 && status < 500);
}

export interface UploadOptions {
  /** The multipart field the file must come in, e.g. `file`. */
  readonly field: string;
  /** What the client sends, for messages: `the file`, `the JSONL file`. */
  readonly what: string;
  /** Runs once the request is known to be multipart, before the body is read (e.g. a declared-length check). */
  readonly before?: () => void;
}

/**
 * Receives the file of `options.field` and hands its stream to `consume`.
 * A request that is not multipart is 415; a missing or misnamed field is 400
 * naming it; a body that breaks off or is malformed is 400 `malformed_upload`.
 */
export async function receiveUpload<T>(request: FastifyRequest, options: UploadOptions, consume: (part: MultipartFile) => Promise<T>): Promise<T> {
  const { field, what } = options;
  if (!request.isMultipart()) {
    throw new AppError('unsupported_media_type', 'unsupported_media_type', `Send ${what} as multipart/form-data in the field \`${field}\`.`);
  }
  options.before?.();
  const part = await request.file().catch((error: unknown) => {
    throw isRequestError(error) ? error : new BadRequestError('malformed_upload', 'The multipart body is malformed.', { cause: error });
  });
  if (!part) throw ValidationError.field(`body.${field}`, 'required', `is required: send ${what} in the multipart field \`${field}\``);
  if (part.fieldname !== field) {
    throw ValidationError.field(`body.${field}`, 'required', `is required: the file was sent in the field \`${part.fieldname}\`, not \`${field}\``);
  }
  try {
    return await consume(part);
  } catch (error) {
    if (!isRequestError(error) && part.file.errored) {
      throw new BadRequestError('malformed_upload', 'The upload ended early or the multipart body is malformed.', { cause: error });
    }
    throw error;
  }
}
