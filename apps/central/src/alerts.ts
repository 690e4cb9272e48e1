import type { Db } from '@kiosk/platform';
import type { Condition, Severity } from './evaluate.js';

/**
 * heartbeat: raised and cleared by what heartbeats show (and by their absence: offline);
 * event: raised by an event from the kiosk outbox, stays until an operator acknowledges it;
 * central: raised by central itself (flapping), clears after a quiet window or on acknowledge.
 */
export type AlertSource = 'heartbeat' | 'event' | 'central';

export interface Alert {
  id: number;
  kioskId: string;
  code: string;
  severity: Severity;
  source: AlertSource;
  message: string;
  openedAt: number;
  lastAt: number;
  occurrences: number;
  resolvedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  /** Notifications held back because this condition flaps (a `flapping:` alert was sent instead). */
  suppressed: boolean;
}

export type AlertChange = 'opened' | 'escalated' | 'resolved' | 'acknowledged';
/** `notify` is false for changes of a flapping condition: recorded and shown, not sent out. */
export type AlertListener = (change: AlertChange, alert: Alert, notify: boolean) => void;

interface AlertDbRow {
  id: number;
  kiosk_id: string;
  code: string;
  severity: Severity;
  source: AlertSource;
  message: string;
  opened_at: number;
  last_at: number;
  occurrences: number;
  resolved_at: number | null;
  acked_at: number | null;
  acked_by: string | null;
  suppressed: number;
}

const toAlert = (r: AlertDbRow): Alert => ({
  id: r.id,
  kioskId: r.kiosk_id,
  code: r.code,
  severity: r.severity,
  source: r.source,
  message: r.message,
  openedAt: r.opened_at,
  lastAt: r.last_at,
  occurrences: r.occurrences,
  resolvedAt: r.resolved_at,
  ackedAt: r.acked_at,
  ackedBy: r.acked_by,
  suppressed: r.suppressed === 1,
});

const flappingPrefix = 'flapping:';

export interface AlertOptions {
  /** More openings than this of one (kiosk, code) within the window count as flapping. */
  flappingMaxOpenings: number;
  flappingWindowMs: number;
}

/**
 * Open alerts, at most one per kiosk and code (de-duplication: a repeat bumps `occurrences`).
 * Open alerts are cached in memory so the common heartbeat (nothing changed) touches no table.
 * Callers run these inside their own transaction where they need atomicity.
 */
export class AlertBook {
  private readonly open = new Map<string, Map<string, Alert>>();
  private readonly stmts;

  constructor(
    db: Db,
    private readonly opts: AlertOptions,
    private readonly listener: AlertListener,
  ) {
    this.stmts = {
      loadOpen: db.prepare<[], AlertDbRow>('SELECT * FROM alerts WHERE resolved_at IS NULL'),
      insert: db.prepare(
        `INSERT INTO alerts (kiosk_id, code, severity, source, message, opened_at, last_at, suppressed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      update: db.prepare('UPDATE alerts SET severity = ?, message = ?, last_at = ?, occurrences = ? WHERE id = ?'),
      resolve: db.prepare('UPDATE alerts SET resolved_at = ? WHERE id = ?'),
      ack: db.prepare('UPDATE alerts SET acked_at = ?, acked_by = ? WHERE id = ?'),
      get: db.prepare<[number], AlertDbRow>('SELECT * FROM alerts WHERE id = ?'),
      openingsSince: db.prepare<[string, string, number], { n: number; last: number | null }>(
        'SELECT count(*) AS n, max(opened_at) AS last FROM alerts WHERE kiosk_id = ? AND code = ? AND opened_at >= ?',
      ),
      recent: db.prepare<[number], AlertDbRow>('SELECT * FROM alerts ORDER BY opened_at DESC, id DESC LIMIT ?'),
      recentForKiosk: db.prepare<[string, number], AlertDbRow>(
        'SELECT * FROM alerts WHERE kiosk_id = ? ORDER BY opened_at DESC, id DESC LIMIT ?',
      ),
    };
    for (const r of this.stmts.loadOpen.all()) this.remember(toAlert(r));
  }

  private remember(a: Alert): void {
    let m = this.open.get(a.kioskId);
    if (!m) {
      m = new Map();
      this.open.set(a.kioskId, m);
    }
    m.set(a.code, a);
  }

  private forget(a: Alert): void {
    const m = this.open.get(a.kioskId);
    m?.delete(a.code);
    if (m && m.size === 0) this.open.delete(a.kioskId);
  }

  openFor(kioskId: string): Alert[] {
    return [...(this.open.get(kioskId)?.values() ?? [])];
  }

  openCount(kioskId: string): number {
    return this.open.get(kioskId)?.size ?? 0;
  }

  allOpen(): Alert[] {
    return [...this.open.values()].flatMap((m) => [...m.values()]);
  }

  /** Severities that hold the kiosk's state until someone acts: event alerts and flapping notices. */
  stickySeverities(kioskId: string): Severity[] {
    return this.openFor(kioskId)
      .filter((a) => a.source !== 'heartbeat')
      .map((a) => a.severity);
  }

  /** Opens an alert or, if one is open for this code, counts another occurrence (and escalates). */
  raise(kioskId: string, source: AlertSource, c: Condition, now: number): Alert {
    const existing = this.open.get(kioskId)?.get(c.code);
    if (existing) {
      // Heartbeat conditions say how things are now (paper out → low de-escalates); events only add.
      const severity: Severity = source === 'event' && existing.severity === 'error' ? 'error' : c.severity;
      const escalated = existing.severity === 'warning' && severity === 'error';
      const changed = severity !== existing.severity || existing.message !== c.message || source === 'event';
      if (source === 'event') existing.occurrences += 1;
      existing.severity = severity;
      existing.message = c.message;
      existing.lastAt = now;
      if (changed) this.stmts.update.run(existing.severity, existing.message, now, existing.occurrences, existing.id);
      if (escalated) this.listener('escalated', { ...existing }, !existing.suppressed);
      return existing;
    }
    const { n } = this.stmts.openingsSince.get(kioskId, c.code, now - this.opts.flappingWindowMs) ?? { n: 0 };
    const flapping = !c.code.startsWith(flappingPrefix) && n + 1 > this.opts.flappingMaxOpenings;
    const id = Number(this.stmts.insert.run(kioskId, c.code, c.severity, source, c.message, now, now, flapping ? 1 : 0).lastInsertRowid);
    const alert: Alert = {
      id,
      kioskId,
      code: c.code,
      severity: c.severity,
      source,
      message: c.message,
      openedAt: now,
      lastAt: now,
      occurrences: 1,
      resolvedAt: null,
      ackedAt: null,
      ackedBy: null,
      suppressed: flapping,
    };
    this.remember(alert);
    this.listener('opened', { ...alert }, !flapping);
    if (flapping && !this.open.get(kioskId)?.has(flappingPrefix + c.code)) {
      this.raise(
        kioskId,
        'central',
        {
          code: flappingPrefix + c.code,
          severity: 'warning',
          message: `状态频繁变化，已暂停通知: ${c.message} / Flapping, notifications paused`,
        },
        now,
      );
    }
    return alert;
  }

  resolve(a: Alert, now: number): void {
    if (a.resolvedAt !== null) return;
    a.resolvedAt = now;
    this.stmts.resolve.run(now, a.id);
    this.forget(a);
    this.listener('resolved', { ...a }, !a.suppressed);
  }

  /**
   * Brings one source's alerts for a kiosk in line with the conditions seen now: opens new ones,
   * resolves those that cleared. Returns true if anything changed.
   */
  reconcile(kioskId: string, source: AlertSource, conditions: readonly Condition[], now: number, keep?: (code: string) => boolean): boolean {
    let changed = false;
    const wanted = new Map(conditions.map((c) => [c.code, c]));
    for (const a of this.openFor(kioskId)) {
      if (a.source !== source || wanted.has(a.code) || keep?.(a.code)) continue;
      this.resolve(a, now);
      changed = true;
    }
    for (const c of conditions) {
      const existing = this.open.get(kioskId)?.get(c.code);
      if (existing && existing.severity === c.severity && existing.message === c.message) continue;
      this.raise(kioskId, source, c, now);
      changed = true;
    }
    return changed;
  }

  /** Event and flapping alerts are cleared by acknowledging them; heartbeat ones are only marked seen. */
  acknowledge(id: number, user: string, now: number): Alert | undefined {
    const row = this.stmts.get.get(id);
    if (!row) return undefined;
    const cached = this.open.get(row.kiosk_id)?.get(row.code);
    const a = cached && cached.id === id ? cached : toAlert(row);
    if (a.ackedAt === null) {
      a.ackedAt = now;
      a.ackedBy = user;
      this.stmts.ack.run(now, user, id);
      this.listener('acknowledged', { ...a }, true);
    }
    if (a.resolvedAt === null && a.source !== 'heartbeat') this.resolve(a, now);
    return { ...a };
  }

  /** Ends flapping notices whose condition stayed quiet (no new opening) for a whole window. */
  sweepFlapping(now: number): string[] {
    const touched: string[] = [];
    for (const a of this.allOpen()) {
      if (a.source !== 'central' || !a.code.startsWith(flappingPrefix)) continue;
      const base = a.code.slice(flappingPrefix.length);
      const { n } = this.stmts.openingsSince.get(a.kioskId, base, now - this.opts.flappingWindowMs) ?? { n: 0 };
      if (n === 0) {
        this.resolve(a, now);
        touched.push(a.kioskId);
      }
    }
    return touched;
  }

  get(id: number): Alert | undefined {
    const r = this.stmts.get.get(id);
    return r ? toAlert(r) : undefined;
  }

  recent(limit: number, kioskId?: string): Alert[] {
    const rows = kioskId ? this.stmts.recentForKiosk.all(kioskId, limit) : this.stmts.recent.all(limit);
    return rows.map(toAlert);
  }
}
