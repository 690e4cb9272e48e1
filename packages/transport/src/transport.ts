import type { EventEmitter } from 'node:events';

/**
 * A byte pipe to a device. Drivers talk to this, never to serialport/node-hid directly,
 * so the same driver runs over a pty, a USB printer file, TCP or an in-memory pair.
 */
export interface TransportEvents {
  /** Bytes arrived from the device. */
  data: [chunk: Buffer];
  /** The pipe became usable (first open or after a reconnect). */
  open: [];
  /** The pipe went away; `error` is set when it was not a requested close (unplug, EIO). */
  close: [error?: Error];
}

export interface Transport extends EventEmitter<TransportEvents> {
  /** Human-readable target, e.g. `serial:/dev/ttyUSB0@115200`. Never contains personal data. */
  readonly description: string;
  readonly isOpen: boolean;
  /** Rejects with a readable error when the device is not there. */
  open(): Promise<void>;
  /**
   * Resolves once the bytes were handed to the OS (drained). Rejects when the pipe is closed
   * or the write does not drain within the transport's write timeout.
   */
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export class TransportClosedError extends Error {
  constructor(description: string) {
    super(`transport ${description} is not open`);
    this.name = 'TransportClosedError';
  }
}

export class WriteTimeoutError extends Error {
  constructor(description: string, ms: number) {
    super(`write to ${description} did not drain within ${ms} ms`);
    this.name = 'WriteTimeoutError';
  }
}

/**
 * One write to a stream-like port within a deadline. `start` hands the bytes to the port and calls
 * `finish` once they are out (or with the error that stopped them); the first call counts. Rejects
 * with WriteTimeoutError when `finish` has not come within `timeoutMs`, and with the error named
 * after the transport when the port failed.
 */
export function writeWithin(
  description: string,
  timeoutMs: number,
  start: (finish: (err?: Error | null) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new WriteTimeoutError(description, timeoutMs));
    }, timeoutMs);
    start((err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(new Error(`${description}: ${err.message}`));
      else resolve();
    });
  });
}
