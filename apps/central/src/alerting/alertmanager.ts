/**
 * Delivers central's alerts to Alertmanager (v2 API, `POST /api/v2/alerts`), the way Prometheus
 * does: every open alert is posted when it opens and again every `resendIntervalMs` with
 * `endsAt = now + 4 × resendIntervalMs`, so Alertmanager keeps it firing while central is alive
 * and lets it lapse if central goes away; a resolved alert is posted once more with
 * `endsAt = now`. Alertmanager de-duplicates by label set, so several replicas posting the same
 * alert cause one notification.
 *
 * It works as a sync loop over the open alerts rather than a queue of changes: a post that fails
 * is simply repeated on the next round, and nothing has to be stored for it.
 */
import type { Logger } from 'pino';
import { backoffDelay, fetchJson } from '@kiosk/platform';
import type { Alert } from '../alerts.js';
import { severityLabel, specFor } from './thresholds.js';

export interface AlertmanagerOptions {
  url: string;
  resendIntervalMs: number;
  syncIntervalMs: number;
  timeoutMs: number;
}

/** What the sink reads: the open alerts and the kiosks' site and name (for labels). */
export interface OpenAlerts {
  /** In memory today; a database query with a shared store (hence the promise). */
  openAlerts(): readonly Alert[] | Promise<readonly Alert[]>;
  kiosk(id: string): { site: string; name: string | null } | undefined;
}

/** The body items of `POST /api/v2/alerts` (Alertmanager's `postableAlert`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

/** Labels identify an alert in Alertmanager; only closed sets and kiosk/site, never citizen data. */
function alertLabels(a: Alert, kiosk: { site: string } | undefined): Record<string, string> {
  const spec = specFor(a.code, a.severity);
  const labels: Record<string, string> = {
    alertname: spec.alert,
    severity: severityLabel(a.severity),
    kiosk: a.kioskId,
    site: kiosk?.site ?? '',
    code: a.code,
  };
  if (a.code.startsWith('device:')) labels.device = a.code.slice('device:'.length);
  return labels;
}

function alertAnnotations(a: Alert, kiosk: { name: string | null } | undefined): Record<string, string> {
  return {
    summary: a.message,
    ...(kiosk?.name ? { kiosk_name: kiosk.name } : {}),
    source: a.source,
  };
}

interface Posted {
  labelsKey: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  postedAt: number;
}

export class AlertmanagerSink {
  /** By alert id: what Alertmanager was last told is firing. */
  private readonly posted = new Map<number, Posted>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  private retryAt = 0;
  private readonly stopCtl = new AbortController();
  private readonly endpoint: string;

  constructor(
    private readonly source: OpenAlerts,
    private readonly opts: AlertmanagerOptions,
    private readonly log: Logger,
  ) {
    this.endpoint = new URL('api/v2/alerts', opts.url.endsWith('/') ? opts.url : `${opts.url}/`).toString();
  }

  start(): void {
    this.timer = setInterval(() => void this.sync(), this.opts.syncIntervalMs);
    this.timer.unref();
    void this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    this.stopCtl.abort();
  }

  /** One round: post what opened, changed, resolved or is due for a resend. Rounds never overlap. */
  sync(now = Date.now()): Promise<void> {
    if (this.stopped || this.running || now < this.retryAt) return this.running ?? Promise.resolve();
    this.running = this.round(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(now: number): Promise<void> {
    const batch: PostableAlert[] = [];
    const next = new Map<number, Posted>();
    const endsAt = new Date(now + 4 * this.opts.resendIntervalMs).toISOString();
    const resolvedAt = new Date(now).toISOString();
    const open = new Set<number>();
    let alerts: readonly Alert[];
    try {
      alerts = await this.source.openAlerts();
    } catch (err) {
      this.log.error({ err }, 'reading open alerts for Alertmanager failed');
      return;
    }
    for (const a of alerts) {
      // A flapping condition's notifications are held back; its `flapping:` alert is posted instead.
      if (a.suppressed) continue;
      open.add(a.id);
      const k = this.source.kiosk(a.kioskId);
      const labels = alertLabels(a, k);
      const annotations = alertAnnotations(a, k);
      const labelsKey = JSON.stringify(labels);
      const before = this.posted.get(a.id);
      const startsAt = new Date(a.openedAt).toISOString();
      if (before && before.labelsKey !== labelsKey) {
        // Paper low → out changes the alert's name and severity: end the old label set.
        batch.push({ labels: before.labels, annotations: before.annotations, startsAt: before.startsAt, endsAt: resolvedAt });
      }
      const due =
        !before ||
        before.labelsKey !== labelsKey ||
        JSON.stringify(before.annotations) !== JSON.stringify(annotations) ||
        now - before.postedAt >= this.opts.resendIntervalMs;
      if (due) batch.push({ labels, annotations, startsAt, endsAt });
      next.set(a.id, { labelsKey, labels, annotations, startsAt, postedAt: due ? now : (before?.postedAt ?? now) });
    }
    for (const [id, p] of this.posted) {
      if (!open.has(id)) batch.push({ labels: p.labels, annotations: p.annotations, startsAt: p.startsAt, endsAt: resolvedAt });
    }
    if (batch.length === 0) return;
    const error = await this.post(batch);
    if (error !== null) {
      // Nothing is marked as posted: the next round sends it all again.
      this.failures++;
      this.retryAt =
        Date.now() + backoffDelay(this.failures, { baseMs: 1000, maxMs: Math.min(this.opts.resendIntervalMs, 1000 * 2 ** 6) });
      this.log.warn(
        { error, alerts: batch.length, failures: this.failures },
        'posting alerts to Alertmanager failed; will retry',
      );
      return;
    }
    if (this.failures) this.log.info({ failures: this.failures }, 'Alertmanager reachable again');
    this.failures = 0;
    this.retryAt = 0;
    this.posted.clear();
    for (const [id, p] of next) this.posted.set(id, p);
  }

  private async post(batch: PostableAlert[]): Promise<string | null> {
    try {
      const res = await fetchJson(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'kiosk-central' },
        body: JSON.stringify(batch),
        timeoutMs: this.opts.timeoutMs,
        signal: this.stopCtl.signal,
      });
      return res.ok ? null : `HTTP ${res.status} ${res.text.slice(0, 200)}`;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
}
