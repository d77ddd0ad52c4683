import fs from 'node:fs';
import path from 'node:path';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
} from 'kysely';
import type pg from 'pg';
import type { Config } from '../../config.js';
import type { Tables } from '../../tables.js';
import type { Dialect } from './dialect.js';
import { openSqliteConnection } from './sqlite-connection.js';
import { withStatementCache } from './statement-cache.js';

export type DatabaseHandle = Kysely<Tables>;

export interface Database {
  readonly handle: DatabaseHandle;
  readonly dialect: Dialect;
  /** PostgreSQL only: the schema Agentry's tables live in, when one is configured. */
  readonly schema?: string;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const PG_TIMESTAMPTZ = 1184;
const PG_TIMESTAMP = 1114;
const PG_JSON = 114;
const PG_JSONB = 3802;
const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * Both dialects hand repositories the same JavaScript shapes: timestamps as
 * ISO-8601 strings, JSON columns as their text, 64-bit integers as numbers.
 * That keeps every dialect difference inside this folder.
 */
function postgresTypeParser(types: typeof pg.types) {
  return (oid: number, format?: string): ((value: string) => unknown) => {
    switch (oid) {
      case PG_TIMESTAMPTZ:
      case PG_TIMESTAMP:
        return (value) => new Date(oid === PG_TIMESTAMP ? `${value}Z` : value).toISOString();
      case PG_JSON:
      case PG_JSONB:
        return (value) => value;
      case PG_INT8:
      case PG_NUMERIC:
        return (value) => Number(value);
      default:
        return types.getTypeParser(oid, format as 'text');
    }
  };
}

/**
 * Transactions take the write lock as they begin (`begin immediate`), waiting
 * up to the busy timeout for it. Another connection writes to the file too
 * (usage batches, see SqliteWriteThread), and a transaction that had read
 * before that connection committed could not write afterwards: SQLite fails
 * such a transaction at once (SQLITE_BUSY_SNAPSHOT) instead of waiting.
 */
class WriteLockingSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class WriteLockingSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new WriteLockingSqliteDriver(this.config);
  }
}

function openSqlite(file: string): Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const connection = openSqliteConnection(file);
  const handle = new Kysely<Tables>({ dialect: new WriteLockingSqliteDialect({ database: withStatementCache(connection) }) });
  return {
    handle,
    dialect: 'sqlite',
    async ping() {
      await sql`select 1`.execute(handle);
    },
    async close() {
      await handle.destroy();
    },
  };
}

async function openPostgres(config: Extract<Config['database'], { dialect: 'postgres' }>): Promise<Database> {
  // Loaded only here: SQLite deployments do not pay for the driver at start-up.
  const { default: pg } = await import('pg');
  if (config.schema) {
    // The schema must exist before a pooled connection can put it on its search path.
    const client = new pg.Client({ connectionString: config.url });
    await client.connect();
    try {
      await client.query(`create schema if not exists "${config.schema}"`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    types: { getTypeParser: postgresTypeParser(pg.types) as typeof pg.types.getTypeParser },
    ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
  });
  const handle = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    handle,
    dialect: 'postgres',
    ...(config.schema ? { schema: config.schema } : {}),
    async ping() {
      await sql`select 1`.execute(handle);
    },
    async close() {
      await handle.destroy();
    },
  };
}

export async function openDatabase(config: Config['database']): Promise<Database> {
  return config.dialect === 'sqlite' ? openSqlite(config.file) : openPostgres(config);
}
