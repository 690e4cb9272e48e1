import type Database from 'better-sqlite3';
import type { Row, SqlDriver, SqlExec } from './driver.js';

type Statement = Database.Statement<unknown[], Row>;

const bind = (params: readonly unknown[] = []): unknown[] =>
  params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));

/**
 * better-sqlite3 behind the async `SqlDriver`: calls run synchronously and hand back resolved
 * promises. One connection, so a transaction holds everything else off until it ends (calls made
 * meanwhile wait their turn instead of slipping into it).
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly stmts = new Map<string, Statement>();
  private txTail: Promise<unknown> = Promise.resolve();
  private inTx = false;
  private batchOpen = false;
  private batchTimer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly relaxed: SqlExec;
  private readonly direct: SqlExec;

  constructor(
    readonly db: Database.Database,
    private readonly groupCommitMs = 50,
  ) {
    const sync = (fn: () => unknown) => {
      try {
        return Promise.resolve(fn());
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    this.direct = {
      all: <T>(sql: string, params?: readonly unknown[]) => sync(() => this.stmt(sql).all(...bind(params))) as Promise<T[]>,
      get: <T>(sql: string, params?: readonly unknown[]) =>
        sync(() => this.stmt(sql).get(...bind(params))) as Promise<T | undefined>,
      run: (sql: string, params?: readonly unknown[]) =>
        sync(() => ({ changes: this.stmt(sql).run(...bind(params)).changes })) as Promise<{ changes: number }>,
    };
    const batched = <T>(fn: () => Promise<T>): Promise<T> => {
      if (this.inTx) return this.afterTx(() => batched(fn));
      this.openBatch();
      return fn();
    };
    this.relaxed = {
      all: (sql, params) => batched(() => this.direct.all(sql, params)),
      get: (sql, params) => batched(() => this.direct.get(sql, params)),
      run: (sql, params) => batched(() => this.direct.run(sql, params)),
    };
  }

  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[], Row>(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private afterTx<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.txTail.then(fn, fn);
    return p;
  }

  private free<T>(fn: () => Promise<T>): Promise<T> {
    return this.inTx ? this.afterTx(fn) : fn();
  }

  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.free(() => this.direct.all<T>(sql, params));
  }

  get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.free(() => this.direct.get<T>(sql, params));
  }

  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return this.free(() => this.direct.run(sql, params));
  }

  /** Runs a multi-statement script (migrations). */
  script(sql: string): void {
    this.db.exec(sql);
  }

  private openBatch(): void {
    if (this.batchOpen || this.closed) return;
    this.db.exec('BEGIN');
    this.batchOpen = true;
    this.batchTimer = setTimeout(() => this.commitBatch(), this.groupCommitMs);
  }

  private commitBatch(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (!this.batchOpen) return;
    this.batchOpen = false;
    this.db.exec('COMMIT');
  }

  transaction<T>(fn: (tx: SqlExec) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.commitBatch();
      this.db.exec('BEGIN IMMEDIATE');
      this.inTx = true;
      try {
        const r = await fn(this.direct);
        this.db.exec('COMMIT');
        return r;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      } finally {
        this.inTx = false;
      }
    };
    const p = this.txTail.then(run, run);
    this.txTail = p.catch(() => undefined);
    return p;
  }

  flush(): Promise<void> {
    return this.free(async () => this.commitBatch());
  }

  async exclusive(_name: string, fn: () => Promise<void>): Promise<boolean> {
    // One process owns a SQLite file; nothing to share the job with.
    await fn();
    return true;
  }

  notify(): Promise<void> {
    return Promise.resolve();
  }

  listen(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.txTail;
    this.commitBatch();
    this.closed = true;
    this.db.close();
  }
}
