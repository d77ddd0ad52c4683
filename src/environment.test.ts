import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withDotenv } from './environment.js';

describe('withDotenv', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'agentry-env-'));
  });
  afterEach(() => fs.rm(directory, { recursive: true, force: true }));

  it('reads .env, with the process environment winning', async () => {
    await fs.writeFile(path.join(directory, '.env'), 'PORT=9090\nHOST=0.0.0.0\n# comment\nLOG_LEVEL="debug"\n');
    expect(withDotenv({ PORT: '7070' }, directory)).toEqual({ PORT: '7070', HOST: '0.0.0.0', LOG_LEVEL: 'debug' });
  });

  it('returns the environment unchanged without a .env file', () => {
    const environment = { PORT: '1' };
    expect(withDotenv(environment, directory)).toBe(environment);
  });
});
