import { EventEmitter } from 'node:events';
import type { Transport, TransportEvents } from './transport.js';

export interface ReconnectPolicy {
  /** First retry after this long; doubles up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultReconnectPolicy: ReconnectPolicy = { initialDelayMs: 250, maxDelayMs: 5000 };

/**
 * Keeps a transport open: when it goes away with an error (unplugged, EIO) or fails to open,
 * retry with backoff until `close()` is called. Drivers learn about it from `open`/`close`
 * events and set their status; they never loop on open themselves.
 */
export class ReconnectingTransport extends EventEmitter<TransportEvents> implements Transport {
  private wanted = false;
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private attempting = false;

  constructor(
    private readonly inner: Transport,
    private readonly policy: ReconnectPolicy = defaultReconnectPolicy,
  ) {
    super();
    this.delay = policy.initialDelayMs;
    inner.on('data', (chunk) => this.emit('data', chunk));
    inner.on('open', () => {
      this.delay = this.policy.initialDelayMs;
      this.emit('open');
    });
    inner.on('close', (error) => {
      this.emit('close', error);
      if (this.wanted) this.schedule();
    });
  }

  get description(): string {
    return this.inner.description;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  /** Tries once now; on failure rejects but keeps retrying in the background. */
  async open(): Promise<void> {
    this.wanted = true;
    try {
      await this.attempt();
    } catch (err) {
      this.schedule();
      throw err;
    }
  }

  write(data: Uint8Array): Promise<void> {
    return this.inner.write(data);
  }

  async close(): Promise<void> {
    this.wanted = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inner.close();
  }

  private async attempt(): Promise<void> {
    if (this.inner.isOpen || this.attempting) return;
    this.attempting = true;
    try {
      await this.inner.open();
    } finally {
      this.attempting = false;
    }
  }

  private schedule(): void {
    if (this.timer || !this.wanted) return;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.policy.maxDelayMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.wanted) return;
      this.attempt().catch(() => this.schedule());
    }, wait);
    this.timer.unref();
  }
}
