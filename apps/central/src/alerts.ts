import type { Alert, AlertSource } from '@kiosk/contracts/central-dashboard';
import type { AlertDbRow, CentralStore, SqlExec } from './store/store.js';
import type { Condition, Severity } from './evaluate.js';

export type { Alert, AlertSource } from '@kiosk/contracts/central-dashboard';

export type AlertChange = 'opened' | 'escalated' | 'resolved' | 'acknowledged';
/** `notify` is false for changes of a flapping condition: recorded and shown, not sent out. */
export type AlertListener = (change: AlertChange, alert: Alert, notify: boolean, db: SqlExec) => Promise<void>;

const toAlert = (r: AlertDbRow): Alert => ({
  id: Number(r.id),
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
  suppressed: Number(r.suppressed) === 1,
});

const flappingPrefix = 'flapping:';

export interface AlertOptions {
  /** More openings than this of one (kiosk, code) within the window count as flapping. */
  flappingMaxOpenings: number;
  flappingWindowMs: number;
}

/**
 * Alerts, at most one open per kiosk and code (de-duplication: a repeat bumps `occurrences`).
 * The database decides: a partial unique index lets exactly one replica open an alert, and only
 * the caller whose conditional update resolved or acknowledged it notifies. Callers pass their
 * transaction (`db`) where a change must commit with what caused it.
 */
export class AlertBook {
  constructor(
    private readonly store: CentralStore,
    private readonly opts: AlertOptions,
    private readonly listener: AlertListener,
  ) {}

  async openFor(kioskId: string, db: SqlExec = this.store.driver): Promise<Alert[]> {
    return (await this.store.openAlerts(kioskId, db)).map(toAlert);
  }

  async allOpen(): Promise<Alert[]> {
    return (await this.store.openAlerts(null)).map(toAlert);
  }

  /** Open alerts per kiosk id. */
  async openCounts(): Promise<Map<string, number>> {
    return new Map((await this.store.openAlertCounts()).map((r) => [r.kiosk_id, Number(r.n)]));
  }

  /** Severities that hold the kiosk's state until someone acts: event alerts and flapping notices. */
  async stickySeverities(kioskId: string, db: SqlExec): Promise<Severity[]> {
    return (await this.openFor(kioskId, db)).filter((a) => a.source !== 'heartbeat').map((a) => a.severity);
  }

  /** Opens an alert or, if one is open for this code, counts another occurrence (and escalates). */
  async raise(kioskId: string, source: AlertSource, c: Condition, now: number, db: SqlExec, open?: Alert[]): Promise<Alert> {
    const existing = (open ?? (await this.openFor(kioskId, db))).find((a) => a.code === c.code);
    if (existing) return this.repeat(existing, source, c, now, db);
    const n = await this.store.openingsSince(kioskId, c.code, now - this.opts.flappingWindowMs, db);
    const flapping = !c.code.startsWith(flappingPrefix) && n + 1 > this.opts.flappingMaxOpenings;
    const id = await this.store.openAlert(
      { kioskId, code: c.code, severity: c.severity, source, message: c.message, now, suppressed: flapping },
      db,
    );
    if (id === undefined) {
      // Another replica opened it a moment ago: this is a repeat of that one.
      const theirs = (await this.openFor(kioskId, db)).find((a) => a.code === c.code);
      if (!theirs) throw new Error(`alert ${c.code} for ${kioskId} neither opened nor open`);
      return this.repeat(theirs, source, c, now, db);
    }
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
    await this.listener('opened', { ...alert }, !flapping, db);
    if (flapping) {
      const notice = flappingPrefix + c.code;
      if (!(await this.openFor(kioskId, db)).some((a) => a.code === notice)) {
        await this.raise(
          kioskId,
          'central',
          {
            code: notice,
            severity: 'warning',
            message: `状态频繁变化，已暂停通知: ${c.message} / Flapping, notifications paused`,
          },
          now,
          db,
        );
      }
    }
    return alert;
  }

  private async repeat(existing: Alert, source: AlertSource, c: Condition, now: number, db: SqlExec): Promise<Alert> {
    // Heartbeat conditions say how things are now (paper out → low de-escalates); events only add.
    const severity: Severity = source === 'event' && existing.severity === 'error' ? 'error' : c.severity;
    const escalated = existing.severity === 'warning' && severity === 'error';
    const changed = severity !== existing.severity || existing.message !== c.message || source === 'event';
    const a: Alert = {
      ...existing,
      severity,
      message: c.message,
      lastAt: now,
      occurrences: existing.occurrences + (source === 'event' ? 1 : 0),
    };
    if (changed) await this.store.updateAlert(a.id, severity, c.message, now, source === 'event' ? 1 : 0, db);
    if (escalated) await this.listener('escalated', { ...a }, !a.suppressed, db);
    return a;
  }

  async resolve(a: Alert, now: number, db: SqlExec): Promise<void> {
    if (a.resolvedAt !== null) return;
    if (!(await this.store.resolveAlert(a.id, now, db))) return;
    a.resolvedAt = now;
    await this.listener('resolved', { ...a }, !a.suppressed, db);
  }

  /**
   * Brings one source's alerts for a kiosk in line with the conditions seen now: opens new ones,
   * resolves those that cleared. Returns true if anything changed.
   */
  async reconcile(
    kioskId: string,
    source: AlertSource,
    conditions: readonly Condition[],
    now: number,
    db: SqlExec,
    keep?: (code: string) => boolean,
  ): Promise<boolean> {
    let changed = false;
    const wanted = new Map(conditions.map((c) => [c.code, c]));
    const open = await this.openFor(kioskId, db);
    for (const a of open) {
      if (a.source !== source || wanted.has(a.code) || keep?.(a.code)) continue;
      await this.resolve(a, now, db);
      changed = true;
    }
    const still = open.filter((a) => a.resolvedAt === null);
    for (const c of conditions) {
      const existing = still.find((a) => a.code === c.code);
      if (existing && existing.severity === c.severity && existing.message === c.message) continue;
      await this.raise(kioskId, source, c, now, db, existing ? still : undefined);
      changed = true;
    }
    return changed;
  }

  /** Event and flapping alerts are cleared by acknowledging them; heartbeat ones are only marked seen. */
  async acknowledge(id: number, user: string, now: number, db: SqlExec): Promise<Alert | undefined> {
    const row = await this.store.alert(id, db);
    if (!row) return undefined;
    const a = toAlert(row);
    if (a.ackedAt === null && (await this.store.ackAlert(id, user, now, db))) {
      a.ackedAt = now;
      a.ackedBy = user;
      await this.listener('acknowledged', { ...a }, true, db);
    }
    if (a.resolvedAt === null && a.source !== 'heartbeat') await this.resolve(a, now, db);
    return { ...a };
  }

  /** Ends flapping notices whose condition stayed quiet (no new opening) for a whole window. */
  async sweepFlapping(now: number, db: SqlExec): Promise<string[]> {
    const touched: string[] = [];
    for (const a of (await this.store.openAlerts(null, db)).map(toAlert)) {
      if (a.source !== 'central' || !a.code.startsWith(flappingPrefix)) continue;
      const base = a.code.slice(flappingPrefix.length);
      if ((await this.store.openingsSince(a.kioskId, base, now - this.opts.flappingWindowMs, db)) === 0) {
        await this.resolve(a, now, db);
        touched.push(a.kioskId);
      }
    }
    return touched;
  }

  async get(id: number): Promise<Alert | undefined> {
    const r = await this.store.alert(id);
    return r ? toAlert(r) : undefined;
  }

  async recent(limit: number, kioskId?: string): Promise<Alert[]> {
    return (await this.store.recentAlerts(limit, kioskId)).map(toAlert);
  }
}
