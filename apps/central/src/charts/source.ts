import type { Statement } from 'better-sqlite3';
import type { Db } from '@kiosk/platform';

/**
 * Where chart queries and history writes run. The SQL is plain strings with `?` parameters in a
 * portable subset (SQLite and PostgreSQL: integer epoch-ms arithmetic, ON CONFLICT upserts, no
 * JSON or date functions), so a PostgreSQL store can run the same text (its `queryRows` turning
 * `?` into `$n`).
 */
export interface ChartSource {
  queryRows<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  /** Runs each statement with its parameters in one transaction. */
  execute(statements: readonly { sql: string; params: readonly unknown[] }[]): Promise<void>;
}

/** The SQLite implementation on central's existing database handle (statements prepared once). */
export function sqliteChartSource(db: Db): ChartSource {
  // Parameters are bound positionally, whatever their number.
  type Stmt = Statement<unknown[]>;
  const prepared = new Map<string, Stmt>();
  const stmt = (sql: string): Stmt => {
    let s = prepared.get(sql);
    if (!s) prepared.set(sql, (s = db.prepare<unknown[]>(sql)));
    return s;
  };
  return {
    queryRows<T>(sql: string, params: readonly unknown[]) {
      return Promise.resolve(stmt(sql).all(...(params as unknown[])) as T[]);
    },
    execute(statements) {
      db.transaction(() => {
        for (const s of statements) stmt(s.sql).run(...(s.params as unknown[]));
      })();
      return Promise.resolve();
    },
  };
}
