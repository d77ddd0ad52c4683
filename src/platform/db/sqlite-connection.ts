import SqliteDatabase from 'better-sqlite3';

/**
 * How long a connection waits for another one's write lock before it gives
 * up with SQLITE_BUSY. The main thread and the write thread (see
 * SqliteWriteThread) each hold it for milliseconds at a time.
 */
const BUSY_TIMEOUT_MS = 5_000;

/** Opens Agentry's SQLite file with the settings every connection to it shares, on any thread. */
export function openSqliteConnection(file: string): SqliteDatabase.Database {
  const connection = new SqliteDatabase(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return connection;
}
