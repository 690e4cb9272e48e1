import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { FleetPage as FleetPageView, KioskDetail, KioskSummary, SiteCounts } from '@kiosk/contracts/central-dashboard';
import type { HealthCounters } from '@kiosk/contracts/health';
import {
  findPersonalData,
  type FleetState,
  type Heartbeat,
  type HeartbeatResponse,
  type OutboxEvent,
} from '@kiosk/contracts/heartbeat';
import type { Alert, AlertBook } from './alerts.js';
import type { CommandDesk } from './commands.js';
import type { CentralConfig } from './config.js';
import {
  addCounters,
  fleetState,
  heartbeatConditions,
  offlineCondition,
  zeroCounters,
  type Condition,
  type Severity,
} from './evaluate.js';
import type { BeatWrite, CentralStore, ClaimedKiosk, KioskDbRow, SqlExec } from './store/store.js';

/** How long heartbeats wait to be written together (one transaction). */
const groupCommitMs = 50;
/**
 * Rows changed this long before the newest change already seen are read again on refresh: covers
 * a group commit still in flight and clock differences between replicas.
 */
const refreshOverlapMs = 5_000;

/** This replica's view of one kiosk (refreshed from the database; the database is the truth). */
export interface KioskRecord {
  id: string;
  site: string;
  name: string | null;
  offlineAfterMissed: number;
  firstSeenAt: number | null;
  lastSeenAt: number | null;
  lastEventSeq: number;
  intervalMs: number;
  state: FleetState;
  stateSince: number | null;
  /** Heartbeat-driven conditions from the last beat. */
  conditions: Condition[];
  last: Heartbeat | null;
  bootId: string | null;
  totals: HealthCounters;
  updatedAt: number;
}

/**
 * A feature's share of an applied kiosk event, run with the transaction (`db`) that applies it:
 * what it writes commits with the event, once per event.
 */
export type KioskEventHandler = (
  kiosk: { id: string; site: string },
  type: string,
  payload: Record<string, unknown>,
  now: number,
  db: SqlExec,
) => Promise<void>;

export interface FleetQuery {
  state?: FleetState;
  mode?: string;
  /** Words that must all appear in id, name, site or an issue (case-insensitive). */
  q?: string;
  /** At most this many rows; all if absent. */
  limit?: number;
}

/** The fleet list as the store sees it; the route adds when and the "not seen" threshold. */
export type FleetPage = Omit<FleetPageView, 'generatedAt' | 'notSeenDays'>;

const eventAlertCode = /^[a-z][a-z0-9_.-]{0,47}$/;
const json = <T>(s: string | null, fallback: T): T => (s ? (JSON.parse(s) as T) : fallback);

/**
 * The fleet: heartbeats, outbox events, screenshots, fleet state and the offline sweep, over the
 * store. Each replica keeps a view of the kiosks for the list, metrics and the sweep and refreshes
 * it from the database every `refreshMs`; a request's own decisions (replay, exactly-once events,
 * state changes) are taken in the database.
 */
export class Fleet {
  private readonly kiosks = new Map<string, KioskRecord>();
  /** By site (Chinese collation), then id; rebuilt when kiosks come or go. */
  private sorted: KioskRecord[] = [];
  private sortedStale = true;
  private newestChange = 0;
  private readonly log: Logger;
  /**
   * Features that derive their own records from kiosk events (e.g. 好差评 follow-ups). Called
   * inside the transaction that applies the event, so each event reaches them exactly once.
   */
  readonly eventHandlers: KioskEventHandler[] = [];
  /** After a central restart, kiosks get their full grace period again before counting as offline. */
  private readonly startedAt = Date.now();
  private pendingBeats: BeatWrite[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    readonly store: CentralStore,
    private readonly config: CentralConfig,
    logger: Logger,
    readonly alerts: AlertBook,
    readonly commands: CommandDesk,
  ) {
    this.log = logger.child({ component: 'fleet' });
  }

  /** Reads kiosk rows changed since the last look (all on the first call). */
  async refresh(): Promise<void> {
    const since = this.newestChange === 0 ? 0 : this.newestChange - refreshOverlapMs;
    // Versions first: rows this replica wrote itself are current here already and not read again.
    const versions = await this.store.kioskVersionsSince(since);
    const stale = versions.filter((v) => !(this.kiosks.get(v.id)?.updatedAt === Number(v.updated_at))).map((v) => v.id);
    for (const v of versions) this.newestChange = Math.max(this.newestChange, Number(v.updated_at));
    if (!stale.length) return;
    const rows = await this.store.kioskRows(stale);
    for (const r of rows) this.apply(r);
    this.onRows(rows);
  }

  /** Told every kiosk row read on refresh (the kiosk keys follow rotations and disables this way). */
  onRows: (rows: readonly KioskDbRow[]) => void = () => undefined;

  /** Re-reads one kiosk after this replica changed it. */
  async refreshOne(id: string): Promise<void> {
    // This replica's own beats first, so the row read is not older than the view it replaces.
    await this.flush();
    const r = await this.store.kioskRow(id);
    if (r) {
      this.apply(r, true);
      this.onRows([r]);
    }
  }

  private apply(r: KioskDbRow, force = false): void {
    const updatedAt = Number(r.updated_at);
    this.newestChange = Math.max(this.newestChange, updatedAt);
    const old = this.kiosks.get(r.id);
    if (Number(r.enabled) !== 1) {
      if (old) {
        this.kiosks.delete(r.id);
        this.sortedStale = true;
      }
      return;
    }
    // This replica may know newer figures than its group commit has written yet.
    if (old && !force && old.updatedAt > updatedAt) return;
    const k: KioskRecord = {
      id: r.id,
      site: r.site,
      name: r.name,
      offlineAfterMissed: r.offline_after_missed ?? this.config.heartbeat.offlineAfterMissed,
      firstSeenAt: r.first_seen_at === null ? null : Number(r.first_seen_at),
      lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
      lastEventSeq: Number(r.last_event_seq),
      intervalMs: r.interval_ms === null ? this.config.heartbeat.defaultIntervalMs : Number(r.interval_ms),
      state: r.state,
      stateSince: r.state_since === null ? null : Number(r.state_since),
      conditions: json<Condition[]>(r.conditions, []),
      last:
        old && old.lastSeenAt !== null && r.last_seen_at !== null && old.lastSeenAt === Number(r.last_seen_at)
          ? old.last
          : json<Heartbeat | null>(r.last_heartbeat, null),
      bootId: r.boot_id,
      totals: { ...zeroCounters, ...json<Partial<HealthCounters>>(r.totals, {}) },
      updatedAt,
    };
    if (!old || old.site !== k.site) this.sortedStale = true;
    this.kiosks.set(r.id, k);
  }

  private sortedKiosks(): KioskRecord[] {
    if (this.sortedStale) {
      const zh = new Intl.Collator('zh-CN');
      this.sorted = [...this.kiosks.values()].sort(
        (a, b) => zh.compare(a.site, b.site) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
      this.sortedStale = false;
    } else {
      // Records are replaced on refresh; keep the order, take the newest objects.
      this.sorted = this.sorted.map((k) => this.kiosks.get(k.id) ?? k);
    }
    return this.sorted;
  }

  get(id: string): KioskRecord | undefined {
    return this.kiosks.get(id);
  }

  all(): IterableIterator<KioskRecord> {
    return this.kiosks.values();
  }

  get size(): number {
    return this.kiosks.size;
  }

  /**
   * The fleet list: counts for the whole fleet, per-site counts of the matching kiosks, and the
   * first `limit` matching rows in site order. Filtering on the server keeps the dashboard fast
   * for any fleet size: a page of 300 rows is sent, not 10,000.
   */
  async query(f: FleetQuery): Promise<FleetPage> {
    const [alertCounts, commandCounts] = await Promise.all([this.alerts.openCounts(), this.openCommandCounts()]);
    const counts = { online: 0, warning: 0, error: 0, offline: 0 };
    const sites = new Map<string, SiteCounts>();
    const rows: KioskSummary[] = [];
    const words = (f.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    let matched = 0;
    const sorted = this.sortedKiosks();
    for (const k of sorted) {
      counts[k.state]++;
      if (f.state && k.state !== f.state) continue;
      if (f.mode && (k.last?.mode ?? null) !== f.mode) continue;
      if (words.length) {
        const hay = `${k.id} ${k.name ?? ''} ${k.site} ${k.conditions.map((c) => c.message).join(' ')}`.toLowerCase();
        if (!words.every((w) => hay.includes(w))) continue;
      }
      matched++;
      let sc = sites.get(k.site);
      if (!sc) {
        sc = { site: k.site, matched: 0, online: 0, warning: 0, error: 0, offline: 0 };
        sites.set(k.site, sc);
      }
      sc.matched++;
      sc[k.state]++;
      if (f.limit === undefined || rows.length < f.limit)
        rows.push(this.summaryWith(k, alertCounts.get(k.id) ?? 0, commandCounts.get(k.id) ?? 0));
    }
    return { counts, total: sorted.length, matched, sites: [...sites.values()], kiosks: rows };
  }

  private async openCommandCounts(): Promise<Map<string, number>> {
    return new Map((await this.store.openCommandCounts()).map((r) => [r.kiosk_id, Number(r.n)]));
  }

  private async severities(kioskId: string, conditions: readonly Condition[], db: SqlExec): Promise<Severity[]> {
    return [...conditions.map((c) => c.severity), ...(await this.alerts.stickySeverities(kioskId, db))];
  }

  /** Re-derives the state after something other than a heartbeat changed (an event, an acknowledged alert). */
  private async restate(kioskId: string, now: number, db: SqlExec): Promise<void> {
    const r = await this.store.kioskRow(kioskId, db);
    if (!r || r.state === 'offline' || r.last_seen_at === null) return;
    const conditions = json<Condition[]>(r.conditions, []);
    const next = fleetState(false, await this.severities(kioskId, conditions, db));
    if (next !== r.state) await this.store.setState({ kioskId, from: r.state, to: next, reasons: r.conditions, at: now }, db);
  }

  async acceptHeartbeat(
    kioskId: string,
    claimed: ClaimedKiosk,
    seq: number,
    hb: Heartbeat,
    rawBody: string,
    now: number,
  ): Promise<HeartbeatResponse> {
    const conditions = heartbeatConditions(hb, {
      essentialDevices: this.config.fleet.essentialDevices,
      diskLowBytes: this.config.fleet.diskLowBytes,
    });
    const before = json<Condition[]>(claimed.conditions, []);
    const changed =
      conditions.length !== before.length ||
      conditions.some(
        (c, i) => c.code !== before[i]?.code || c.severity !== before[i]?.severity || c.message !== before[i]?.message,
      );
    const totals = addCounters(
      { ...zeroCounters, ...json<Partial<HealthCounters>>(claimed.totals, {}) },
      { bootId: claimed.boot_id, counters: json<HealthCounters | null>(claimed.boot_counters, null) },
      hb.bootId,
      hb.counters,
    );
    let state = claimed.state;
    let stateSince = claimed.state_since === null ? null : Number(claimed.state_since);
    let commands: HeartbeatResponse['commands'] = [];
    const openAlerts = Number(claimed.open_alerts) > 0;
    const openCommands = Number(claimed.open_commands) > 0;
    // The common beat changes nothing but figures: it only joins the next group commit. A beat that
    // moves the state, an alert or a command is written at once, in its own transaction.
    if (changed || state === 'offline' || stateSince === null || openAlerts || openCommands) {
      await this.store.transaction(async (tx) => {
        // Heartbeat-driven alerts follow the beat; `offline` is heartbeat-driven too and clears here.
        if (changed || state === 'offline' || openAlerts) await this.alerts.reconcile(kioskId, 'heartbeat', conditions, now, tx);
        const next = fleetState(false, await this.severities(kioskId, conditions, tx));
        if (next !== state || stateSince === null) {
          await this.store.setState(
            { kioskId, from: stateSince === null ? null : state, to: next, reasons: JSON.stringify(conditions), at: now },
            tx,
          );
          this.log.info({ kiosk: kioskId, from: state, to: next }, 'kiosk state changed');
          state = next;
          stateSince = now;
        }
        if (openCommands) commands = await this.commands.forKiosk(kioskId, hb.pendingCommands, now, tx);
      });
    }
    const beat: BeatWrite = {
      kioskId,
      at: now,
      seq,
      raw: rawBody,
      firstSeenAt: claimed.first_seen_at === null ? now : Number(claimed.first_seen_at),
      intervalMs: hb.intervalMs,
      bootId: hb.bootId,
      bootCounters: JSON.stringify(hb.counters),
      totals: JSON.stringify(totals),
      conditions: JSON.stringify(conditions),
    };
    this.queueBeat(beat);
    const k = this.kiosks.get(kioskId);
    if (k) {
      this.kiosks.set(kioskId, {
        ...k,
        firstSeenAt: beat.firstSeenAt,
        lastSeenAt: now,
        intervalMs: hb.intervalMs,
        state,
        stateSince,
        conditions,
        last: hb,
        bootId: hb.bootId,
        totals,
        updatedAt: now,
      });
    } else {
      void this.refreshOne(kioskId).catch(() => undefined);
    }
    return {
      ok: true,
      serverTime: new Date(now).toISOString(),
      state,
      eventsAckedSeq: Number(claimed.last_event_seq),
      commands,
    };
  }

  private queueBeat(b: BeatWrite): void {
    this.pendingBeats.push(b);
    if (this.pendingBeats.length >= 1000) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), groupCommitMs);
  }

  /** Writes queued heartbeats now (also on close). */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const beats = this.pendingBeats;
    this.pendingBeats = [];
    this.flushing = this.flushing.then(async () => {
      try {
        await this.store.writeBeats(beats);
        await this.store.driver.flush();
      } catch (err) {
        this.log.error({ err, beats: beats.length }, 'writing heartbeats failed');
      }
    });
    return this.flushing;
  }

  /** Applies outbox events in order, each (kiosk, seq) once; returns the highest seq applied. */
  async acceptEvents(
    kioskId: string,
    claimed: ClaimedKiosk,
    events: readonly OutboxEvent[],
    now: number,
  ): Promise<{ ackedSeq: number; applied: number }> {
    const from = Number(claimed.last_event_seq);
    const result = await this.store.transaction(async (tx) => {
      let applied = 0;
      let highest = from;
      for (const e of events) {
        if (e.seq <= from) continue;
        let payload: Record<string, unknown> = e.payload;
        const pd = findPersonalData(payload);
        if (pd) {
          this.log.warn(
            { kiosk: kioskId, type: e.type, seq: e.seq, path: pd },
            'event payload looked like personal data; redacted',
          );
          payload = { redacted: true, reason: `looked like an ID number at ${pd}` };
        }
        highest = Math.max(highest, e.seq);
        // The unique (kiosk, seq) decides: a batch resent to another replica meanwhile is applied once.
        if (
          !(await this.store.insertEvent(
            { kioskId, seq: e.seq, type: e.type, at: e.at, receivedAt: now, payload: JSON.stringify(payload) },
            tx,
          ))
        )
          continue;
        applied++;
        await this.applyEventEffects(kioskId, e.type, payload, now, tx);
      }
      const ackedSeq = await this.store.raiseEventSeq(kioskId, highest, now, tx);
      if (applied) await this.restate(kioskId, now, tx);
      return { ackedSeq, applied };
    });
    if (result.applied) await this.refreshOne(kioskId);
    return result;
  }

  /**
   * Events that need a person: they raise alerts that stay until acknowledged.
   * `alert` {code, severity, message}; `gas.needs_attention` {orderRef?}.
   */
  private async applyEventEffects(
    kioskId: string,
    type: string,
    payload: Record<string, unknown>,
    now: number,
    db: SqlExec,
  ): Promise<void> {
    const site = this.kiosks.get(kioskId)?.site ?? '';
    for (const h of this.eventHandlers) await h({ id: kioskId, site }, type, payload, now, db);
    if (type === 'gas.needs_attention') {
      const ref = typeof payload.orderRef === 'string' ? ` ${payload.orderRef.slice(0, 40)}` : '';
      await this.alerts.raise(
        kioskId,
        'event',
        { code: 'gas-needs-attention', severity: 'error', message: `燃气订单需人工处理 Gas order needs attention${ref}` },
        now,
        db,
      );
    } else if (type === 'alert') {
      const code = typeof payload.code === 'string' && eventAlertCode.test(payload.code) ? payload.code : 'unspecified';
      const severity: Severity = payload.severity === 'error' ? 'error' : 'warning';
      const message = typeof payload.message === 'string' ? payload.message.slice(0, 200) : code;
      await this.alerts.raise(kioskId, 'event', { code: `event:${code}`, severity, message }, now, db);
    }
  }

  /** Commands for a command-wait request: what is deliverable now (marking it delivered), else nothing. */
  async commandsForWait(
    kioskId: string,
    pending: Heartbeat['pendingCommands'],
    now: number,
  ): Promise<HeartbeatResponse['commands']> {
    if ((await this.store.openCommandCount(kioskId)) === 0) return [];
    return this.store.transaction((tx) => this.commands.forKiosk(kioskId, pending, now, tx));
  }

  async storeScreenshot(kioskId: string, png: Buffer, commandId: string | undefined, now: number): Promise<string> {
    const id = randomUUID();
    await this.store.insertScreenshot({ id, kioskId, commandId: commandId ?? null, at: now, png });
    return id;
  }

  async screenshot(id: string): Promise<{ id: string; kioskId: string; at: number; png: Buffer } | undefined> {
    const r = await this.store.screenshot(id);
    return r ? { id: r.id, kioskId: r.kiosk_id, at: Number(r.at), png: Buffer.from(r.png) } : undefined;
  }

  async acknowledgeAlert(id: number, user: string, now: number): Promise<Alert | undefined> {
    const a = await this.store.transaction(async (tx) => {
      const a = await this.alerts.acknowledge(id, user, now, tx);
      if (a) {
        await this.store.audit(`user:${user}`, 'alert.acknowledged', a.kioskId, { id, code: a.code }, now, tx);
        await this.restate(a.kioskId, now, tx);
      }
      return a;
    });
    if (a) await this.refreshOne(a.kioskId);
    return a;
  }

  /**
   * Offline detection, command expiry and the end of flapping; run every second or so. Every
   * step is a conditional update, so replicas running it at the same time do each thing once.
   */
  async sweep(now: number): Promise<void> {
    // Beats this replica took are written first, so none of them is missed below.
    await this.flush();
    const quiet = await this.store.offlineCandidates(now, this.startedAt, {
      offlineAfterMissed: this.config.heartbeat.offlineAfterMissed,
      intervalMs: this.config.heartbeat.defaultIntervalMs,
    });
    for (const q of quiet) {
      const mine = await this.store.transaction(async (tx) => {
        if (!(await this.store.claimOffline(q.id, now, Number(q.last_seen_at), tx))) return false;
        await this.store.insertStateChange(
          { kioskId: q.id, from: q.state, to: 'offline', reasons: JSON.stringify([offlineCondition]), at: now },
          tx,
        );
        await this.alerts.raise(q.id, 'heartbeat', offlineCondition, now, tx);
        return true;
      });
      if (mine) {
        this.log.info({ kiosk: q.id, from: q.state, to: 'offline' }, 'kiosk state changed');
        await this.refreshOne(q.id);
      }
    }
    const touched = await this.store.transaction(async (tx) => {
      await this.commands.expire(now, tx);
      const kiosks = await this.alerts.sweepFlapping(now, tx);
      for (const id of kiosks) await this.restate(id, now, tx);
      return kiosks;
    });
    for (const id of touched) await this.refreshOne(id);
  }

  audit(actor: string, action: string, kioskId: string | null, detail: Record<string, unknown>, now: number): Promise<void> {
    return this.store.audit(actor, action, kioskId, detail, now);
  }

  summaryWith(k: KioskRecord, openAlerts: number, openCommands: number): KioskSummary {
    return {
      id: k.id,
      site: k.site,
      name: k.name,
      state: k.state,
      stateSince: k.stateSince,
      lastSeenAt: k.lastSeenAt,
      intervalMs: k.intervalMs,
      mode: k.last?.mode ?? null,
      modeMessage: k.last?.modeMessage ?? null,
      paper: k.last?.paper ?? null,
      versions: k.last?.versions ?? null,
      services: k.last?.services ?? null,
      conditions: k.conditions,
      openAlerts,
      openCommands,
    };
  }

  async summary(k: KioskRecord): Promise<KioskSummary> {
    return this.summaryWith(k, (await this.alerts.openFor(k.id)).length, await this.store.openCommandCount(k.id));
  }

  async detail(id: string): Promise<KioskDetail | undefined> {
    await this.refreshOne(id);
    const k = this.kiosks.get(id);
    if (!k) return undefined;
    const [summary, alerts, events, stateChanges, commands, screenshots] = await Promise.all([
      this.summary(k),
      this.alerts.recent(50, id),
      this.store.recentEvents(id, 50),
      this.store.recentStateChanges(id, 50),
      this.commands.recent(id, 20),
      this.store.latestScreenshots(id, 5),
    ]);
    return {
      ...summary,
      firstSeenAt: k.firstSeenAt,
      offlineAfterMissed: k.offlineAfterMissed,
      heartbeat: k.last,
      totals: k.totals,
      alerts,
      events: events.map((e) => ({
        seq: Number(e.seq),
        type: e.type,
        at: e.at,
        receivedAt: Number(e.received_at),
        payload: JSON.parse(e.payload) as unknown,
      })),
      stateChanges: stateChanges.map((s) => ({
        at: Number(s.at),
        from: s.from_state,
        to: s.to_state,
        conditions: JSON.parse(s.conditions) as unknown,
      })),
      commands,
      screenshots: screenshots.map((s) => ({ id: s.id, at: Number(s.at), commandId: s.command_id, bytes: Number(s.bytes) })),
    };
  }
}
