import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The key that encrypts secrets at rest: the operator's AGENTRY_SECRET_KEY,
 * or else one generated once into the data directory (mode 0600), so a single
 * node works on embedded defaults. Nodes sharing PostgreSQL must share the key
 * and therefore set AGENTRY_SECRET_KEY.
 */
export function resolveSecretKey(configured: string | undefined, dataDir: string): { key: string; source: 'environment' | 'file' } {
  if (configured) return { key: configured, source: 'environment' };
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return { key: fs.readFileSync(file, 'utf8').trim(), source: 'file' };
}
