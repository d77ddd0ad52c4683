import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyService, KeyConfirmation, KeyLimits, KeyVerification } from '../../features/api-keys/index.js';
import type { Actor } from '../../platform/actor.js';
import { ForbiddenError, UnauthenticatedError } from '../../platform/errors.js';
import { textsEqualInConstantTime } from '../../platform/security/secrets.js';

/** Who the credentials of a request belong to. */
export interface Principal {
  readonly orgId: string;
  readonly keyId: string;
  readonly keyLabel: string;
  /** Set for agent-scoped keys: such a key may act only on this agent. */
  readonly agentId: string | null;
  readonly limits: KeyLimits;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Where credentials are looked for: a Fastify request, or node's own on a direct route (which has no query string). */
export interface CredentialSource {
  readonly headers: IncomingHttpHeaders;
  readonly query?: unknown;
  /** The connection the request came on: the key it authenticated with last is remembered with it. */
  readonly socket?: object | null;
}

interface PresentedCredentials {
  readonly secret: string;
  /** `X-Org-Id`, which must name the key's organization when sent. */
  readonly claimedOrgId?: string;
  /** Set when the `Authorization` header alone carries the credentials, so that header decides the principal. */
  readonly fromAuthorization?: true;
}

function header(request: CredentialSource, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.trim() !== '' ? text.trim() : undefined;
}

function queryKey(request: CredentialSource): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.['api-key'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The credential styles of the five contracts, in the order they are looked
 * for. Every contract accepts every style; the key decides the scope.
 */
function presentedCredentials(request: CredentialSource): PresentedCredentials | undefined {
  const authorization = header(request, 'authorization');
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization);
    if (!match?.[1]) throw new UnauthenticatedError('invalid_credentials', 'Authorization must be "Bearer <api key>".');
    return { secret: match[1].trim(), fromAuthorization: true };
  }
  const xApiKey = header(request, 'x-api-key');
  if (xApiKey) {
    const claimedOrgId = header(request, 'x-org-id');
    return claimedOrgId ? { secret: xApiKey, claimedOrgId } : { secret: xApiKey };
  }
  const secret = header(request, 'organization-secret-key') ?? header(request, 'agent-secret-key') ?? queryKey(request);
  return secret ? { secret } : undefined;
}

/** Synchronous for keys verified recently (nearly every request), a promise when the database must be asked. */
export type Authenticate = (request: CredentialSource) => Principal | Promise<Principal>;

function principalFor(verification: KeyVerification, credentials: PresentedCredentials): Principal {
  if (verification.status === 'expired') {
    throw new UnauthenticatedError('key_expired', `The API key expired at ${verification.expiredAt}.`);
  }
  if (verification.status === 'invalid') {
    throw new UnauthenticatedError('invalid_credentials', 'The API key is not valid.');
  }
  const { key } = verification;
  if (credentials.claimedOrgId !== undefined && credentials.claimedOrgId !== key.orgId) {
    throw new UnauthenticatedError('invalid_credentials', 'X-Org-Id does not match the organization of the API key.');
  }
  return { orgId: key.orgId, keyId: key.id, keyLabel: key.label, agentId: key.agentId, limits: key.limits };
}

/** What a connection last authenticated with through `Authorization`, and who that was. */
interface RememberedCredentials {
  readonly authorization: string;
  readonly principal: Principal;
  readonly confirmation: KeyConfirmation;
}

/**
 * Clients send their key again on every request of a kept-alive connection,
 * so each connection remembers the `Authorization` header it last
 * authenticated with: the same header again is confirmed by the key service
 * (same TTL and eviction rules as its verification cache, see
 * ApiKeyService.confirm) without computing the secret's digest, which was
 * most of an authentication's cost. The header is compared in constant
 * time, and only with what the same connection sent before; it is forgotten
 * with the connection.
 */
export function createAuthenticator(apiKeys: ApiKeyService): Authenticate {
  const byConnection = new WeakMap<object, RememberedCredentials>();
  return (request) => {
    const { authorization } = request.headers;
    const connection = request.socket;
    if (connection && authorization !== undefined) {
      const remembered = byConnection.get(connection);
      if (
        remembered !== undefined &&
        textsEqualInConstantTime(remembered.authorization, authorization) &&
        apiKeys.confirm(remembered.confirmation, Date.now())
      ) {
        return remembered.principal;
      }
    }
    const credentials = presentedCredentials(request);
    if (!credentials) {
      throw new UnauthenticatedError(
        'missing_credentials',
        'No API key was sent. Use "Authorization: Bearer <key>", "?api-key=<key>", "X-Api-Key" with "X-Org-Id", "Organization-Secret-Key" or "Agent-Secret-Key".',
      );
    }
    const verification = apiKeys.verify(credentials.secret);
    const principalOfVerified = (verified: KeyVerification): Principal => {
      const principal = principalFor(verified, credentials);
      if (connection && authorization !== undefined && credentials.fromAuthorization && verified.status === 'valid') {
        byConnection.set(connection, { authorization, principal, confirmation: verified.confirmation });
      }
      return principal;
    };
    return verification instanceof Promise ? verification.then(principalOfVerified) : principalOfVerified(verification);
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthenticatedError('missing_credentials', 'This route requires an API key.');
  return request.principal;
}

export function actorOf(request: FastifyRequest): Actor {
  return actorFor(principalOf(request), request.id);
}

export function actorFor(principal: Principal, correlationId: string): Actor {
  return {
    orgId: principal.orgId,
    keyId: principal.keyId,
    keyLabel: principal.keyLabel,
    agentId: principal.agentId,
    correlationId,
  };
}

/** Organization-wide operations refuse agent-scoped keys. */
export function requireOrganizationScope(principal: Principal): void {
  if (principal.agentId !== null) {
    throw new ForbiddenError('This API key is scoped to one agent; this operation needs an organization-wide key.', 'key_scope');
  }
}

/** An agent-scoped key may act on its own agent only. */
export function requireAgentAccess(principal: Principal, agentId: string): void {
  if (principal.agentId !== null && principal.agentId !== agentId) {
    throw new ForbiddenError('This API key is scoped to another agent.', 'key_scope');
  }
}
