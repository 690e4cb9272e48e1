/**
 * The one query layer under central's store: portable SQL with `?` placeholders, run by SQLite
 * (better-sqlite3, the embedded default) or PostgreSQL (pg, for several replicas). Statements are
 * written once; only migrations differ per dialect.
 *
 * Portable means: no `INSERT OR …` (use `ON CONFLICT`), no two-argument `max()` (use CASE), no
 * `rowid`, times as integer milliseconds, JSON stored as text.
 */
type Dialect = 'sqlite' | 'postgres';

export type Row = Record<string, unknown>;

export interface SqlExec {
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** `changes`: rows inserted, updated or deleted. */
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
}

export interface SqlDriver extends SqlExec {
  readonly dialect: Dialect;
  /** All statements of `fn` commit together or not at all. */
  transaction<T>(fn: (tx: SqlExec) => Promise<T>): Promise<T>;
  /**
   * For monitoring writes that may lag by a few tens of milliseconds on a crash (replay
   * watermarks, heartbeat figures): SQLite joins them into one open transaction committed every
   * `groupCommitMs`; PostgreSQL runs them on connections with `synchronous_commit = off`. Either
   * way the conditional update itself is atomic, so replicas never both accept one request.
   */
  readonly relaxed: SqlExec;
  /** Commits whatever `relaxed` holds back (SQLite). */
  flush(): Promise<void>;
  /**
   * Runs `fn` only if no other replica is running the job of that name right now (PostgreSQL
   * advisory lock; SQLite has one process). Returns false when another holds it.
   */
  exclusive(name: string, fn: () => Promise<void>): Promise<boolean>;
  /** Tells every replica (PostgreSQL NOTIFY); SQLite has only this process, so nothing to do. */
  notify(channel: string, payload: string): Promise<void>;
  /** Calls `fn` for each notification on the channel from any replica (this one included). */
  listen(channel: string, fn: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

/** `?` → `$1, $2, …` outside string literals (PostgreSQL's placeholders). */
export function numberedPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quoted = false;
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    if (ch === '?' && !quoted) out += `$${++n}`;
    else out += ch;
  }
  return out;
}

/** A stable 32-bit key for an advisory lock name. */
export function lockKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
