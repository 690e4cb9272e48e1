/** Staff alerts: raised to the UI, to listeners (`onAlert`) and to central's outbox. */
import { EventEmitter } from 'node:events';
import type { Logger } from '@kiosk/platform';
import type { AlertOutbox } from './ports.js';

export type StaffAlert =
  | { type: 'staff.lockout'; until: string; attempts: number }
  | { type: 'printer.paperReplaced'; staffNo: string; paper: string | null };

/**
 * The outbox's name for a staff alert: lower-case dotted names only (monitor/protocol.ts
 * `eventTypeSchema`), so `printer.paperReplaced` goes to central as `printer.paper_replaced`. The
 * alert itself (WebSocket, UI messages) keeps its name.
 */
export function monitorEventType(type: StaffAlert['type']): string {
  return type.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export class StaffAlerts {
  private readonly emitter = new EventEmitter<{ alert: [StaffAlert] }>();

  constructor(private readonly broadcast: (alert: StaffAlert) => void) {}

  raise(alert: StaffAlert): void {
    this.emitter.emit('alert', alert);
    this.broadcast(alert);
  }

  on(fn: (alert: StaffAlert) => void): () => void {
    this.emitter.on('alert', fn);
    return () => this.emitter.off('alert', fn);
  }

  /** Lockouts and "paper replaced" go to central through the durable outbox. */
  forwardTo(outbox: AlertOutbox, log: Logger): void {
    this.on((a) => {
      // Monitoring must never fail the staff member's action (it did: issue 20 item 7).
      try {
        outbox.enqueueEvent(monitorEventType(a.type), { ...a });
      } catch (err) {
        log.error({ err, type: a.type }, 'staff alert not queued for central');
      }
    });
  }
}
