import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';

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
