import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSecretKey } from './secret-key-file.js';

describe('resolveSecretKey', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'agentry-key-'));
  afterEach(() => fs.rmSync(path.join(directory, 'secret.key'), { force: true }));

  it('prefers the configured key', () => {
    expect(resolveSecretKey('x'.repeat(32), directory)).toEqual({ key: 'x'.repeat(32), source: 'environment' });
    expect(fs.existsSync(path.join(directory, 'secret.key'))).toBe(false);
  });

  it('creates a private key file once and reuses it', () => {
    const first = resolveSecretKey(undefined, directory);
    const second = resolveSecretKey(undefined, directory);
    expect(first.source).toBe('file');
    expect(first.key.length).toBeGreaterThanOrEqual(64);
    expect(second.key).toBe(first.key);
    expect(fs.statSync(path.join(directory, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});
