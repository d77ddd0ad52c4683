/** Field names whose values are secrets wherever they appear in a logged object (compared lower-cased). */
const SECRET_FIELDS = new Set([
  'authorization',
  'x-api-key',
  'organization-secret-key',
  'agent-secret-key',
  'cookie',
  'set-cookie',
  'apikey',
  'grantkey',
  'secret',
  'password',
  'token',
]);

export const CENSOR = '[Redacted]';
/** Log objects are small; a secret nested deeper than this is not looked for. */
const MAX_DEPTH = 4;

type Plain = Record<string, unknown>;

/** Plain objects and arrays are walked; class instances (errors, requests) have serializers of their own. */
function isWalkable(value: unknown): value is Plain | unknown[] {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function isSecretField(name: string): boolean {
  return SECRET_FIELDS.has(name.toLowerCase());
}

function containsSecret(value: Plain | unknown[], depth: number): boolean {
  if (Array.isArray(value)) {
    return depth < MAX_DEPTH && value.some((item) => isWalkable(item) && containsSecret(item, depth + 1));
  }
  for (const name in value) {
    if (isSecretField(name)) return true;
    const field = value[name];
    if (depth < MAX_DEPTH && isWalkable(field) && containsSecret(field, depth + 1)) return true;
  }
  return false;
}

function censored(value: Plain | unknown[], depth: number): Plain | unknown[] {
  const walk = (item: unknown) => (depth < MAX_DEPTH && isWalkable(item) ? censored(item, depth + 1) : item);
  if (Array.isArray(value)) return value.map(walk);
  const copy: Plain = {};
  for (const name in value) copy[name] = isSecretField(name) ? CENSOR : walk(value[name]);
  return copy;
}

/**
 * Replaces the values of secret fields (keys, tokens, passwords, credential
 * headers) in an object about to be logged. Runs on every log line, so an
 * object without secrets — nearly all of them — is returned as it is, with
 * nothing allocated; only one that has some is copied.
 */
export function redactSecrets<T extends Plain>(object: T): T {
  return containsSecret(object, 0) ? (censored(object, 0) as T) : object;
}
