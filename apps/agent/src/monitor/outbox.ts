import type { Db } from '@kiosk/platform';
import type { RemoteCommand, RemoteCommandKind } from '@kiosk/contracts/health';
import { eventTypeSchema, findPersonalData, nextSequence, type OutboxEvent } from '@kiosk/contracts/heartbeat';

/** Largest event payload accepted into the outbox (JSON bytes); central takes batches of these. */
const maxEventPayloadBytes = 16 * 1024;

type CommandStatus = 'waiting' | 'running' | 'succeeded' | 'failed';

export interface CommandRow {
  id: string;
  kind: RemoteCommandKind;
  message: string | null;
  issuedBy: string;
  issuedAt: string;
  receivedAt: string;
  status: CommandStatus;
  detail: string | null;
  screenshotId: string | null;
  finishedAt: string | null;
  ackedAt: string | null;
}

interface CommandDbRow {
  id: string;
  kind: string;
  message: string | null;
  issued_by: string;
  issued_at: string;
  received_at: string;
  status: CommandStatus;
  detail: string | null;
  screenshot_id: string | null;
  finished_at: string | null;
  acked_at: string | null;
}

const toCommand = (r: CommandDbRow): CommandRow => ({
  id: r.id,
  kind: r.kind as RemoteCommandKind,
  message: r.message,
  issuedBy: r.issued_by,
  issuedAt: r.issued_at,
  receivedAt: r.received_at,
  status: r.status,
  detail: r.detail,
  screenshotId: r.screenshot_id,
  finishedAt: r.finished_at,
  ackedAt: r.acked_at,
});

/**
 * The monitor's durable state in the agent database (migration 2): sequence numbers, the event
 * outbox and the remote command log, plus audit entries in `audit_log` (migration 1).
 * Synchronous on purpose: better-sqlite3 calls are short and each is its own transaction.
 */
export class MonitorStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      getState: db.prepare<[string], { value: number }>('SELECT value FROM monitor_state WHERE key = ?'),
      putState: db.prepare(
        'INSERT INTO monitor_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      maxOutboxSeq: db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM monitor_outbox'),
      insertEvent: db.prepare('INSERT INTO monitor_outbox (seq, type, payload, created_at) VALUES (?, ?, ?, ?)'),
      peek: db.prepare<[number], { seq: number; type: string; payload: string; created_at: string }>(
        'SELECT seq, type, payload, created_at FROM monitor_outbox ORDER BY seq LIMIT ?',
      ),
      ackUpTo: db.prepare('DELETE FROM monitor_outbox WHERE seq <= ?'),
      attempt: db.prepare('UPDATE monitor_outbox SET attempts = attempts + 1, last_error = ? WHERE seq >= ? AND seq <= ?'),
      depth: db.prepare<[], { n: number; oldest: string | null }>(
        'SELECT count(*) AS n, min(created_at) AS oldest FROM monitor_outbox',
      ),
      insertCommand: db.prepare(
        `INSERT OR IGNORE INTO monitor_commands (id, kind, message, issued_by, issued_at, received_at, status)
         VALUES (?, ?, ?, ?, ?, ?, 'waiting')`,
      ),
      getCommand: db.prepare<[string], CommandDbRow>('SELECT * FROM monitor_commands WHERE id = ?'),
      openCommands: db.prepare<[], CommandDbRow>(
        `SELECT * FROM monitor_commands WHERE status IN ('waiting', 'running') ORDER BY received_at, rowid`,
      ),
      setRunning: db.prepare(`UPDATE monitor_commands SET status = 'running' WHERE id = ? AND status = 'waiting'`),
      finish: db.prepare('UPDATE monitor_commands SET status = ?, detail = ?, screenshot_id = ?, finished_at = ? WHERE id = ?'),
      unacked: db.prepare<[], CommandDbRow>(
        `SELECT * FROM monitor_commands WHERE status IN ('succeeded', 'failed') AND acked_at IS NULL ORDER BY finished_at, rowid LIMIT 100`,
      ),
      markAcked: db.prepare('UPDATE monitor_commands SET acked_at = ? WHERE id = ? AND acked_at IS NULL'),
      interrupted: db.prepare<[], CommandDbRow>(`SELECT * FROM monitor_commands WHERE status = 'running'`),
      audit: db.prepare('INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)'),
    };
  }

  private state(key: string): number {
    return this.stmts.getState.get(key)?.value ?? 0;
  }

  /** The next sequence number for a signed request; persisted before the request is sent. */
  nextRequestSeq(nowMs = Date.now()): number {
    return this.db.transaction(() => {
      const seq = nextSequence(this.state('request_seq'), nowMs);
      this.stmts.putState.run('request_seq', seq);
      return seq;
    })();
  }

  /**
   * Appends an event. Throws (a programming error) if the type is malformed, the payload is too big
   * or carries something shaped like an ID number: monitoring traffic holds no personal data.
   */
  enqueue(type: string, payload: Record<string, unknown>, now = new Date()): number {
    if (!eventTypeSchema.safeParse(type).success) throw new Error(`event type "${type}" must be a lower-case dotted name`);
    const json = JSON.stringify(payload);
    if (Buffer.byteLength(json) > maxEventPayloadBytes)
      throw new Error(`event ${type} payload is over ${maxEventPayloadBytes} bytes`);
    const pd = findPersonalData(payload);
    if (pd)
      throw new Error(
        `event ${type} payload looks like it holds an ID number at ${pd}; monitoring events must not carry personal data`,
      );
    return this.db.transaction(() => {
      // Never reuse a seq central may have applied already, even after rows were acked and deleted.
      const last = Math.max(this.state('event_seq'), this.stmts.maxOutboxSeq.get()?.seq ?? 0);
      const seq = nextSequence(last, now.getTime());
      this.stmts.insertEvent.run(seq, type, json, now.toISOString());
      this.stmts.putState.run('event_seq', seq);
      return seq;
    })();
  }

  peek(limit: number): OutboxEvent[] {
    return this.stmts.peek.all(limit).map((r) => ({
      seq: r.seq,
      type: r.type,
      at: r.created_at,
      payload: JSON.parse(r.payload) as Record<string, unknown>,
    }));
  }

  /** Central has applied every event up to and including `seq`. */
  ackUpTo(seq: number): number {
    return this.stmts.ackUpTo.run(seq).changes;
  }

  recordAttempt(fromSeq: number, toSeq: number, error: string | null): void {
    this.stmts.attempt.run(error, fromSeq, toSeq);
  }

  outboxDepth(): { depth: number; oldestAt: string | null } {
    const r = this.stmts.depth.get();
    return { depth: r?.n ?? 0, oldestAt: r?.oldest ?? null };
  }

  /** Records a command from central; false if this id was seen before (central resends until acked). */
  receiveCommand(c: RemoteCommand, now = new Date()): boolean {
    const fresh =
      this.stmts.insertCommand.run(c.id, c.kind, c.message ?? null, c.issuedBy, c.issuedAt, now.toISOString()).changes === 1;
    if (fresh) {
      this.audit(`central:${c.issuedBy}`, 'remote-command.received', { id: c.id, kind: c.kind, message: c.message }, now);
    }
    return fresh;
  }

  command(id: string): CommandRow | undefined {
    const r = this.stmts.getCommand.get(id);
    return r ? toCommand(r) : undefined;
  }

  openCommands(): CommandRow[] {
    return this.stmts.openCommands.all().map(toCommand);
  }

  markRunning(id: string): boolean {
    return this.stmts.setRunning.run(id).changes === 1;
  }

  finishCommand(id: string, ok: boolean, detail: string | undefined, screenshotId?: string, now = new Date()): void {
    const c = this.command(id);
    this.stmts.finish.run(ok ? 'succeeded' : 'failed', detail ?? null, screenshotId ?? null, now.toISOString(), id);
    this.audit(`central:${c?.issuedBy ?? 'unknown'}`, 'remote-command.finished', { id, kind: c?.kind, ok, detail }, now);
  }

  unackedResults(): CommandRow[] {
    return this.stmts.unacked.all().map(toCommand);
  }

  markAcked(ids: readonly string[], now = new Date()): void {
    const at = now.toISOString();
    this.db.transaction(() => {
      for (const id of ids) this.stmts.markAcked.run(at, id);
    })();
  }

  /**
   * A command that was running when the agent stopped did not report: mark it failed rather than
   * run it twice (restarting the UI or printing twice is worse than an operator retrying).
   */
  failInterrupted(now = new Date()): number {
    const rows = this.stmts.interrupted.all();
    for (const r of rows)
      this.finishCommand(r.id, false, 'agent restarted while the command ran / 命令执行中终端重启', undefined, now);
    return rows.length;
  }

  audit(actor: string, action: string, detail: Record<string, unknown>, now = new Date()): void {
    this.stmts.audit.run(now.toISOString(), actor, action, JSON.stringify(detail));
  }
}
