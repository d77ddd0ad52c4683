import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { isUniqueViolation, nowIso } from '../../platform/db/dialect.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { OffsetPage } from '../../platform/paging.js';
import type { SecretBox } from '../../platform/security/secret-box.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import {
  type ConnectionRow,
  clearDefaultConnection,
  deleteConnection,
  findConnection,
  findConnectionByName,
  insertConnection,
  listConnections,
  updateConnection,
} from './connection.repository.js';
import type {
  AccessMode,
  ConnectionListQuery,
  ConnectionType,
  ConnectionView,
  CreateConnectionInput,
  UpdateConnectionInput,
} from './connection.schemas.js';
import { SYSTEM_CONNECTION_NAMES, type SystemConnection } from './system-connections.js';

/** What inference needs to call a provider; holds the decrypted key, so it never leaves the server. */
export interface ResolvedConnection {
  readonly id: string;
  readonly name: string;
  readonly type: ConnectionType;
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly timeoutMs: number;
  /** Operator-declared endpoints are exempt from the outbound address policy. */
  readonly trusted: boolean;
}

export interface ConnectionServiceDependencies {
  readonly db: DatabaseHandle;
  readonly audit: AuditService;
  readonly secrets: SecretBox;
  readonly systemConnections: readonly SystemConnection[];
  /** The organization's governance policy (`disabledConnectionTypes`). */
  readonly disabledTypes: (orgId: string) => readonly ConnectionType[] | Promise<readonly ConnectionType[]>;
  /** Refuses base URLs the outbound address policy does not allow. */
  readonly checkBaseUrl: (url: string) => Promise<void>;
}

const ENTITY_TYPE = 'Connection';
const SYSTEM_TIMEOUT_MS = 120_000;
/** Types whose base address is well known; the others must be given one. */
const DEFAULT_BASE_URLS: Partial<Record<ConnectionType, string>> = {
  Anthropic: 'https://api.anthropic.com/v1',
  Gemini: 'https://generativelanguage.googleapis.com/v1beta',
};

function credentialsContext(row: Pick<ConnectionRow, 'org_id' | 'id'>): string {
  return `connection:${row.org_id}:${row.id}`;
}

function auditSnapshot(row: ConnectionRow): Record<string, unknown> {
  return {
    name: row.name,
    type: row.type,
    baseUrl: row.base_url,
    apiKey: row.credentials ? 'set' : null,
    isDefault: row.is_default === 1,
    accessMode: row.access_mode,
    models: JSON.parse(row.models) as string[],
    timeoutMs: row.timeout_ms,
  };
}

/** The connection, unless the organization's governance policy disables its type. */
function allowedBy<T extends { readonly type: ConnectionType }>(disabledTypes: readonly ConnectionType[], connection: T): T {
  if (disabledTypes.includes(connection.type)) {
    throw new ForbiddenError(
      `Connection type '${connection.type}' is disabled by the organization's governance policy (disabledConnectionTypes).`,
      'connection_type_disabled',
    );
  }
  return connection;
}

export class ConnectionService {
  /** What `resolve` answers for each operator-declared connection; they do not change while the process runs. */
  private readonly resolvedSystem: ReadonlyMap<string, ResolvedConnection>;

  constructor(private readonly deps: ConnectionServiceDependencies) {
    this.resolvedSystem = new Map(
      deps.systemConnections.map((system) => [
        system.name,
        Object.freeze({
          id: system.id,
          name: system.name,
          type: system.type,
          baseUrl: system.baseUrl,
          timeoutMs: SYSTEM_TIMEOUT_MS,
          trusted: true,
          ...(system.apiKey ? { apiKey: system.apiKey } : {}),
        }),
      ]),
    );
  }

  async list(orgId: string, query: ConnectionListQuery): Promise<OffsetPage<ConnectionView>> {
    const all = await this.views(orgId);
    const search = query.search?.toLowerCase();
    const matching = all.filter(
      (view) =>
        (!search || view.name.includes(search)) &&
        (!query.scope || view.scope === query.scope) &&
        (!query.type || view.type === query.type),
    );
    return {
      items: matching.slice(query.offset, query.offset + query.limit),
      totalCount: matching.length,
      offset: query.offset,
      limit: query.limit,
    };
  }

  /** Connections callers can address directly (`@<connection>/<model>`): Shared and not disabled by governance. */
  async addressable(orgId: string): Promise<ConnectionView[]> {
    return (await this.views(orgId)).filter((view) => !view.disabled && view.accessMode === 'Shared');
  }

  async get(orgId: string, id: string): Promise<ConnectionView> {
    const view = (await this.views(orgId)).find((candidate) => candidate.id === id);
    if (!view) throw new NotFoundError('Connection', id);
    return view;
  }

  async create(actor: Actor, input: CreateConnectionInput): Promise<ConnectionView> {
    this.refuseSystemName(input.name, 'body.name');
    const baseUrl = input.baseUrl ?? DEFAULT_BASE_URLS[input.type];
    if (!baseUrl) throw ValidationError.field('body.baseUrl', 'required', `is required for type ${input.type}`);
    await this.deps.checkBaseUrl(baseUrl);
    const now = nowIso();
    const row: ConnectionRow = {
      id: newId(),
      org_id: actor.orgId,
      name: input.name,
      type: input.type,
      base_url: baseUrl,
      credentials: null,
      is_default: input.isDefault ? 1 : 0,
      access_mode: input.accessMode,
      models: JSON.stringify(input.models),
      timeout_ms: input.timeoutMs,
      created_at: now,
      updated_at: now,
    };
    if (input.apiKey) row.credentials = this.deps.secrets.encrypt(input.apiKey, credentialsContext(row));
    await this.writeUnique(row.name, () =>
      this.deps.db.transaction().execute(async (transaction) => {
        if (row.is_default === 1) await clearDefaultConnection(transaction, actor.orgId);
        await insertConnection(transaction, row);
        await this.deps.audit.record(transaction, actor, {
          entityType: ENTITY_TYPE,
          entityId: row.id,
          changeType: 'Created',
          changes: changedProperties(null, auditSnapshot(row), ['apiKey']),
        });
      }),
    );
    return this.toView(row, await this.deps.disabledTypes(actor.orgId));
  }

  async update(actor: Actor, id: string, input: UpdateConnectionInput): Promise<ConnectionView> {
    this.refuseSystemWrite(id);
    if (input.name !== undefined) this.refuseSystemName(input.name, 'body.name');
    if (input.baseUrl) await this.deps.checkBaseUrl(input.baseUrl);
    const updated = await this.writeUnique(input.name ?? '', () =>
      this.deps.db.transaction().execute(async (transaction) => {
        const before = await findConnection(transaction, actor.orgId, id);
        if (!before) throw new NotFoundError('Connection', id);
        const baseUrl = input.baseUrl === undefined ? before.base_url : (input.baseUrl ?? DEFAULT_BASE_URLS[before.type as ConnectionType] ?? null);
        if (!baseUrl) throw ValidationError.field('body.baseUrl', 'required', `is required for type ${before.type}`);
        const after: ConnectionRow = {
          ...before,
          name: input.name ?? before.name,
          base_url: baseUrl,
          credentials:
            input.apiKey === undefined
              ? before.credentials
              : input.apiKey === null
                ? null
                : this.deps.secrets.encrypt(input.apiKey, credentialsContext(before)),
          is_default: input.isDefault === undefined ? before.is_default : input.isDefault ? 1 : 0,
          access_mode: input.accessMode ?? before.access_mode,
          models: input.models ? JSON.stringify(input.models) : before.models,
          timeout_ms: input.timeoutMs ?? before.timeout_ms,
          updated_at: nowIso(),
        };
        // A new key is a change even when both snapshots just say "set".
        const keyChanged = input.apiKey !== undefined && input.apiKey !== null && before.credentials !== null;
        const changes = changedProperties(auditSnapshot(before), auditSnapshot(after), ['apiKey']);
        if (keyChanged) changes.push({ propertyName: 'apiKey', oldValue: '***', newValue: '***' });
        if (changes.length === 0) return after;
        if (after.is_default === 1 && before.is_default === 0) await clearDefaultConnection(transaction, actor.orgId);
        const { id: _id, org_id: _org, created_at: _created, ...changed } = after;
        await updateConnection(transaction, actor.orgId, id, changed);
        await this.deps.audit.record(transaction, actor, { entityType: ENTITY_TYPE, entityId: id, changeType: 'Updated', changes });
        return after;
      }),
    );
    return this.toView(updated, await this.deps.disabledTypes(actor.orgId));
  }

  async delete(actor: Actor, id: string): Promise<void> {
    this.refuseSystemWrite(id);
    await this.deps.db.transaction().execute(async (transaction) => {
      const before = await findConnection(transaction, actor.orgId, id);
      if (!before) throw new NotFoundError('Connection', id);
      await deleteConnection(transaction, actor.orgId, id);
      await this.deps.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: id,
        changeType: 'Deleted',
        changes: changedProperties(auditSnapshot(before), null, ['apiKey']),
      });
    });
  }

  /**
   * Finds the connection a request names and checks it may be used: it exists
   * in the caller's organization (or is the operator's), its type is not
   * disabled by governance, and a Restricted one is only reached through a gateway.
   */
  resolve(orgId: string, name: string, options: { viaGateway: boolean }): ResolvedConnection | Promise<ResolvedConnection> {
    // An operator's connection with the organization's policy cached, as for nearly every gateway call: no promise.
    const system = this.resolvedSystem.get(name);
    if (system) {
      const disabled = this.deps.disabledTypes(orgId);
      if (disabled instanceof Promise) return disabled.then((types) => allowedBy(types, system));
      return allowedBy(disabled, system);
    }
    return this.resolveOwn(orgId, name, options);
  }

  private async resolveOwn(orgId: string, name: string, options: { viaGateway: boolean }): Promise<ResolvedConnection> {
    const row = await findConnectionByName(this.deps.db, orgId, name);
    if (!row) throw new NotFoundError('Connection', name);
    const connection = row as ConnectionRow;
    const type = connection.type as ConnectionType;
    allowedBy(await this.deps.disabledTypes(orgId), { type });
    if ((connection.access_mode as AccessMode) === 'Restricted' && !options.viaGateway) {
      throw new ForbiddenError(`Connection '${name}' is Restricted: only AI gateways that name it may use it.`, 'connection_restricted');
    }
    const apiKey = connection.credentials ? this.deps.secrets.decrypt(connection.credentials, credentialsContext(connection)) : undefined;
    return {
      id: connection.id,
      name,
      type,
      baseUrl: connection.base_url ?? '',
      timeoutMs: connection.timeout_ms,
      trusted: false,
      ...(apiKey ? { apiKey } : {}),
    };
  }

  private async views(orgId: string): Promise<ConnectionView[]> {
    const [rows, disabled] = await Promise.all([listConnections(this.deps.db, orgId), this.deps.disabledTypes(orgId)]);
    const system: ConnectionView[] = this.deps.systemConnections.map((connection) => ({
      id: connection.id,
      name: connection.name,
      type: connection.type,
      scope: 'System',
      isDefault: false,
      accessMode: 'Shared',
      baseUrl: connection.baseUrl,
      hasCredentials: connection.apiKey !== undefined,
      models: [],
      timeoutMs: SYSTEM_TIMEOUT_MS,
      disabled: disabled.includes(connection.type),
      createdAt: new Date(0).toISOString(),
    }));
    return [...system, ...rows.map((row) => this.toView(row, disabled))];
  }

  private toView(row: ConnectionRow, disabled: readonly ConnectionType[]): ConnectionView {
    const type = row.type as ConnectionType;
    return {
      id: row.id,
      name: row.name,
      type,
      scope: 'Organization',
      isDefault: row.is_default === 1,
      accessMode: row.access_mode as AccessMode,
      baseUrl: row.base_url,
      hasCredentials: row.credentials !== null,
      models: JSON.parse(row.models) as string[],
      timeoutMs: row.timeout_ms,
      disabled: disabled.includes(type),
      createdAt: row.created_at,
    };
  }

  private refuseSystemName(name: string, field: string): void {
    if (SYSTEM_CONNECTION_NAMES.has(name)) {
      throw ValidationError.field(field, 'reserved', `'${name}' is reserved for the operator's ${name} connection`);
    }
  }

  private refuseSystemWrite(id: string): void {
    if (this.deps.systemConnections.some((connection) => connection.id === id)) {
      throw new ForbiddenError('This connection is declared by the operator and is read-only.', 'connection_read_only');
    }
  }

  private async writeUnique<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A connection named '${name}' already exists.`, 'connection_name_taken');
      throw error;
    }
  }
}
