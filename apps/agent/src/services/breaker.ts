import { EventEmitter } from 'node:events';
import { citizenMessage, type CitizenMessage, type UpstreamErrorCode, type UpstreamName } from './errors.js';

/**
 * Circuit breaker per upstream: closed → open after `failureThreshold` consecutive upstream
 * failures (timeouts, unreachable, 5xx, broken bodies) → half-open after `coolDownMs`, where one
 * trial call is let through: success closes it, failure opens it again for another cool-down.
 *
 * A business answer (404, 409, 422…) proves the upstream is alive and counts as a success.
 * The open → half-open move is lazy (on the next look), so no timers run and tests can drive the
 * clock; `state` and the 'change' event are what the availability matrix watches.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold: number;
  /** How long it stays open before a trial call. Default 30 s. */
  coolDownMs: number;
  /** Clock in ms (tests). */
  now: () => number;
}

export interface BreakerSnapshot {
  upstream: UpstreamName;
  state: BreakerState;
  /** When the current state began (ms since epoch). */
  since: number;
  consecutiveFailures: number;
  lastFailure: UpstreamErrorCode | null;
  /** Why the tile is greyed, for the availability matrix; null while closed. */
  reason: CitizenMessage | null;
}

export interface BreakerChange {
  upstream: UpstreamName;
  from: BreakerState;
  to: BreakerState;
  snapshot: BreakerSnapshot;
}

const DEFAULT_BREAKER: Omit<BreakerOptions, 'now'> = { failureThreshold: 5, coolDownMs: 30_000 };

export class CircuitBreaker extends EventEmitter<{ change: [BreakerChange] }> {
  private current: BreakerState = 'closed';
  private since: number;
  private failures = 0;
  private lastFailure: UpstreamErrorCode | null = null;
  private trialInFlight = false;
  private readonly opts: BreakerOptions;

  constructor(
    readonly upstream: UpstreamName,
    opts: Partial<BreakerOptions> = {},
  ) {
    super();
    this.opts = { ...DEFAULT_BREAKER, now: Date.now, ...opts };
    if (this.opts.failureThreshold < 1) throw new Error('failureThreshold must be at least 1');
    this.since = this.opts.now();
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.opts.now() - this.since >= this.opts.coolDownMs) this.move('half-open');
    return this.current;
  }

  snapshot(): BreakerSnapshot {
    void this.state; // applies a due open → half-open move first
    return this.snapshotNoMove();
  }

  /**
   * Asks to make a call. Closed: yes. Open: no. Half-open: yes for exactly one caller at a time.
   * A caller that got `true` must end with onSuccess, onFailure or release.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.trialInFlight = false;
    this.failures = 0;
    if (this.current !== 'closed') this.move('closed');
  }

  onFailure(code: UpstreamErrorCode): void {
    this.trialInFlight = false;
    this.failures += 1;
    this.lastFailure = code;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.opts.failureThreshold)) {
      this.move('open');
    } else if (this.current === 'open') {
      // A call that started before the circuit opened: restart the cool-down.
      this.since = this.opts.now();
    }
  }

  /** The call ended without telling us anything about the upstream (e.g. the caller aborted). */
  release(): void {
    this.trialInFlight = false;
  }

  /** Operations: close the circuit by hand. */
  reset(): void {
    this.trialInFlight = false;
    this.failures = 0;
    if (this.current !== 'closed') this.move('closed');
  }

  private move(to: BreakerState): void {
    const from = this.current;
    this.current = to;
    this.since = this.opts.now();
    this.emit('change', { upstream: this.upstream, from, to, snapshot: this.snapshotNoMove() });
  }

  private snapshotNoMove(): BreakerSnapshot {
    return {
      upstream: this.upstream,
      state: this.current,
      since: this.since,
      consecutiveFailures: this.failures,
      lastFailure: this.lastFailure,
      reason: this.current === 'closed' ? null : citizenMessage(this.upstream, 'CIRCUIT_OPEN'),
    };
  }
}
