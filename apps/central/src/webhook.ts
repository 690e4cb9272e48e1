import type { Logger } from 'pino';
import { backoffDelay, fetchJson } from '@kiosk/platform';
import type { CentralStore, SqlExec } from './store/store.js';

export interface WebhookOptions {
  url?: string | undefined;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
}

interface Pending {
  id: number;
  payload: string;
  attempts: number;
  next_attempt_at: number;
}

/**
 * Alert notifications as JSON POSTs, durable in the store: queued in the same transaction as the alert
 * change, delivered in order, retried with exponential backoff (base × 2^n, at most an hour),
 * given up after maxAttempts. A 2xx answer counts as delivered. With several replicas one
 * delivers at a time (advisory lock), so order holds and nothing is sent twice.
 */
export class WebhookQueue {
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private waitingForOther = false;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly stopCtl = new AbortController();

  constructor(
    private readonly store: CentralStore,
    private readonly opts: WebhookOptions,
    private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return this.opts.url !== undefined;
  }

  /** Queued in the caller's transaction (`db`), so a notification exists exactly when its alert change does. */
  async enqueue(payload: Record<string, unknown>, db: SqlExec, now = Date.now()): Promise<void> {
    if (!this.enabled) return;
    await db.run('INSERT INTO webhook_deliveries (created_at, payload, next_attempt_at) VALUES (?, ?, ?)', [
      now,
      JSON.stringify(payload),
      now,
    ]);
    // Usually after the caller's transaction commits; the poll below catches it otherwise.
    setTimeout(() => this.kick(), 20);
  }

  /** Delivers now and then looks for new notifications every second (other replicas queue them too). */
  start(): void {
    this.kick();
    this.poll = setInterval(() => this.kick(), 1_000);
    this.poll.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.poll);
    this.stopCtl.abort();
    await this.running;
  }

  private kick(): void {
    if (this.stopped || !this.enabled || this.running) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.store.driver
      .exclusive('webhook', () => this.deliverDue())
      .then((mine) => {
        // Another replica is delivering: look again later in case it stops.
        if (!mine) this.waitingForOther = true;
      })
      .catch((err: unknown) => this.log.error({ err }, 'webhook delivery loop failed'))
      .finally(() => {
        this.running = undefined;
        void this.scheduleNext().catch((err: unknown) => this.log.error({ err }, 'webhook schedule failed'));
      });
  }

  private async scheduleNext(): Promise<void> {
    if (this.waitingForOther) {
      this.waitingForOther = false;
      return;
    }
    if (this.stopped || this.timer) return;
    const r = await this.store.driver.get<{ at: number | null }>(
      'SELECT next_attempt_at AS at FROM webhook_deliveries WHERE delivered_at IS NULL AND gave_up_at IS NULL ORDER BY id LIMIT 1',
    );
    const at = r?.at === null || r?.at === undefined ? null : Number(r.at);
    if (this.stopped || this.running) return;
    if (at === null || at === undefined) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, at - Date.now()));
  }

  private async deliverDue(): Promise<void> {
    const url = this.opts.url;
    if (!url) return;
    for (;;) {
      // Head of the line, due or not: a later notification never overtakes one waiting for a retry.
      const pending = (
        await this.store.driver.all<Pending>(
          `SELECT id, payload, attempts, next_attempt_at FROM webhook_deliveries
           WHERE delivered_at IS NULL AND gave_up_at IS NULL ORDER BY id LIMIT 20`,
        )
      ).map((d) => ({ ...d, id: Number(d.id), attempts: Number(d.attempts), next_attempt_at: Number(d.next_attempt_at) }));
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
          await this.store.driver.run(
            'UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?',
            [now, d.id],
          );
          continue;
        }
        const attempts = d.attempts + 1;
        const giveUp = attempts >= this.opts.maxAttempts;
        const delay = backoffDelay(attempts, { baseMs: this.opts.retryBaseMs, maxMs: 3_600_000 });
        await this.store.driver.run(
          'UPDATE webhook_deliveries SET attempts = ?, next_attempt_at = ?, last_error = ?, gave_up_at = ? WHERE id = ?',
          [attempts, now + delay, error, giveUp ? now : null, d.id],
        );
        this.log.warn(
          { delivery: d.id, attempts, error, giveUp },
          giveUp ? 'webhook delivery given up' : 'webhook delivery failed; will retry',
        );
        // Keep order: later notifications wait until this one is delivered or given up.
        if (!giveUp) return;
      }
    }
  }
}
