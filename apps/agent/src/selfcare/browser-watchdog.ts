/**
 * Decides when the kiosk browser must be restarted: the UI sends Kiosk.Ping every 15 s while its
 * page runs; when none has come for `pingTimeoutMs` (counted from the last ping, the last restart,
 * or the agent's start, whichever is latest) the screen is dead. Pure bookkeeping: the caller
 * runs the restart command and reports.
 */
export interface BrowserWatchdogOptions {
  pingTimeoutMs: number;
  alertAfterRestartsPerHour: number;
  startedAt: number;
}

export interface RestartDecision {
  reason: string;
  /** Restarts within the last hour, this one included. */
  restartsLastHour: number;
  /** True exactly when this restart reaches the alert threshold. */
  raiseAlert: boolean;
}

export class BrowserWatchdog {
  private baseline: number;
  private readonly restarts: number[] = [];

  constructor(private readonly opts: BrowserWatchdogOptions) {
    this.baseline = opts.startedAt;
  }

  /** A restart to do now, or null. `lastPingAt` is when the UI last pinged (null: never). */
  check(now: number, lastPingAt: number | null): RestartDecision | null {
    const since = Math.max(this.baseline, lastPingAt ?? 0);
    if (now - since < this.opts.pingTimeoutMs) return null;
    return this.record(
      now,
      lastPingAt === null || lastPingAt < this.baseline
        ? 'no UI ping since start'
        : `no UI ping for ${Math.round((now - since) / 1000)} s`,
    );
  }

  /** A planned restart (nightly maintenance): gives the browser time to come up; not counted for alerts. */
  planned(now: number): void {
    this.baseline = now;
  }

  /** A restart for another reason than the ping (a blank or frozen screen). */
  restartFor(now: number, reason: string): RestartDecision {
    return this.record(now, reason);
  }

  private record(now: number, reason: string): RestartDecision {
    this.baseline = now;
    this.restarts.push(now);
    while (this.restarts.length && this.restarts[0]! <= now - 3600_000) this.restarts.shift();
    const n = this.restarts.length;
    return { reason, restartsLastHour: n, raiseAlert: n === this.opts.alertAfterRestartsPerHour };
  }

  restartsLastHour(now: number): number {
    return this.restarts.filter((t) => t > now - 3600_000).length;
  }
}
