import type { Logger } from 'pino';
import { backoffDelay, fetchJson, type Db } from '@kiosk/platform';

export interface WebhookOptions {
  url?: string | undefined;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
}

/**
 * Alert notifications as JSON POSTs, durable in SQLite: queued in the same transaction as the alert
 * change, delivered in order, retried with exponential backoff (base × 2^n, at most an hour),
 * given up after maxAttempts. A 2xx answer counts as delivered.
 */
export class WebhookQueue {
  private readonly stmts;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly stopCtl = new AbortController();

  constructor(
    db: Db,
    private readonly opts: WebhookOptions,
    private readonly log: Logger,
  ) {
    this.stmts = {
      insert: db.prepare('INSERT INTO webhook_deliveries (created_at, payload, next_attempt_at) VALUES (?, ?, ?)'),
      // Head of the line, due or not: a later notification never overtakes one waiting for a retry.
      pending: db.prepare<[], { id: number; payload: string; attempts: number; next_attempt_at: number }>(
        `SELECT id, payload, attempts, next_attempt_at FROM webhook_deliveries
         WHERE delivered_at IS NULL AND gave_up_at IS NULL ORDER BY id LIMIT 20`,
      ),
      next: db.prepare<[], { at: number | null }>(
        'SELECT next_attempt_at AS at FROM webhook_deliveries WHERE delivered_at IS NULL AND gave_up_at IS NULL ORDER BY id LIMIT 1',
      ),
      delivered: db.prepare('UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?'),
      failed: db.prepare('UPDATE webhook_deliveries SET attempts = ?, next_attempt_at = ?, last_error = ?, gave_up_at = ? WHERE id = ?'),
    };
  }

  get enabled(): boolean {
    return this.opts.url !== undefined;
  }

  enqueue(payload: Record<string, unknown>, now = Date.now()): void {
    if (!this.enabled) return;
    this.stmts.insert.run(now, JSON.stringify(payload), now);
    // After the caller's transaction commits.
    setImmediate(() => this.kick());
  }

  start(): void {
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopCtl.abort();
    await this.running;
  }

  private kick(): void {
    if (this.stopped || !this.enabled || this.running) return;
    clearTimeout(this.timer);
    this.running = this.deliverDue()
      .catch((err: unknown) => this.log.error({ err }, 'webhook delivery loop failed'))
      .finally(() => {
        this.running = undefined;
        this.scheduleNext();
      });
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const at = this.stmts.next.get()?.at;
    if (at === null || at === undefined) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, at - Date.now()));
  }

  private async deliverDue(): Promise<void> {
    const url = this.opts.url;
    if (!url) return;
    for (;;) {
      const pending = this.stmts.pending.all();
      if (!pending.length || this.stopped) return;
      for (const d of pending) {
        if (this.stopped || d.next_attempt_at > Date.now()) return;
        let error: string | null = null;
        try {
          const res = await fetchJson(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'kiosk-central' },
            body: d.payload,
            timeoutMs: this.opts.timeoutMs,
            signal: this.stopCtl.signal,
          });
          if (!res.ok) error = `HTTP ${res.status}`;
        } catch (err) {
          if (this.stopped) return;
          error = err instanceof Error ? err.message : String(err);
        }
        const now = Date.now();
        if (error === null) {
          this.stmts.delivered.run(now, d.id);
          continue;
        }
        const attempts = d.attempts + 1;
        const giveUp = attempts >= this.opts.maxAttempts;
        const delay = backoffDelay(attempts, { baseMs: this.opts.retryBaseMs, maxMs: 3_600_000 });
        this.stmts.failed.run(attempts, now + delay, error, giveUp ? now : null, d.id);
        this.log.warn({ delivery: d.id, attempts, error, giveUp }, giveUp ? 'webhook delivery given up' : 'webhook delivery failed; will retry');
        // Keep order: later notifications wait until this one is delivered or given up.
        if (!giveUp) return;
      }
    }
  }
}
