import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { TransportClosedError, writeWithin, type Transport, type TransportEvents } from './transport.js';

export interface SerialTransportOptions {
  path: string;
  baudRate: number;
  /** Watchdog on every write+drain; see the serialport write-stall note in the toolchain doc. */
  writeTimeoutMs?: number;
}

export class SerialTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly description: string;
  private port: SerialPort | undefined;
  private readonly writeTimeoutMs: number;

  constructor(private readonly options: SerialTransportOptions) {
    super();
    this.description = `serial:${options.path}@${options.baudRate}`;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 5000;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  open(): Promise<void> {
    if (this.port?.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const port = new SerialPort({
        path: this.options.path,
        baudRate: this.options.baudRate,
        autoOpen: false,
        // A kiosk device is ours alone; a second opener would corrupt frames.
        lock: true,
      });
      port.open((err) => {
        if (err) {
          reject(new Error(`${this.description}: ${err.message}`));
          return;
        }
        this.port = port;
        port.on('data', (chunk: Buffer) => this.emit('data', chunk));
        port.on('error', () => {
          // Errors are followed by 'close' (disconnected) or surface on write; nothing to do here,
          // but an unhandled 'error' would crash the process.
        });
        port.once('close', (closeErr: (Error & { disconnected?: boolean }) | null) => {
          if (this.port === port) this.port = undefined;
          this.emit('close', closeErr ?? undefined);
        });
        this.emit('open');
        resolve();
      });
    });
  }

  write(data: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new TransportClosedError(this.description));
    return writeWithin(this.description, this.writeTimeoutMs, (finish) => {
      port.write(Buffer.from(data), (err) => {
        if (err) finish(err);
      });
      port.drain((err) => finish(err));
    });
  }

  close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      port.close(() => resolve());
    });
  }
}
