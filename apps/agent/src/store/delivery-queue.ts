/**
 * A durable "send this upstream, exactly once" queue in the agent database (migration 5), the
 * pattern of the monitor's event outbox made reusable: the row is committed before anything is
 * sent; delivery retries with exponential backoff through restarts and outages; the upstream
 * applies each row once because every attempt carries the row's idempotency key (a lost answer
 * or a crash between "applied" and "marked delivered" only causes a resend the upstream
 * recognises). One queue name per kind of report; each has its own pump.
 */
import type { Logger } from 'pino';
import { backoffDelay, type Db } from '@kiosk/platform';

export interface QueuedItem<T> {
  id: number;
  key: string;
  payload: T;
  createdAt: string;
  attempts: number;
}

export interface QueueDepth {
  pending: number;
  oldestAt: string | null;
  delivered: number;
}

interface Row {
  id: number;
  key: string;
  payload: string;
  created_at: string;
  attempts: number;
}

export class DeliveryQueue<T> {
  private readonly stmts;

  constructor(
    db: Db,
    readonly name: string,
  ) {
    this.stmts = {
      insert: db.prepare(
        'INSERT OR IGNORE INTO delivery_queue (queue, key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
      ),
      due: db.prepare<[string, number, number], Row>(
        `SELECT id, key, payload, created_at, attempts FROM delivery_queue
         WHERE queue = ? AND delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?`,
      ),
      nextDue: db.prepare<[string], { at: number | null }>(
        'SELECT min(next_attempt_at) AS at FROM delivery_queue WHERE queue = ? AND delivered_at IS NULL',
      ),
      delivered: db.prepare(
        'UPDATE delivery_queue SET delivered_at = ?, last_error = NULL WHERE id = ? AND delivered_at IS NULL',
      ),
      failed: db.prepare('UPDATE delivery_queue SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?'),
      depth: db.prepare<[string], { pending: number; oldest: string | null; delivered: number }>(
        `SELECT sum(delivered_at IS NULL) AS pending, min(CASE WHEN delivered_at IS NULL THEN created_at END) AS oldest,
                sum(delivered_at IS NOT NULL) AS delivered FROM delivery_queue WHERE queue = ?`,
      ),
      get: db.prepare<[string, string], Row & { delivered_at: string | null; last_error: string | null }>(
        'SELECT id, key, payload, created_at, attempts, delivered_at, last_error FROM delivery_queue WHERE queue = ? AND key = ?',
      ),
      prune: db.prepare('DELETE FROM delivery_queue WHERE queue = ? AND delivered_at IS NOT NULL AND delivered_at < ?'),
    };
  }

  /** Commits the item (synchronously, WAL + FULL sync); false if this key is queued already. */
  enqueue(key: string, payload: T, now = new Date()): boolean {
    return this.stmts.insert.run(this.name, key, JSON.stringify(payload), now.toISOString(), now.getTime()).changes === 1;
  }

  due(nowMs: number, limit = 20): QueuedItem<T>[] {
    return this.stmts.due.all(this.name, nowMs, limit).map((r) => ({
      id: r.id,
      key: r.key,
      payload: JSON.parse(r.payload) as T,
      createdAt: r.created_at,
      attempts: r.attempts,
    }));
  }

  /** When the next undelivered item is due (ms), or null when nothing is owed. */
  nextDueAt(): number | null {
    return this.stmts.nextDue.get(this.name)?.at ?? null;
  }

  markDelivered(id: number, now = new Date()): void {
    this.stmts.delivered.run(now.toISOString(), id);
  }

  markFailed(id: number, error: string, retryAt: number): void {
    this.stmts.failed.run(error.slice(0, 500), retryAt, id);
  }

  depth(): QueueDepth {
    const r = this.stmts.depth.get(this.name);
    return { pending: r?.pending ?? 0, oldestAt: r?.oldest ?? null, delivered: r?.delivered ?? 0 };
  }

  /** One item by key (tests, the maintenance view). */
  find(key: string): (QueuedItem<T> & { deliveredAt: string | null; lastError: string | null }) | undefined {
    const r = this.stmts.get.get(this.name, key);
    return r
      ? {
          id: r.id,
          key: r.key,
          payload: JSON.parse(r.payload) as T,
          createdAt: r.created_at,
          attempts: r.attempts,
          deliveredAt: r.delivered_at,
          lastError: r.last_error,
        }
      : undefined;
  }

  /** Drops delivered rows older than `before` (retention). */
  prune(before: Date): number {
    return this.stmts.prune.run(this.name, before.toISOString()).changes;
  }
}

export interface QueuePumpOptions<T> {
  queue: DeliveryQueue<T>;
  /** Sends one item; must pass `key` to the upstream as its idempotency key. Throws on failure. */
  deliver(item: QueuedItem<T>, signal: AbortSignal): Promise<void>;
  /** A failure the upstream will never accept (a 4xx): parked with a long retry, logged as an error. */
  permanent?(err: unknown): boolean;
  retryBaseMs: number;
  maxRetryMs: number;
  logger: Logger;
}

/**
 * Drains a DeliveryQueue: one item at a time in order, retried with backoff per item, woken by
 * `kick()` after an enqueue and by a timer when the next retry is due. Survives restarts because
 * all its state is the queue's rows.
 */
export class QueuePump<T> {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly ctl = new AbortController();

  constructor(private readonly opts: QueuePumpOptions<T>) {}

  start(): void {
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ctl.abort(new Error('delivery stopped'));
    await this.running?.catch(() => undefined);
  }

  /** Deliver what is due now (after an enqueue). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.opts.logger.error({ err }, 'delivery pump failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  /** Resolves when nothing is due and no delivery is in flight (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const at = this.opts.queue.nextDueAt();
    if (at === null) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, at - Date.now()));
    this.timer.unref?.();
  }

  private async drain(): Promise<void> {
    const { queue, logger } = this.opts;
    while (!this.stopped) {
      const batch = queue.due(Date.now());
      if (batch.length === 0) return;
      for (const item of batch) {
        if (this.stopped) return;
        try {
          await this.opts.deliver(item, this.ctl.signal);
          queue.markDelivered(item.id);
        } catch (err) {
          if (this.stopped) return;
          const failures = item.attempts + 1;
          const permanent = this.opts.permanent?.(err) ?? false;
          const wait = permanent
            ? this.opts.maxRetryMs
            : backoffDelay(failures, { baseMs: this.opts.retryBaseMs, maxMs: this.opts.maxRetryMs });
          const message = err instanceof Error ? err.message : String(err);
          queue.markFailed(item.id, message, Date.now() + wait);
          // The first failure and every 10th, so a long outage does not flood the log.
          if (permanent)
            logger.error({ queue: queue.name, key: item.key, error: message }, 'upstream refused a queued report; parked');
          else if (failures === 1 || failures % 10 === 0) {
            logger.warn(
              { queue: queue.name, key: item.key, failures, retryInMs: wait, error: message },
              'queued report not delivered yet',
            );
          }
        }
      }
    }
  }
}
