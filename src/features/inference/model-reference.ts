import { NotFoundError } from '../../platform/errors.js';

export type ModelReference =
  | { readonly kind: 'connection'; readonly connection: string; readonly model: string }
  | { readonly kind: 'gateway'; readonly gatewayId: string };

const CONNECTION_MODEL = /^@([a-z0-9][a-z0-9._-]{0,62})\/(.+)$/;

/** `@<connection>/<model>` names a connection's model; anything else names a gateway (or agent) by id. */
export function parseModelReference(model: string): ModelReference {
  const match = CONNECTION_MODEL.exec(model);
  if (match?.[1] && match[2]) return { kind: 'connection', connection: match[1], model: match[2] };
  if (model.startsWith('@')) throw new NotFoundError('Model', model);
  return { kind: 'gateway', gatewayId: model };
}
