import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { TransportClosedError, writeWithin, type Transport, type TransportEvents } from './transport.js';

export interface TcpTransportOptions {
  host: string;
  /** 9100 for raw ("JetDirect") printing. */
  port: number;
  connectTimeoutMs?: number;
  writeTimeoutMs?: number;
}

/**
 * Raw TCP (port 9100) as a Transport. Network ESC/POS printers answer DLE EOT on the same
 * connection. Nagle is off so a 3-byte status request is not held back.
 */
export class TcpTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly description: string;
  private socket: Socket | undefined;
  private readonly connectTimeoutMs: number;
  private readonly writeTimeoutMs: number;

  constructor(private readonly options: TcpTransportOptions) {
    super();
    this.description = `tcp:${options.host}:${options.port}`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 5000;
  }

  get isOpen(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      let connected = false;
      const timer = setTimeout(() => {
        socket.destroy(new Error(`connect timed out after ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      socket.setNoDelay(true);
      socket.once('connect', () => {
        clearTimeout(timer);
        connected = true;
        socket.setKeepAlive(true, 10_000);
        this.socket = socket;
        this.emit('open');
        resolve();
      });
      socket.on('data', (chunk: Buffer) => this.emit('data', chunk));
      let lastError: Error | undefined;
      socket.on('error', (err) => {
        lastError = err;
      });
      socket.once('close', () => {
        clearTimeout(timer);
        if (!connected) {
          reject(new Error(`${this.description}: ${lastError?.message ?? 'connection closed'}`));
          return;
        }
        const requested = this.socket !== socket;
        if (this.socket === socket) this.socket = undefined;
        this.emit('close', requested ? undefined : (lastError ?? new Error(`${this.description}: connection closed by peer`)));
      });
      socket.connect({ host: this.options.host, port: this.options.port });
    });
  }

  write(data: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.reject(new TransportClosedError(this.description));
    return writeWithin(this.description, this.writeTimeoutMs, (finish) => socket.write(data, (err) => finish(err)));
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 500).unref();
    });
  }
}
