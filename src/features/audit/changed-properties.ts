import { MASKED_SECRET } from '../../platform/security/secrets.js';

export interface ChangedProperty {
  /** Dotted path for nested settings, e.g. `parameters.automaticJsonHealing`. */
  readonly propertyName: string;
  readonly oldValue: unknown;
  readonly newValue: unknown;
}

type Snapshot = Readonly<Record<string, unknown>>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(snapshot: Snapshot, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, value] of Object.entries(snapshot)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value) && Object.keys(value).length > 0) flatten(value, name, into);
    else into.set(name, value);
  }
  return into;
}

function isSecret(propertyName: string, secretProperties: readonly string[]): boolean {
  return secretProperties.some((secret) => propertyName === secret || propertyName.startsWith(`${secret}.`));
}

/**
 * The properties that differ between two snapshots of an entity, nested
 * objects flattened to dotted names. Secret properties appear (so the audit log
 * shows that they changed) but never with their values.
 */
export function changedProperties(
  before: Snapshot | null,
  after: Snapshot | null,
  secretProperties: readonly string[] = [],
): ChangedProperty[] {
  const old = flatten(before ?? {});
  const next = flatten(after ?? {});
  const names = new Set([...old.keys(), ...next.keys()]);
  const changes: ChangedProperty[] = [];
  for (const propertyName of names) {
    const oldValue = old.get(propertyName) ?? null;
    const newValue = next.get(propertyName) ?? null;
    if (JSON.stringify(oldValue) === JSON.stringify(newValue)) continue;
    const secret = isSecret(propertyName, secretProperties);
    changes.push({
      propertyName,
      oldValue: secret && oldValue !== null ? MASKED_SECRET : oldValue,
      newValue: secret && newValue !== null ? MASKED_SECRET : newValue,
    });
  }
  return changes.sort((a, b) => a.propertyName.localeCompare(b.propertyName));
}
