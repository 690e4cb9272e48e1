import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '@kiosk/platform';
import type { HealthCounters, RemoteCommandKind } from '@kiosk/contracts/health';
import {
  findPersonalData,
  type CommandAck,
  type FleetState,
  type Heartbeat,
  type HeartbeatResponse,
  type OutboxEvent,
} from '@kiosk/contracts/heartbeat';
import { AlertBook, type Alert, type AlertChange } from './alerts.js';
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
import type { WebhookQueue } from './webhook.js';

const unassignedSite = '未分组 Unassigned';

/** How long heartbeats wait to be written together (one transaction, one WAL append). */
const groupCommitMs = 50;

export interface KioskRecord {
  id: string;
  site: string;
  name: string | null;
  secret: string;
  offlineAfterMissed: number;
  firstSeenAt: number | null;
  lastSeenAt: number | null;
  lastRequestSeq: number;
  /** Watermark of command-wait requests (memory only; see protocol.ts `commandWait`). */
  lastWaitSeq: number;
  lastEventSeq: number;
  intervalMs: number;
  state: FleetState;
  stateSince: number | null;
  /** Heartbeat-driven conditions from the last beat. */
  conditions: Condition[];
  last: Heartbeat | null;
  /** The last heartbeat as received (stored as is). */
  lastRaw: string | null;
  bootId: string | null;
  bootCounters: HealthCounters | null;
  totals: HealthCounters;
  /** Commands not finished yet (queued, delivered, waiting, running). */
  openCommands: number;
}

interface KioskDbRow {
  id: string;
  site: string;
  name: string | null;
  first_seen_at: number | null;
  last_seen_at: number | null;
  last_request_seq: number;
  last_event_seq: number;
  interval_ms: number | null;
  state: FleetState;
  state_since: number | null;
  conditions: string;
  last_heartbeat: string | null;
  boot_id: string | null;
  boot_counters: string | null;
  totals: string;
}

type CommandStatus = 'queued' | 'delivered' | 'waiting' | 'running' | 'succeeded' | 'failed' | 'expired';

export interface CommandView {
  id: string;
  kioskId: string;
  kind: string;
  message: string | null;
  issuedBy: string;
  issuedAt: number;
  expiresAt: number;
  status: CommandStatus;
  deliveredAt: number | null;
  finishedAt: number | null;
  detail: string | null;
  screenshotId: string | null;
}

interface CommandDbRow {
  id: string;
  kiosk_id: string;
  kind: string;
  message: string | null;
  issued_by: string;
  issued_at: number;
  expires_at: number;
  status: CommandStatus;
  delivered_at: number | null;
  finished_at: number | null;
  detail: string | null;
  screenshot_id: string | null;
}

const toCommand = (r: CommandDbRow): CommandView => ({
  id: r.id,
  kioskId: r.kiosk_id,
  kind: r.kind,
  message: r.message,
  issuedBy: r.issued_by,
  issuedAt: r.issued_at,
  expiresAt: r.expires_at,
  status: r.status,
  deliveredAt: r.delivered_at,
  finishedAt: r.finished_at,
  detail: r.detail,
  screenshotId: r.screenshot_id,
});

/** One row of the fleet list: what the table and the filters need, nothing more. */
export interface KioskSummary {
  id: string;
  site: string;
  name: string | null;
  state: FleetState;
  stateSince: number | null;
  lastSeenAt: number | null;
  intervalMs: number;
  mode: Heartbeat['mode'] | null;
  modeMessage: string | null;
  paper: Heartbeat['paper'] | null;
  versions: Heartbeat['versions'] | null;
  /** Citizen services and the paused ones (degraded service while "in service"); null from older agents. */
  services: NonNullable<Heartbeat['services']> | null;
  conditions: Condition[];
  openAlerts: number;
  openCommands: number;
}

export interface FleetQuery {
  state?: FleetState;
  mode?: string;
  /** Words that must all appear in id, name, site or an issue (case-insensitive). */
  q?: string;
  /** At most this many rows; all if absent. */
  limit?: number;
}

interface SiteCounts {
  site: string;
  matched: number;
  online: number;
  warning: number;
  error: number;
  offline: number;
}

export interface FleetPage {
  /** Whole fleet, whatever the filter. */
  counts: Record<FleetState, number>;
  total: number;
  matched: number;
  sites: SiteCounts[];
  kiosks: KioskSummary[];
}

const eventAlertCode = /^[a-z][a-z0-9_.-]{0,47}$/;

/**
 * The fleet as central sees it. Kiosk records live in memory (the hot path — a heartbeat — reads
 * and updates them without a query) and are written through to SQLite in one transaction per request.
 */
export class Fleet {
  private readonly kiosks = new Map<string, KioskRecord>();
  /** Open command-wait requests by kiosk: woken when a command is issued for it. */
  private readonly commandWaiters = new Map<string, Set<() => void>>();
  /** By site (Chinese collation), then id. Sites and ids come from the config, so this is fixed. */
  private sorted: KioskRecord[] = [];
  readonly alerts: AlertBook;
  /**
   * Features that derive their own records from kiosk events (e.g. 好差评 follow-ups). Called
   * inside the transaction that applies the event, so each event reaches them exactly once.
   */
  readonly eventHandlers: ((kiosk: { id: string; site: string }, type: string, payload: Record<string, unknown>, now: number) => void)[] = [];
  private readonly stmts;
  private readonly log: Logger;
  /** After a central restart, kiosks get their full grace period again before counting as offline. */
  private readonly startedAt = Date.now();
  private pendingBeats: { kioskId: string; at: number; seq: number; raw: string }[] = [];
  private readonly dirty = new Set<KioskRecord>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly config: CentralConfig,
    logger: Logger,
    private readonly webhook: WebhookQueue,
  ) {
    this.log = logger.child({ component: 'fleet' });
    this.alerts = new AlertBook(
      db,
      {
        flappingMaxOpenings: config.alerts.flappingMaxOpenings,
        flappingWindowMs: config.alerts.flappingWindowMinutes * 60_000,
      },
      (change, alert, notify) => this.onAlert(change, alert, notify),
    );
    this.stmts = {
      upsertKiosk: db.prepare(
        `INSERT INTO kiosks (id, site, name) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET site = excluded.site, name = excluded.name`,
      ),
      allKiosks: db.prepare<[], KioskDbRow>('SELECT * FROM kiosks'),
      insertHeartbeat: db.prepare('INSERT INTO heartbeats (kiosk_id, received_at, seq, body) VALUES (?, ?, ?, ?)'),
      updateOnBeat: db.prepare(
        `UPDATE kiosks SET first_seen_at = ?, last_seen_at = ?, last_request_seq = max(last_request_seq, ?),
           interval_ms = ?, last_heartbeat = ?, boot_id = ?, boot_counters = ?, totals = ?, conditions = ?,
           state = ?, state_since = ?
         WHERE id = ?`,
      ),
      updateSeq: db.prepare('UPDATE kiosks SET last_request_seq = ? WHERE id = ?'),
      updateEventSeq: db.prepare('UPDATE kiosks SET last_request_seq = ?, last_event_seq = ? WHERE id = ?'),
      updateState: db.prepare('UPDATE kiosks SET state = ?, state_since = ? WHERE id = ?'),
      insertStateChange: db.prepare(
        'INSERT INTO state_changes (kiosk_id, at, from_state, to_state, conditions) VALUES (?, ?, ?, ?, ?)',
      ),
      insertEvent: db.prepare(
        'INSERT OR IGNORE INTO events (kiosk_id, seq, type, at, received_at, payload) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      recentEvents: db.prepare<[string, number], { seq: number; type: string; at: string; received_at: number; payload: string }>(
        'SELECT seq, type, at, received_at, payload FROM events WHERE kiosk_id = ? ORDER BY seq DESC LIMIT ?',
      ),
      recentStateChanges: db.prepare<[string, number], { at: number; from_state: string | null; to_state: string; conditions: string }>(
        'SELECT at, from_state, to_state, conditions FROM state_changes WHERE kiosk_id = ? ORDER BY at DESC, id DESC LIMIT ?',
      ),
      insertCommand: db.prepare(
        `INSERT INTO commands (id, kiosk_id, kind, message, issued_by, issued_at, expires_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'queued')`,
      ),
      deliverable: db.prepare<[string], CommandDbRow>(
        `SELECT * FROM commands WHERE kiosk_id = ? AND status IN ('queued', 'delivered') ORDER BY issued_at, rowid`,
      ),
      markDelivered: db.prepare(`UPDATE commands SET status = 'delivered', delivered_at = ? WHERE id = ? AND status = 'queued'`),
      markProgress: db.prepare(
        `UPDATE commands SET status = ? WHERE id = ? AND kiosk_id = ? AND status IN ('queued', 'delivered', 'waiting', 'running')`,
      ),
      getCommand: db.prepare<[string], CommandDbRow>('SELECT * FROM commands WHERE id = ?'),
      finishCommand: db.prepare(
        `UPDATE commands SET status = ?, finished_at = ?, detail = ?, screenshot_id = ?
         WHERE id = ? AND kiosk_id = ? AND status IN ('queued', 'delivered', 'waiting', 'running', 'expired')`,
      ),
      recentCommands: db.prepare<[string, number], CommandDbRow>(
        'SELECT * FROM commands WHERE kiosk_id = ? ORDER BY issued_at DESC, rowid DESC LIMIT ?',
      ),
      openCommandCounts: db.prepare<[], { kiosk_id: string; n: number }>(
        `SELECT kiosk_id, count(*) AS n FROM commands WHERE status IN ('queued', 'delivered', 'waiting', 'running') GROUP BY kiosk_id`,
      ),
      expireCommands: db.prepare<[{ now: number }], { id: string; kiosk_id: string }>(
        `UPDATE commands SET status = 'expired', finished_at = @now WHERE status = 'queued' AND expires_at < @now RETURNING id, kiosk_id`,
      ),
      insertScreenshot: db.prepare('INSERT INTO screenshots (id, kiosk_id, command_id, at, png) VALUES (?, ?, ?, ?, ?)'),
      screenshot: db.prepare<[string], { id: string; kiosk_id: string; at: number; png: Buffer }>(
        'SELECT id, kiosk_id, at, png FROM screenshots WHERE id = ?',
      ),
      latestScreenshots: db.prepare<[string, number], { id: string; at: number; command_id: string | null; bytes: number }>(
        'SELECT id, at, command_id, length(png) AS bytes FROM screenshots WHERE kiosk_id = ? ORDER BY at DESC LIMIT ?',
      ),
      audit: db.prepare('INSERT INTO audit_log (at, actor, action, kiosk_id, detail) VALUES (?, ?, ?, ?, ?)'),
    };
    this.load();
  }

  private load(): void {
    const configured = new Map(this.config.kiosks.map((k) => [k.id, k]));
    this.db.transaction(() => {
      for (const k of this.config.kiosks) this.stmts.upsertKiosk.run(k.id, k.site ?? unassignedSite, k.name ?? null);
    })();
    const open = new Map(this.stmts.openCommandCounts.all().map((r) => [r.kiosk_id, r.n]));
    for (const r of this.stmts.allKiosks.all()) {
      const cfg = configured.get(r.id);
      // A kiosk removed from the config keeps its history but can no longer sign in.
      if (!cfg) continue;
      const last = r.last_heartbeat ? (JSON.parse(r.last_heartbeat) as Heartbeat) : null;
      this.kiosks.set(r.id, {
        id: r.id,
        site: r.site,
        name: r.name,
        secret: cfg.secret,
        offlineAfterMissed: cfg.offlineAfterMissed ?? this.config.heartbeat.offlineAfterMissed,
        firstSeenAt: r.first_seen_at,
        lastSeenAt: r.last_seen_at,
        lastRequestSeq: r.last_request_seq,
        lastWaitSeq: 0,
        lastEventSeq: r.last_event_seq,
        intervalMs: r.interval_ms ?? this.config.heartbeat.defaultIntervalMs,
        state: r.state,
        stateSince: r.state_since,
        conditions: JSON.parse(r.conditions) as Condition[],
        last,
        lastRaw: r.last_heartbeat,
        bootId: r.boot_id,
        bootCounters: r.boot_counters ? (JSON.parse(r.boot_counters) as HealthCounters) : null,
        totals: { ...zeroCounters, ...(JSON.parse(r.totals) as Partial<HealthCounters>) },
        openCommands: open.get(r.id) ?? 0,
      });
    }
    const zh = new Intl.Collator('zh-CN');
    this.sorted = [...this.kiosks.values()].sort((a, b) => zh.compare(a.site, b.site) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get(id: string): KioskRecord | undefined {
    return this.kiosks.get(id);
  }

  /**
   * The fleet list: counts for the whole fleet, per-site counts of the matching kiosks, and the
   * first `limit` matching rows in site order. Filtering on the server keeps the dashboard fast
   * for any fleet size: a page of 300 rows is sent, not 10,000.
   */
  query(f: FleetQuery): FleetPage {
    const counts = { online: 0, warning: 0, error: 0, offline: 0 };
    const sites = new Map<string, SiteCounts>();
    const rows: KioskSummary[] = [];
    const words = (f.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    let matched = 0;
    for (const k of this.sorted) {
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
      if (f.limit === undefined || rows.length < f.limit) rows.push(this.summary(k));
    }
    return { counts, total: this.sorted.length, matched, sites: [...sites.values()], kiosks: rows };
  }

  all(): IterableIterator<KioskRecord> {
    return this.kiosks.values();
  }

  get size(): number {
    return this.kiosks.size;
  }

  /** Persists a sequence number for requests that change nothing else (e.g. a rejected body). */
  persistSeq(k: KioskRecord): void {
    this.stmts.updateSeq.run(k.lastRequestSeq, k.id);
  }

  private severitiesFor(k: KioskRecord): Severity[] {
    return [...k.conditions.map((c) => c.severity), ...this.alerts.stickySeverities(k.id)];
  }

  private setState(k: KioskRecord, next: FleetState, now: number, persist: boolean): void {
    if (k.state === next && k.stateSince !== null) return;
    const reasons = next === 'offline' ? [offlineCondition] : k.conditions;
    this.stmts.insertStateChange.run(k.id, now, k.stateSince === null ? null : k.state, next, JSON.stringify(reasons));
    this.log.info({ kiosk: k.id, from: k.state, to: next }, 'kiosk state changed');
    k.state = next;
    k.stateSince = now;
    if (persist) this.stmts.updateState.run(next, now, k.id);
  }

  /** Re-derives the state after something other than a heartbeat changed (an acknowledged alert). */
  private restate(kioskId: string, now: number): void {
    const k = this.kiosks.get(kioskId);
    if (!k || k.state === 'offline' || k.lastSeenAt === null) return;
    this.setState(k, fleetState(false, this.severitiesFor(k)), now, true);
  }

  acceptHeartbeat(k: KioskRecord, hb: Heartbeat, rawBody: string, now: number): HeartbeatResponse {
    const conditions = heartbeatConditions(hb, {
      essentialDevices: this.config.fleet.essentialDevices,
      diskLowBytes: this.config.fleet.diskLowBytes,
    });
    const changed =
      conditions.length !== k.conditions.length ||
      conditions.some((c, i) => c.code !== k.conditions[i]?.code || c.severity !== k.conditions[i]?.severity || c.message !== k.conditions[i]?.message);
    k.totals = addCounters(k.totals, { bootId: k.bootId, counters: k.bootCounters }, hb.bootId, hb.counters);
    k.conditions = conditions;
    k.firstSeenAt ??= now;
    k.lastSeenAt = now;
    k.intervalMs = hb.intervalMs;
    k.last = hb;
    k.lastRaw = rawBody;
    k.bootId = hb.bootId;
    k.bootCounters = hb.counters;
    let commands: HeartbeatResponse['commands'] = [];
    // The common beat changes nothing but figures: it only joins the next group commit. A beat that
    // moves the state, an alert or a command is written at once, in its own transaction.
    const openAlerts = this.alerts.openCount(k.id) > 0;
    if (changed || k.state === 'offline' || k.stateSince === null || openAlerts || k.openCommands > 0) {
      this.db.transaction(() => {
        // Heartbeat-driven alerts follow the beat; `offline` is heartbeat-driven too and clears here.
        if (changed || k.state === 'offline' || openAlerts) this.alerts.reconcile(k.id, 'heartbeat', conditions, now);
        this.setState(k, fleetState(false, this.severitiesFor(k)), now, true);
        if (k.openCommands > 0) commands = this.commandsForBeat(k, hb, now);
      })();
    }
    this.queueBeat(k, now);
    return {
      ok: true,
      serverTime: new Date(now).toISOString(),
      state: k.state,
      eventsAckedSeq: k.lastEventSeq,
      commands,
    };
  }

  /**
   * Group commit for heartbeats: raw rows and the kiosk rows' figures are written together every
   * `groupCommitMs` (or every 1,000 beats). The in-memory records are the truth while central
   * runs; a crash loses at most that window of monitoring data.
   */
  private queueBeat(k: KioskRecord, now: number): void {
    this.pendingBeats.push({ kioskId: k.id, at: now, seq: k.lastRequestSeq, raw: k.lastRaw ?? '' });
    this.dirty.add(k);
    if (this.pendingBeats.length >= 1000) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), groupCommitMs);
  }

  /** Writes queued heartbeats now (also on close). */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.pendingBeats.length && !this.dirty.size) return;
    const beats = this.pendingBeats;
    const dirty = [...this.dirty];
    this.pendingBeats = [];
    this.dirty.clear();
    try {
      this.db.transaction(() => {
        for (const b of beats) this.stmts.insertHeartbeat.run(b.kioskId, b.at, b.seq, b.raw);
        for (const k of dirty) {
          this.stmts.updateOnBeat.run(
            k.firstSeenAt,
            k.lastSeenAt,
            k.lastRequestSeq,
            k.intervalMs,
            k.lastRaw,
            k.bootId,
            JSON.stringify(k.bootCounters),
            JSON.stringify(k.totals),
            JSON.stringify(k.conditions),
            k.state,
            k.stateSince,
            k.id,
          );
        }
      })();
    } catch (err) {
      this.log.error({ err, beats: beats.length }, 'writing heartbeats failed');
    }
  }

  /**
   * Commands for a command-wait request: what is deliverable now (marking it delivered), else
   * nothing. Held commands the kiosk reports move to waiting/running as with a heartbeat.
   */
  commandsForWait(k: KioskRecord, pending: Heartbeat['pendingCommands'], now: number): HeartbeatResponse['commands'] {
    if (k.openCommands === 0) return [];
    return this.db.transaction(() => this.commandsForBeat(k, { pendingCommands: pending }, now))();
  }

  /** Calls `fn` once when a command is issued for the kiosk; returns a function that cancels. */
  onCommandIssued(kioskId: string, fn: () => void): () => void {
    let set = this.commandWaiters.get(kioskId);
    if (!set) this.commandWaiters.set(kioskId, (set = new Set()));
    const once = (): void => {
      set.delete(once);
      fn();
    };
    set.add(once);
    return () => set.delete(once);
  }

  private commandsForBeat(k: KioskRecord, hb: Pick<Heartbeat, 'pendingCommands'>, now: number): HeartbeatResponse['commands'] {
    const held = new Map(hb.pendingCommands.map((p) => [p.id, p.state]));
    for (const [id, state] of held) this.stmts.markProgress.run(state, id, k.id);
    const out: HeartbeatResponse['commands'] = [];
    for (const c of this.stmts.deliverable.all(k.id)) {
      if (held.has(c.id)) continue;
      if (c.status === 'queued') this.stmts.markDelivered.run(now, c.id);
      out.push({
        id: c.id,
        kind: c.kind,
        ...(c.message !== null ? { message: c.message } : {}),
        issuedBy: c.issued_by,
        issuedAt: new Date(c.issued_at).toISOString(),
      });
    }
    return out;
  }

  /** Applies outbox events in order, each (kiosk, seq) once; returns the highest seq applied. */
  acceptEvents(k: KioskRecord, events: readonly OutboxEvent[], now: number): { ackedSeq: number; applied: number } {
    return this.db.transaction(() => {
      let applied = 0;
      let lastEventSeq = k.lastEventSeq;
      for (const e of events) {
        if (e.seq <= lastEventSeq) continue;
        let payload: Record<string, unknown> = e.payload;
        const pd = findPersonalData(payload);
        if (pd) {
          this.log.warn({ kiosk: k.id, type: e.type, seq: e.seq, path: pd }, 'event payload looked like personal data; redacted');
          payload = { redacted: true, reason: `looked like an ID number at ${pd}` };
        }
        this.stmts.insertEvent.run(k.id, e.seq, e.type, e.at, now, JSON.stringify(payload));
        lastEventSeq = e.seq;
        applied++;
        this.applyEventEffects(k, e.type, payload, now);
      }
      k.lastEventSeq = lastEventSeq;
      this.stmts.updateEventSeq.run(k.lastRequestSeq, lastEventSeq, k.id);
      if (applied) this.restate(k.id, now);
      return { ackedSeq: lastEventSeq, applied };
    })();
  }

  /**
   * Events that need a person: they raise alerts that stay until acknowledged.
   * `alert` {code, severity, message}; `gas.needs_attention` {orderRef?}.
   */
  private applyEventEffects(k: KioskRecord, type: string, payload: Record<string, unknown>, now: number): void {
    for (const h of this.eventHandlers) h(k, type, payload, now);
    if (type === 'gas.needs_attention') {
      const ref = typeof payload.orderRef === 'string' ? ` ${payload.orderRef.slice(0, 40)}` : '';
      this.alerts.raise(k.id, 'event', { code: 'gas-needs-attention', severity: 'error', message: `燃气订单需人工处理 Gas order needs attention${ref}` }, now);
    } else if (type === 'alert') {
      const code = typeof payload.code === 'string' && eventAlertCode.test(payload.code) ? payload.code : 'unspecified';
      const severity: Severity = payload.severity === 'error' ? 'error' : 'warning';
      const message = typeof payload.message === 'string' ? payload.message.slice(0, 200) : code;
      this.alerts.raise(k.id, 'event', { code: `event:${code}`, severity, message }, now);
    }
  }

  acceptAcks(k: KioskRecord, acks: readonly CommandAck[], now: number): string[] {
    return this.db.transaction(() => {
      const done: string[] = [];
      for (const a of acks) {
        const changed = this.stmts.finishCommand.run(
          a.ok ? 'succeeded' : 'failed',
          Date.parse(a.finishedAt) || now,
          a.detail ?? null,
          a.screenshotId ?? null,
          a.id,
          k.id,
        ).changes;
        if (changed) {
          const c = this.stmts.getCommand.get(a.id);
          this.audit(`kiosk:${k.id}`, 'command.result', k.id, { id: a.id, kind: c?.kind, ok: a.ok, detail: a.detail }, now);
        }
        // Unknown or already-finished ids are acked too, so the kiosk stops resending them.
        done.push(a.id);
      }
      this.stmts.updateSeq.run(k.lastRequestSeq, k.id);
      this.refreshOpenCommands(k);
      return done;
    })();
  }

  private refreshOpenCommands(k: KioskRecord): void {
    const rows = this.stmts.openCommandCounts.all();
    k.openCommands = rows.find((r) => r.kiosk_id === k.id)?.n ?? 0;
  }

  storeScreenshot(k: KioskRecord, png: Buffer, commandId: string | undefined, now: number): string {
    const id = randomUUID();
    this.db.transaction(() => {
      this.stmts.insertScreenshot.run(id, k.id, commandId ?? null, now, png);
      this.stmts.updateSeq.run(k.lastRequestSeq, k.id);
    })();
    return id;
  }

  screenshot(id: string): { id: string; kioskId: string; at: number; png: Buffer } | undefined {
    const r = this.stmts.screenshot.get(id);
    return r ? { id: r.id, kioskId: r.kiosk_id, at: r.at, png: r.png } : undefined;
  }

  issueCommand(kioskId: string, kind: RemoteCommandKind, message: string | undefined, user: string, now: number): CommandView {
    const k = this.kiosks.get(kioskId);
    if (!k) throw new Error(`unknown kiosk ${kioskId}`);
    const id = randomUUID();
    const expiresAt = now + Math.round(this.config.commands.ttlHours * 3_600_000);
    this.db.transaction(() => {
      this.stmts.insertCommand.run(id, kioskId, kind, message ?? null, user, now, expiresAt);
      this.audit(`user:${user}`, 'command.issued', kioskId, { id, kind, message }, now);
    })();
    k.openCommands += 1;
    // A kiosk waiting on command-wait gets it now instead of with its next heartbeat.
    for (const wake of [...(this.commandWaiters.get(kioskId) ?? [])]) wake();
    return toCommand(this.stmts.getCommand.get(id)!);
  }

  command(id: string): CommandView | undefined {
    const r = this.stmts.getCommand.get(id);
    return r ? toCommand(r) : undefined;
  }

  acknowledgeAlert(id: number, user: string, now: number): Alert | undefined {
    return this.db.transaction(() => {
      const a = this.alerts.acknowledge(id, user, now);
      if (a) {
        this.audit(`user:${user}`, 'alert.acknowledged', a.kioskId, { id, code: a.code }, now);
        this.restate(a.kioskId, now);
      }
      return a;
    })();
  }

  /** Offline detection, command expiry and the end of flapping; run every second or so. */
  sweep(now: number): void {
    const quiet: KioskRecord[] = [];
    for (const k of this.kiosks.values()) {
      if (k.lastSeenAt === null || k.state === 'offline') continue;
      if (now > Math.max(k.lastSeenAt, this.startedAt) + k.offlineAfterMissed * k.intervalMs) quiet.push(k);
    }
    this.db.transaction(() => {
      for (const k of quiet) {
        this.setState(k, 'offline', now, true);
        this.alerts.raise(k.id, 'heartbeat', offlineCondition, now);
      }
      for (const r of this.stmts.expireCommands.all({ now })) {
        this.audit('central', 'command.expired', r.kiosk_id, { id: r.id }, now);
        const k = this.kiosks.get(r.kiosk_id);
        if (k) k.openCommands = Math.max(0, k.openCommands - 1);
      }
      for (const kioskId of this.alerts.sweepFlapping(now)) this.restate(kioskId, now);
    })();
  }

  audit(actor: string, action: string, kioskId: string | null, detail: Record<string, unknown>, now: number): void {
    this.stmts.audit.run(now, actor, action, kioskId, JSON.stringify(detail));
  }

  private onAlert(change: AlertChange, alert: Alert, notify: boolean): void {
    const k = this.kiosks.get(alert.kioskId);
    this.log.info({ kiosk: alert.kioskId, code: alert.code, change, severity: alert.severity, notify }, 'alert');
    if (!notify) return;
    this.webhook.enqueue({
      type: `alert.${change}`,
      at: new Date().toISOString(),
      kiosk: { id: alert.kioskId, site: k?.site ?? null, name: k?.name ?? null, state: k?.state ?? null },
      alert: {
        id: alert.id,
        code: alert.code,
        severity: alert.severity,
        source: alert.source,
        message: alert.message,
        openedAt: new Date(alert.openedAt).toISOString(),
        resolvedAt: alert.resolvedAt === null ? null : new Date(alert.resolvedAt).toISOString(),
        acknowledgedBy: alert.ackedBy,
        occurrences: alert.occurrences,
      },
    });
  }

  summary(k: KioskRecord): KioskSummary {
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
      openAlerts: this.alerts.openCount(k.id),
      openCommands: k.openCommands,
    };
  }

  detail(id: string): Record<string, unknown> | undefined {
    const k = this.kiosks.get(id);
    if (!k) return undefined;
    return {
      ...this.summary(k),
      firstSeenAt: k.firstSeenAt,
      offlineAfterMissed: k.offlineAfterMissed,
      heartbeat: k.last,
      totals: k.totals,
      alerts: this.alerts.recent(50, id),
      events: this.stmts.recentEvents.all(id, 50).map((e) => ({
        seq: e.seq,
        type: e.type,
        at: e.at,
        receivedAt: e.received_at,
        payload: JSON.parse(e.payload) as unknown,
      })),
      stateChanges: this.stmts.recentStateChanges.all(id, 50).map((s) => ({
        at: s.at,
        from: s.from_state,
        to: s.to_state,
        conditions: JSON.parse(s.conditions) as unknown,
      })),
      commands: this.stmts.recentCommands.all(id, 20).map(toCommand),
      screenshots: this.stmts.latestScreenshots.all(id, 5).map((s) => ({ id: s.id, at: s.at, commandId: s.command_id, bytes: s.bytes })),
    };
  }
}
