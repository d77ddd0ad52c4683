import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { Environment } from './config.js';

/**
 * The process environment over the `.env` file of `directory`, if there is
 * one: a variable set in the environment wins over the file.
 */
export function withDotenv(environment: Environment, directory: string): Environment {
  const file = path.join(directory, '.env');
  if (!fs.existsSync(file)) return environment;
  return { ...parseEnv(fs.readFileSync(file, 'utf8')), ...environment };
}
