import { randomUUID } from 'node:crypto';
import type { RemoteCommandKind } from '@kiosk/contracts/health';
import type { CommandAck, Heartbeat, HeartbeatResponse } from '@kiosk/contracts/heartbeat';
import type { Command } from '@kiosk/contracts/central-dashboard';
import type { CentralStore, CommandDbRow, SqlExec } from './store/store.js';

const toCommand = (r: CommandDbRow): Command => ({
  id: r.id,
  kioskId: r.kiosk_id,
  kind: r.kind,
  message: r.message,
  issuedBy: r.issued_by,
  issuedAt: Number(r.issued_at),
  expiresAt: Number(r.expires_at),
  status: r.status,
  deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
  finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  detail: r.detail,
  screenshotId: r.screenshot_id,
});

/**
 * Remote commands: queued by an operator, handed out with a heartbeat answer or to the kiosk's
 * open command-wait, re-sent until the kiosk reports holding them, finished by its ack. Hand-out
 * and finishing are conditional updates, so replicas never disagree about a command's status.
 */
export class CommandDesk {
  /** Open command-wait requests on this replica, by kiosk: woken when a command is issued for it. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly store: CentralStore,
    private readonly ttlHours: number,
    /** Tells other replicas (PostgreSQL NOTIFY); they wake their own waiters via `wake`. */
    private readonly announce: (kioskId: string) => void = () => undefined,
  ) {}

  async issue(
    kioskId: string,
    kind: RemoteCommandKind,
    message: string | undefined,
    user: string,
    now: number,
  ): Promise<Command> {
    const id = randomUUID();
    const expiresAt = now + Math.round(this.ttlHours * 3_600_000);
    await this.store.transaction(async (tx) => {
      await this.store.insertCommand({ id, kioskId, kind, message: message ?? null, user, now, expiresAt }, tx);
      await this.store.audit(`user:${user}`, 'command.issued', kioskId, { id, kind, message }, now, tx);
    });
    // A kiosk waiting on command-wait gets it now instead of with its next heartbeat.
    this.wake(kioskId);
    this.announce(kioskId);
    return toCommand((await this.store.command(id))!);
  }

  /** Wakes this replica's command-wait requests of the kiosk. */
  wake(kioskId: string): void {
    for (const fn of [...(this.waiters.get(kioskId) ?? [])]) fn();
  }

  /** Calls `fn` once when a command is issued for the kiosk; returns a function that cancels. */
  onIssued(kioskId: string, fn: () => void): () => void {
    let set = this.waiters.get(kioskId);
    if (!set) this.waiters.set(kioskId, (set = new Set()));
    const s = set;
    const once = (): void => {
      cancel();
      fn();
    };
    const cancel = (): void => {
      s.delete(once);
      if (s.size === 0 && this.waiters.get(kioskId) === s) this.waiters.delete(kioskId);
    };
    s.add(once);
    return cancel;
  }

  /**
   * What to hand the kiosk now: commands it does not report holding, marking queued ones
   * delivered. Held commands it reports move to waiting/running.
   */
  async forKiosk(
    kioskId: string,
    pending: Heartbeat['pendingCommands'],
    now: number,
    db: SqlExec,
  ): Promise<HeartbeatResponse['commands']> {
    const held = new Map(pending.map((p) => [p.id, p.state]));
    for (const [id, state] of held) await this.store.markProgress(id, kioskId, state, db);
    const out: HeartbeatResponse['commands'] = [];
    for (const c of await this.store.deliverable(kioskId, db)) {
      if (held.has(c.id)) continue;
      if (c.status === 'queued') await this.store.markDelivered(c.id, now, db);
      out.push({
        id: c.id,
        kind: c.kind,
        ...(c.message !== null ? { message: c.message } : {}),
        issuedBy: c.issued_by,
        issuedAt: new Date(Number(c.issued_at)).toISOString(),
      });
    }
    return out;
  }

  /** Finishes acknowledged commands; unknown or already finished ids are acked too, so the kiosk stops resending them. */
  async acks(kioskId: string, acks: readonly CommandAck[], now: number): Promise<string[]> {
    return this.store.transaction(async (tx) => {
      const done: string[] = [];
      for (const a of acks) {
        const finished = await this.store.finishCommand(
          {
            id: a.id,
            kioskId,
            ok: a.ok,
            finishedAt: Date.parse(a.finishedAt) || now,
            detail: a.detail ?? null,
            screenshotId: a.screenshotId ?? null,
          },
          tx,
        );
        if (finished) {
          const c = await this.store.command(a.id, tx);
          await this.store.audit(
            `kiosk:${kioskId}`,
            'command.result',
            kioskId,
            { id: a.id, kind: c?.kind, ok: a.ok, detail: a.detail },
            now,
            tx,
          );
        }
        done.push(a.id);
      }
      return done;
    });
  }

  /** Commands nobody picked up within the TTL expire (once delivered they never do). */
  async expire(now: number, db: SqlExec): Promise<void> {
    for (const r of await this.store.expireCommands(now, db)) {
      await this.store.audit('central', 'command.expired', r.kiosk_id, { id: r.id }, now, db);
    }
  }

  async command(id: string): Promise<Command | undefined> {
    const r = await this.store.command(id);
    return r ? toCommand(r) : undefined;
  }

  async recent(kioskId: string, limit: number): Promise<Command[]> {
    return (await this.store.recentCommands(kioskId, limit)).map(toCommand);
  }
}
