/**
 * The dialects every integration suite runs on: SQLite always, PostgreSQL when
 * TEST_DATABASE_URL names a server (CI sets it).
 */
export type TestDialect = 'sqlite' | 'postgres';

export const postgresUrl: string | undefined = process.env.TEST_DATABASE_URL || undefined;

export const dialects: TestDialect[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
