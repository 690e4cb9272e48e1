/**
 * Order activity: what is running for which order right now, in this process. The money steps a
 * citizen waits for (busy reasons), the orders served at this screen (foreground), payment
 * watchers, per-order locks (one order's steps never run concurrently), and orders whose payment
 * outcome is unknown. No I/O; the other parts ask and record here.
 */
import type { GasCardData } from '@kiosk/protocol-gascard';
import type { BusyReason } from './types.js';
import { KeyedMutex } from '@kiosk/platform';

export interface Watcher {
  cancel: boolean;
  wake: () => void;
  done: Promise<void>;
}

export class OrderActivity {
  /** Money steps the citizen is waiting for (background retries are not listed). */
  readonly inFlight = new Map<string, BusyReason>();
  /** Orders a citizen is being served with in this process (created or finished from the UI). */
  readonly foreground = new Set<string>();
  readonly watchers = new Map<string, Watcher>();
  /** Per-order locks; releasing one re-sends the view (a waitForRest may be waiting for it). */
  readonly locks = new KeyedMutex<string>((orderNo) => this.changed(orderNo));
  /** awaiting_payment orders whose watcher gave up (provider unreachable past the deadline). */
  readonly unknownPayment = new Set<string>();
  /** The card the citizen showed last (cleared when it leaves or the session ends). */
  lastCard: GasCardData | null = null;
  private readonly idleWaiters = new Set<() => void>();

  /** `changed(orderNo)`: something about the order's activity changed (the view must be re-sent). */
  constructor(private readonly changed: (orderNo: string) => void) {}

  /** Something runs for this order (watcher, lock or a money step). */
  isActive(orderNo: string): boolean {
    return this.watchers.has(orderNo) || this.inFlight.has(orderNo) || this.locks.has(orderNo);
  }

  setBusy(orderNo: string, reason: BusyReason | null): void {
    if (reason && this.foreground.has(orderNo)) this.inFlight.set(orderNo, reason);
    else if (!this.inFlight.has(orderNo)) return;
    else if (!reason) this.inFlight.delete(orderNo);
    this.changed(orderNo);
    if (this.inFlight.size === 0) {
      for (const fn of [...this.idleWaiters]) fn();
      this.idleWaiters.clear();
    }
  }

  busyReason(): BusyReason | null {
    const reasons = new Set(this.inFlight.values());
    for (const r of ['cardWrite', 'printing', 'payment'] as const) if (reasons.has(r)) return r;
    return null;
  }

  whenIdle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  withLock<T>(orderNo: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(orderNo, fn);
  }

  /** Resolves once no lock is held for the order. */
  settled(orderNo: string): Promise<void> {
    return this.locks.settled(orderNo);
  }

  /** Everything still running, for stop(). */
  running(): Promise<unknown>[] {
    return [...[...this.watchers.values()].map((w) => w.done), ...this.locks.pending()];
  }
}
