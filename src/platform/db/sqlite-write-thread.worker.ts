/**
 * The thread behind `SqliteWriteThread`: its own connection to the database
 * file, on which each batch it is sent runs as one transaction.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { Statement } from 'better-sqlite3';
import { openSqliteConnection } from './sqlite-connection.js';

/** What a statement may bind: the values that survive a JSON round trip unchanged. */
export type WriteParameter = string | number | null;

export interface WriteStatement {
  readonly sql: string;
  /** Finite numbers only: the batch crosses to the thread as JSON. */
  readonly parameters: readonly WriteParameter[];
}

/**
 * A batch as it crosses to the thread: the SQL texts as they are, the
 * parameters as one JSON text. Structured clone, the default, cost about
 * twice as much CPU per record in all, on both threads.
 */
export interface WriteBatchRequest {
  readonly id: number;
  readonly sql: readonly string[];
  /** JSON of one parameter array per SQL text. */
  readonly parameters: string;
}

export type WriteBatchReply = { readonly id: number } | { readonly id: number; readonly error: string; readonly code: string | undefined };

export interface WriteThreadData {
  readonly file: string;
}

if (!parentPort) throw new Error('sqlite-write-thread.worker runs only as a worker thread.');
const port: MessagePort = parentPort;
const connection = openSqliteConnection((workerData as WriteThreadData).file);

// Callers send a handful of SQL texts over and over (one per batch size), so every one prepared is kept.
const prepared = new Map<string, Statement>();
function statementFor(sql: string): Statement {
  let statement = prepared.get(sql);
  if (!statement) {
    statement = connection.prepare(sql);
    prepared.set(sql, statement);
  }
  return statement;
}

const runBatch = connection.transaction((sql: readonly string[], parameters: ReadonlyArray<readonly WriteParameter[]>) => {
  for (let index = 0; index < sql.length; index += 1) statementFor(sql[index]!).run(parameters[index]);
});

port.on('message', (request: WriteBatchRequest) => {
  let reply: WriteBatchReply;
  try {
    runBatch(request.sql, JSON.parse(request.parameters) as ReadonlyArray<readonly WriteParameter[]>);
    reply = { id: request.id };
  } catch (error) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    reply = { id: request.id, error: String(message ?? error), code: typeof code === 'string' ? code : undefined };
  }
  port.postMessage(reply);
});

port.on('close', () => connection.close());
