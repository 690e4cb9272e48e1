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
  // Parameters are bound positionally, whatever their number (better-sqlite3's typings want a tuple).
  type Stmt = { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
  const prepared = new Map<string, Stmt>();
  const stmt = (sql: string): Stmt => {
    let s = prepared.get(sql);
    if (!s) prepared.set(sql, (s = db.prepare(sql) as unknown as Stmt));
    return s;
  };
  return {
    queryRows<T>(sql: string, params: readonly unknown[]) {
      return Promise.resolve(stmt(sql).all(...params) as T[]);
    },
    execute(statements) {
      db.transaction(() => {
        for (const s of statements) stmt(s.sql).run(...s.params);
      })();
      return Promise.resolve();
    },
  };
}

/** What `chartSourceFromSql` needs: portable `all`, and `run` inside a transaction. */
export interface PortableSql {
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  transaction<T>(fn: (tx: { run(sql: string, params?: readonly unknown[]): Promise<unknown> }) => Promise<T>): Promise<T>;
}

/**
 * A ChartSource on any driver speaking portable SQL with `?` placeholders (such as a PostgreSQL
 * store's driver, which numbers the placeholders itself).
 */
export function chartSourceFromSql(sql: PortableSql): ChartSource {
  return {
    queryRows: <T>(text: string, params: readonly unknown[]) => sql.all<T>(text, params),
    execute: async (statements) => {
      await sql.transaction(async (tx) => {
        for (const s of statements) await tx.run(s.sql, s.params);
      });
    },
  };
}
