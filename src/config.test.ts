import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('serves on embedded defaults with an empty environment', () => {
    const config = loadConfig({}, '/srv/agentry');
    expect(config.server).toMatchObject({ port: 8080, host: '127.0.0.1', heapGrowthPercent: 50 });
    expect(config.database).toEqual({ dialect: 'sqlite', file: path.join('/srv/agentry/data', 'agentry.db') });
    expect(config.blobDir).toBe('/srv/agentry/data/blobs');
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(config.outbound).toEqual({ allow: '', maxResponseBytes: 64 * 1024 * 1024 });
  });

  it('switches to PostgreSQL when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/agentry', AGENTRY_DATABASE_SCHEMA: 'tenant_a' });
    expect(config.database).toMatchObject({ dialect: 'postgres', url: 'postgres://u@db:5432/agentry', schema: 'tenant_a' });
  });

  it('lists every bad setting by variable name', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', AGENTRY_ADMIN_KEY: 'short', LOG_LEVEL: 'loud', AGENTRY_HEAP_GROWTH_PERCENT: '500', AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES: '10' });
      expect.unreachable('loadConfig accepted bad settings');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      for (const variable of ['PORT', 'DATABASE_URL', 'AGENTRY_ADMIN_KEY', 'LOG_LEVEL', 'AGENTRY_HEAP_GROWTH_PERCENT', 'AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES']) expect(message).toContain(variable);
    }
  });

  it('treats empty values as unset, as .env files write them', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).database.dialect).toBe('sqlite');
  });
});
