import pg from 'pg';
import { lockKey, numberedPlaceholders, type Row, type SqlDriver, type SqlExec } from './driver.js';

// Times are BIGINT milliseconds and counts are BIGINT: both fit a JS number, so read them as one
// (pg's default is a string). NUMERIC (sum/avg of integers) too, for the chart queries.
type Parser = (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;
const builtIn = pg.types.getTypeParser as Parser;
const toNumber = (v: string): number => Number(v);
const parser: Parser = (oid, format) => (oid === 20 || oid === 1700 ? toNumber : builtIn(oid, format));
const types = { getTypeParser: parser };

const sqlCache = new Map<string, string>();
function pgSql(sql: string): string {
  let s = sqlCache.get(sql);
  if (s === undefined) {
    s = numberedPlaceholders(sql);
    if (sqlCache.size < 10_000) sqlCache.set(sql, s);
  }
  return s;
}

const bind = (params: readonly unknown[] = []): unknown[] => params.map((p) => (p === undefined ? null : p));

function execOn(q: { query: pg.Pool['query'] } | pg.PoolClient): SqlExec {
  const query = (sql: string, params?: readonly unknown[]) => (q as pg.Pool).query<Row>(pgSql(sql), bind(params));
  return {
    all: async <T>(sql: string, params?: readonly unknown[]) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: readonly unknown[]) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: readonly unknown[]) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
  };
}

export interface PgDriverOptions {
  url: string;
  /** Connections per pool (two pools: durable and relaxed). */
  max?: number;
}

/**
 * PostgreSQL behind the `SqlDriver`: one pool for durable work, one whose sessions commit
 * asynchronously (`synchronous_commit = off`) for monitoring writes. Several central replicas
 * share the database; everything that must happen once is a conditional statement here.
 */
export class PgDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly relaxedPool: pg.Pool;
  private readonly exec: SqlExec;
  readonly relaxed: SqlExec;
  private readonly url: string;
  private listener: pg.Client | undefined;
  private readonly listeners = new Map<string, (payload: string) => void>();
  private readonly listening = new Set<string>();
  private closed = false;

  constructor(opts: PgDriverOptions) {
    this.url = opts.url;
    const base = { connectionString: opts.url, max: opts.max ?? 8, types };
    this.pool = new pg.Pool(base);
    this.relaxedPool = new pg.Pool({ ...base, options: '-c synchronous_commit=off' });
    // An idle client's error (the server went away) must not crash central; the next query reconnects.
    for (const p of [this.pool, this.relaxedPool]) p.on('error', () => undefined);
    this.exec = execOn(this.pool);
    this.relaxed = execOn(this.relaxedPool);
  }

  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.exec.all<T>(sql, params);
  }

  get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.exec.get<T>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return this.exec.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExec) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const r = await fn(execOn(c));
      await c.query('COMMIT');
      return r;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  async exclusive(name: string, fn: () => Promise<void>): Promise<boolean> {
    const c = await this.pool.connect();
    try {
      const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [lockKey(name)]);
      if (!r.rows[0]?.ok) return false;
      try {
        await fn();
      } finally {
        await c.query('SELECT pg_advisory_unlock($1)', [lockKey(name)]);
      }
      return true;
    } finally {
      c.release();
    }
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async listen(channel: string, fn: (payload: string) => void): Promise<void> {
    this.listeners.set(channel, fn);
    await this.listenClient();
  }

  /** One connection per replica holds the LISTENs; it reconnects if the server drops it. */
  private async listenClient(): Promise<void> {
    if (this.closed) return;
    if (!this.listener) {
      const c = new pg.Client({ connectionString: this.url });
      this.listener = c;
      c.on('notification', (n) => {
        const fn = this.listeners.get(n.channel);
        if (fn && n.payload !== undefined) fn(n.payload);
      });
      c.on('error', () => {
        if (this.listener === c) this.listener = undefined;
        void c.end().catch(() => undefined);
        if (!this.closed) setTimeout(() => void this.listenClient().catch(() => undefined), 1_000).unref();
      });
      await c.connect();
      this.listening.clear();
    }
    for (const ch of this.listeners.keys()) {
      if (this.listening.has(ch)) continue;
      await this.listener.query(`LISTEN "${ch.replace(/"/g, '')}"`);
      this.listening.add(ch);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const l = this.listener;
    this.listener = undefined;
    await Promise.all([this.pool.end(), this.relaxedPool.end(), l?.end().catch(() => undefined)]);
  }
}
