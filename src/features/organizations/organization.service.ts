import { randomUUID } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import { type Actor, operatorActor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { nowIso } from '../../platform/db/dialect.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { generateSalt } from '../../platform/security/secrets.js';
import type { ApiKeyService } from '../api-keys/index.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import {
  countOrganizations,
  balanceDeduction,
  findOrganization,
  insertOrganization,
  listOrganizations,
  type OrganizationRow,
  updateOrganization,
} from './organization.repository.js';
import {
  type AccountView,
  type BalanceChange,
  defaultOrganizationParameters,
  type OrganizationParameters,
  type UpdateAccountInput,
} from './organization.schemas.js';

const ENTITY_TYPE = 'Organization';

export interface CreatedOrganization {
  readonly organization: AccountView;
  readonly apiKey: { readonly id: string; readonly secret: string };
}

export interface OrganizationServiceOptions {
  readonly defaultAuditRetentionDays: number;
  /**
   * How long the inference path may use a remembered organization row for its
   * governance and balance checks. Writes on this node evict it at once; other
   * nodes see a change within this time.
   */
  readonly policyCacheTtlMs?: number;
}

const DEFAULT_POLICY_CACHE_TTL_MS = 2_000;

function parametersOf(row: OrganizationRow): OrganizationParameters {
  return { ...defaultOrganizationParameters, ...(JSON.parse(row.parameters) as Partial<OrganizationParameters>) };
}

function toView(row: OrganizationRow): AccountView {
  return {
    id: row.id,
    name: row.name,
    parameters: parametersOf(row),
    balance: row.balance,
    balanceLimited: row.balance_limited === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

type DisabledTypes = OrganizationParameters['disabledConnectionTypes'];

/** What the inference path checks about an organization. */
interface InferencePolicy {
  readonly row: OrganizationRow;
  readonly disabledTypes: DisabledTypes;
}

function refuseExhaustedBalance({ row }: InferencePolicy): void {
  if (row.balance_limited === 1 && row.balance <= 0) {
    throw new AppError('payment_required', 'balance_exhausted', `The organization's balance is used up (${row.balance}); an operator can add to it.`);
  }
}

export class OrganizationService {
  /** Rows for the inference path's checks, with the governance policy parsed once per row rather than per call. */
  private readonly policyCache = new Map<string, InferencePolicy & { until: number }>();

  constructor(
    private readonly db: DatabaseHandle,
    private readonly audit: AuditService,
    private readonly apiKeys: ApiKeyService,
    private readonly options: OrganizationServiceOptions,
  ) {}

  async getAccount(orgId: string): Promise<AccountView> {
    return toView(await this.requireRow(this.db, orgId));
  }

  async getSalt(orgId: string): Promise<string> {
    return (await this.requireRow(this.db, orgId)).salt;
  }

  async list(): Promise<AccountView[]> {
    return (await listOrganizations(this.db)).map(toView);
  }

  async updateAccount(actor: Actor, input: UpdateAccountInput): Promise<AccountView> {
    return this.db.transaction().execute(async (transaction) => {
      const before = await this.requireRow(transaction, actor.orgId);
      const oldView = toView(before);
      const parameters = { ...oldView.parameters, ...input.parameters };
      const changes = changedProperties(
        { name: oldView.name, parameters: oldView.parameters },
        { name: input.name ?? oldView.name, parameters },
      );
      if (changes.length === 0) return oldView;
      const updatedAt = nowIso();
      await updateOrganization(transaction, actor.orgId, {
        name: input.name ?? before.name,
        parameters: JSON.stringify(parameters),
        updated_at: updatedAt,
      });
      await this.audit.record(transaction, actor, { entityType: ENTITY_TYPE, entityId: actor.orgId, changeType: 'Updated', changes });
      this.policyCache.delete(actor.orgId);
      return { ...oldView, name: input.name ?? oldView.name, parameters, updatedAt };
    });
  }

  async rollSalt(actor: Actor): Promise<void> {
    await this.db.transaction().execute(async (transaction) => {
      const before = await this.requireRow(transaction, actor.orgId);
      const salt = generateSalt();
      await updateOrganization(transaction, actor.orgId, { salt, updated_at: nowIso() });
      await this.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: actor.orgId,
        changeType: 'Updated',
        changes: changedProperties({ salt: before.salt }, { salt }, ['salt']),
      });
    });
  }

  /** Operators only: tenants have no route that changes their balance. */
  async changeBalance(orgId: string, change: BalanceChange, correlationId: string = randomUUID()): Promise<AccountView> {
    const actor = operatorActor(orgId, correlationId);
    return this.db.transaction().execute(async (transaction) => {
      const before = await this.requireRow(transaction, orgId);
      const balance = 'set' in change ? change.set : before.balance + change.add;
      const updatedAt = nowIso();
      await updateOrganization(transaction, orgId, { balance, balance_limited: 1, updated_at: updatedAt });
      await this.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: orgId,
        changeType: 'Updated',
        changes: changedProperties({ balance: before.balance }, { balance }),
      });
      this.policyCache.delete(orgId);
      return { ...toView(before), balance, balanceLimited: true, updatedAt };
    });
  }

  /** Creates an organization with its first organization-wide key, in one transaction. */
  async create(
    input: { readonly name: string; readonly firstKeySecret?: string; readonly firstKeyLabel?: string },
    correlationId: string = randomUUID(),
  ): Promise<CreatedOrganization> {
    return this.db.transaction().execute((transaction) => this.createIn(transaction, input, correlationId));
  }

  /**
   * On first start with an empty database, creates the first organization.
   * Returns null when organizations already exist.
   */
  async bootstrap(input: { readonly name: string; readonly adminKey?: string }): Promise<CreatedOrganization | null> {
    return this.db.transaction().execute(async (transaction) => {
      if ((await countOrganizations(transaction)) > 0) return null;
      return this.createIn(
        transaction,
        { name: input.name, firstKeyLabel: 'admin', ...(input.adminKey ? { firstKeySecret: input.adminKey } : {}) },
        randomUUID(),
      );
    });
  }

  /**
   * Refuses spending once an operator-set balance is used up. Synchronous
   * while the organization is cached, as it is for nearly every call: this
   * runs on every inference request, and a promise there costs more than the check.
   */
  assertCanSpend(orgId: string): void | Promise<void> {
    const policy = this.policy(orgId);
    if (policy instanceof Promise) return policy.then(refuseExhaustedBalance);
    refuseExhaustedBalance(policy);
  }

  /** The statement that deducts usage cost, for the usage batch that records it to run in its own transaction. */
  balanceDeduction(orgId: string, amount: number): CompiledQuery {
    return balanceDeduction(this.db, orgId, amount);
  }

  /** After a usage batch deducted an organization's spending: the next call reads its balance again. */
  forgetBalance(orgId: string): void {
    this.policyCache.delete(orgId);
  }

  /** The governance policy that connections enforce; synchronous while the organization is cached. */
  disabledConnectionTypes(orgId: string): DisabledTypes | Promise<DisabledTypes> {
    const policy = this.policy(orgId);
    return policy instanceof Promise ? policy.then((loaded) => loaded.disabledTypes) : policy.disabledTypes;
  }

  /** The organization row for checks on the inference path, remembered briefly (see policyCacheTtlMs). */
  private policy(orgId: string): InferencePolicy | Promise<InferencePolicy> {
    const now = Date.now();
    const cached = this.policyCache.get(orgId);
    if (cached && cached.until > now) return cached;
    return this.requireRow(this.db, orgId).then((row) => {
      const entry = { row, disabledTypes: parametersOf(row).disabledConnectionTypes, until: now + (this.options.policyCacheTtlMs ?? DEFAULT_POLICY_CACHE_TTL_MS) };
      this.policyCache.set(orgId, entry);
      return entry;
    });
  }

  /** Each organization's audit retention, with the operator default filled in. */
  async auditRetentionPolicies(): Promise<Array<{ orgId: string; retentionDays: number }>> {
    return (await listOrganizations(this.db)).map((row) => ({
      orgId: row.id,
      retentionDays: parametersOf(row).auditLogRetentionDays ?? this.options.defaultAuditRetentionDays,
    }));
  }

  private async createIn(
    transaction: DatabaseHandle,
    input: { readonly name: string; readonly firstKeySecret?: string; readonly firstKeyLabel?: string },
    correlationId: string,
  ): Promise<CreatedOrganization> {
    const now = nowIso();
    const row: OrganizationRow = {
      id: newId(),
      name: input.name,
      salt: generateSalt(),
      parameters: JSON.stringify(defaultOrganizationParameters),
      balance: 0,
      balance_limited: 0,
      created_at: now,
      updated_at: now,
    };
    await insertOrganization(transaction, row);
    const actor = operatorActor(row.id, correlationId);
    await this.audit.record(transaction, actor, {
      entityType: ENTITY_TYPE,
      entityId: row.id,
      changeType: 'Created',
      changes: changedProperties(null, { name: row.name, parameters: defaultOrganizationParameters }),
    });
    const apiKey = await this.apiKeys.issue(transaction, actor, {
      label: input.firstKeyLabel ?? 'admin',
      ...(input.firstKeySecret ? { secret: input.firstKeySecret } : {}),
    });
    return { organization: toView(row), apiKey };
  }

  private async requireRow(db: DatabaseHandle, orgId: string): Promise<OrganizationRow> {
    const row = await findOrganization(db, orgId);
    if (!row) throw new NotFoundError('Organization', orgId);
    return row;
  }
}
