import { describe, expect, it } from 'vitest';
import { AppError, NotFoundError, ValidationError } from '../errors.js';
import { agentryErrorBody, openAiErrorBody, statusOf, toAppError } from './error-mapping.js';

describe('toAppError', () => {
  it('keeps domain errors as they are', () => {
    const error = new NotFoundError('Agent', 'a1');
    expect(toAppError(error)).toBe(error);
    expect(statusOf(error)).toBe(404);
  });

  it('hides the message of unexpected errors', () => {
    const mapped = toAppError(new Error('SQLITE_ERROR: no such table: secrets'));
    expect(statusOf(mapped)).toBe(500);
    expect(JSON.stringify(agentryErrorBody(mapped))).not.toContain('SQLITE');
  });

  it('maps Fastify body errors to 413 and 415', () => {
    expect(statusOf(toAppError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }))).toBe(413);
    expect(statusOf(toAppError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }))).toBe(415);
  });
});

describe('error bodies', () => {
  it('names the field in both shapes', () => {
    const error = ValidationError.field('body.label', 'too_small', 'must not be empty');
    expect(agentryErrorBody(error)).toEqual({
      error: {
        code: 'validation_failed',
        message: 'body.label: must not be empty',
        details: [{ field: 'body.label', rule: 'too_small', message: 'must not be empty' }],
      },
    });
    expect(openAiErrorBody(error).error).toMatchObject({ param: 'label', type: 'invalid_request_error' });
    const nested = ValidationError.field('body.messages.2.content', 'invalid_type', 'is required');
    expect(openAiErrorBody(nested).error).toMatchObject({ param: 'messages[2].content', message: 'messages[2].content: is required' });
    expect(openAiErrorBody(new AppError('internal', 'internal_error', 'x')).error.type).toBe('api_error');
  });
});
