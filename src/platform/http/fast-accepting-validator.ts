import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { toAppError } from './error-mapping.js';

/**
 * A route's validator for hot paths: a body `isValid` approves is taken as it
 * is, nothing copied; any other body (and every other part of the request)
 * goes to the zod validator, so refusals still name the field and the rule.
 * `isValid` must accept exactly what the route's schema accepts.
 */
export function fastAcceptingValidator<RouteSchema>(isValid: (body: unknown) => boolean): FastifySchemaCompiler<RouteSchema> {
  return (route) => {
    // Fastify hands the compiler each part's own schema, which on these routes is a zod type.
    const validate = validatorCompiler(route as unknown as Parameters<FastifySchemaCompiler<ZodType>>[0]);
    if (route.httpPart !== 'body') return validate;
    return (data) => (isValid(data) ? { value: data } : validate(data));
  };
}

/**
 * A route's body validator for its direct twin (direct-routes.ts): returns
 * the body `validator` accepts, or throws the error Fastify's route would
 * have answered, so both name the same field and rule.
 */
export function directBodyValidator<Body>(schema: ZodType, validator: FastifySchemaCompiler<ZodType>, url: string): (body: unknown) => Body {
  const validate = validator({ schema, method: 'POST', url, httpPart: 'body' }) as (data: unknown) => { value?: unknown; error?: unknown };
  return (body) => {
    const result = validate(body);
    if (result.error !== undefined) throw toAppError({ validation: result.error, validationContext: 'body' });
    return result.value as Body;
  };
}
