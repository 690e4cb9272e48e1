import { EventEmitter } from 'node:events';
import { TransportClosedError, type Transport, type TransportEvents } from './transport.js';

/**
 * One end of an in-memory pipe. Writes on one end arrive as `data` on the other on the next
 * macrotask, so tests see the same asynchrony a real port has.
 */
export class MemoryTransport extends EventEmitter<TransportEvents> implements Transport {
  peer: MemoryTransport | undefined;
  private opened = false;
  /** Set to make `open()` fail, as an unplugged device would. */
  unplugged = false;

  constructor(readonly description: string) {
    super();
  }

  get isOpen(): boolean {
    return this.opened;
  }

  async open(): Promise<void> {
    if (this.unplugged) throw new Error(`${this.description}: no such device`);
    this.opened = true;
    this.emit('open');
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.opened) throw new TransportClosedError(this.description);
    const copy = Buffer.from(data);
    const peer = this.peer;
    setImmediate(() => {
      if (peer?.opened) peer.emit('data', copy);
    });
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    this.emit('close');
  }

  /** Simulates the device disappearing: the close carries an error, reopening fails. */
  unplug(): void {
    this.unplugged = true;
    if (this.opened) {
      this.opened = false;
      this.emit('close', new Error(`${this.description}: device disconnected`));
    }
  }

  replug(): void {
    this.unplugged = false;
  }
}

/** Two connected ends: what `a` writes, `b` receives, and vice versa. */
export function createMemoryPair(name = 'memory'): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport(`${name}:a`);
  const b = new MemoryTransport(`${name}:b`);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
