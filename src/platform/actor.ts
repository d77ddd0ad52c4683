/**
 * Who is acting, carried from the edge into every service that writes, so the
 * audit event of a change can name its actor and correlation id.
 */
export interface Actor {
  readonly orgId: string;
  /** The API key used; null for operator actions through the CLI. */
  readonly keyId: string | null;
  readonly keyLabel: string | null;
  /** Set when the key is scoped to one agent. */
  readonly agentId: string | null;
  readonly correlationId: string;
}

export function operatorActor(orgId: string, correlationId: string): Actor {
  return { orgId, keyId: null, keyLabel: 'operator (cli)', agentId: null, correlationId };
}
