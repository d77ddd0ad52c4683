import { ValidationError } from '../../platform/errors.js';
import { CONNECTION_MODEL_PATTERN } from './ai-gateway-parameters.js';

/** A connection as agents name it: by id or by name. */
export interface AgentConnection {
  readonly id: string;
  readonly name: string;
  readonly isDefault: boolean;
}

/** Where a gateway's model is: through a connection, or (gateways made on the Gateway API) at a base address. */
export interface GatewayModel {
  readonly baseAddress: string;
  readonly modelName: string;
}

/** What an agent request says about its model; either field may be absent. */
export interface AgentModelRequest {
  readonly connectionId?: string | undefined;
  readonly modelName?: string | undefined;
}

/** `@groq/llama-3` → connection `groq`, model `llama-3`; a plain model id has no connection. */
export function splitGatewayModel(modelName: string): { connectionName: string | null; model: string } {
  const match = CONNECTION_MODEL_PATTERN.exec(modelName);
  return match?.[1] && match[2] ? { connectionName: match[1], model: match[2] } : { connectionName: null, model: modelName };
}

function findConnection(connections: readonly AgentConnection[], idOrName: string): AgentConnection | undefined {
  return connections.find((connection) => connection.id === idOrName) ?? connections.find((connection) => connection.name === idOrName);
}

function throughConnection(connection: AgentConnection, model: string): GatewayModel {
  return { baseAddress: '', modelName: `@${connection.name}/${model}` };
}

/**
 * The gateway model an agent request asks for, or null when it leaves the
 * model alone. A model without a connection keeps the agent's current
 * connection (or base address); a new agent falls back to the organization's
 * default connection.
 */
export function resolveAgentModel(
  request: AgentModelRequest,
  current: GatewayModel | null,
  connections: readonly AgentConnection[],
): GatewayModel | null {
  const { connectionId, modelName } = request;
  if (connectionId === undefined && modelName === undefined) return null;
  const sent = modelName === undefined ? null : splitGatewayModel(modelName);
  if (sent?.connectionName) {
    const named = findConnection(connections, sent.connectionName);
    if (!named) throw ValidationError.field('body.modelName', 'not_found', `names connection '${sent.connectionName}', which the organization does not have`);
    if (connectionId !== undefined && findConnection(connections, connectionId) !== named) {
      throw ValidationError.field('body.connectionId', 'conflict', 'names another connection than `modelName`; send one of them');
    }
    return throughConnection(named, sent.model);
  }
  const existing = current === null ? null : splitGatewayModel(current.modelName);
  const model = sent?.model ?? existing?.model;
  if (model === undefined) throw ValidationError.field('body.modelName', 'required', 'is required');
  if (connectionId !== undefined) {
    const connection = findConnection(connections, connectionId);
    if (!connection) throw ValidationError.field('body.connectionId', 'not_found', `'${connectionId}' is not a connection of the organization`);
    return throughConnection(connection, model);
  }
  if (current !== null) {
    const currentConnection = existing?.connectionName;
    return currentConnection ? { baseAddress: '', modelName: `@${currentConnection}/${model}` } : { baseAddress: current.baseAddress, modelName: model };
  }
  const fallback = connections.find((connection) => connection.isDefault);
  if (!fallback) {
    throw ValidationError.field('body.connectionId', 'required', 'is required: the organization has no default connection (or send `modelName` as `@<connection>/<model>`)');
  }
  return throughConnection(fallback, model);
}

/** The connection id an agent shows for a gateway model: the id of the connection it names, its name if that connection is gone. */
export function connectionIdOf(modelName: string, connections: readonly AgentConnection[]): string | null {
  const { connectionName } = splitGatewayModel(modelName);
  if (connectionName === null) return null;
  return connections.find((connection) => connection.name === connectionName)?.id ?? connectionName;
}
