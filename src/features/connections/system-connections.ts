import { v5 as uuidv5 } from 'uuid';
import type { Config } from '../../config.js';
import type { ConnectionType } from './connection.schemas.js';

/** A connection the operator declared through the environment: the same in every organization, read-only. */
export interface SystemConnection {
  readonly id: string;
  readonly name: 'openai' | 'anthropic' | 'gemini' | 'ollama';
  readonly type: ConnectionType;
  readonly baseUrl: string;
  readonly apiKey?: string;
}

/** Fixed namespace so a system connection keeps its id across restarts and nodes. */
const NAMESPACE = '6f1c2b1e-8a53-4f0e-9c1d-5b7a3e2d4c10';

export const SYSTEM_CONNECTION_NAMES: ReadonlySet<string> = new Set(['openai', 'anthropic', 'gemini', 'ollama']);

export function systemConnections(providers: Config['providers']): SystemConnection[] {
  const declared: SystemConnection[] = [];
  const add = (name: SystemConnection['name'], type: ConnectionType, baseUrl: string, apiKey?: string) =>
    declared.push({ id: uuidv5(name, NAMESPACE), name, type, baseUrl, ...(apiKey ? { apiKey } : {}) });
  if (providers.openai) add('openai', 'OpenAiCompatible', providers.openai.baseUrl, providers.openai.apiKey);
  if (providers.anthropic) add('anthropic', 'Anthropic', 'https://api.anthropic.com/v1', providers.anthropic.apiKey);
  if (providers.gemini) add('gemini', 'Gemini', 'https://generativelanguage.googleapis.com/v1beta', providers.gemini.apiKey);
  if (providers.ollama) add('ollama', 'Ollama', providers.ollama.baseUrl);
  return declared;
}
