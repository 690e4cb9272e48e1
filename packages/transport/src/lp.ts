import { EventEmitter } from 'node:events';
import { constants, promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransportClosedError, WriteTimeoutError, type Transport, type TransportEvents } from './transport.js';

export interface LpTransportOptions {
  /** e.g. /dev/usb/lp0 (Linux usblp driver). */
  path: string;
  writeTimeoutMs?: number;
  /** How often to look for bytes from the printer when none are waiting. */
  readPollMs?: number;
}

/** Errors that mean the device is gone (unplugged, powered off, pty peer closed). */
const goneCodes = new Set(['EIO', 'ENODEV', 'ENXIO', 'ESHUTDOWN', 'EPIPE', 'EBADF']);

/**
 * A USB printer-class device file (/dev/usb/lpN) as a Transport. One read-write descriptor,
 * because usblp allows a single open; it is non-blocking so a read that has nothing to return
 * never parks a libuv thread (reads are polled every `readPollMs`, writes retried on EAGAIN).
 *
 * Limits (see docs/printer.md): status can be read back only from bidirectional printers
 * (usblp protocol 2 / IEEE 1284.4); on a unidirectional one every DLE EOT times out and the
 * driver reports the printer as offline/unknown — never as OK. usblp buffers at most one USB
 * transfer of replies. The kernel's LPGETSTATUS ioctl (paper-out/select lines) is not reachable
 * from Node without a native module.
 */
export class LpTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly description: string;
  private fh: fs.FileHandle | undefined;
  private readonly writeTimeoutMs: number;
  private readonly readPollMs: number;
  private generation = 0;

  constructor(private readonly options: LpTransportOptions) {
    super();
    this.description = `lp:${options.path}`;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 5000;
    this.readPollMs = options.readPollMs ?? 10;
  }

  get isOpen(): boolean {
    return this.fh !== undefined;
  }

  async open(): Promise<void> {
    if (this.fh) return;
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.options.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const hint =
        e.code === 'EACCES'
          ? ' (add the user to the "lp" group or a udev rule)'
          : e.code === 'EBUSY'
            ? ' (another program has it open)'
            : '';
      throw new Error(`${this.description}: ${e.code ?? e.message}${hint}`, { cause: err });
    }
    this.fh = fh;
    const gen = ++this.generation;
    this.emit('open');
    void this.readLoop(fh, gen);
  }

  private async readLoop(fh: fs.FileHandle, gen: number): Promise<void> {
    const buf = Buffer.alloc(4096);
    while (this.generation === gen) {
      try {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (this.generation !== gen) return;
        if (bytesRead > 0) {
          this.emit('data', Buffer.from(buf.subarray(0, bytesRead)));
          continue;
        }
      } catch (err) {
        if (this.generation !== gen) return;
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (goneCodes.has(code)) {
          this.lost(new Error(`${this.description}: ${code} (device disconnected)`));
          return;
        }
        // EAGAIN: nothing to read right now.
      }
      await sleep(this.readPollMs);
    }
  }

  private lost(error: Error): void {
    const fh = this.fh;
    if (!fh) return;
    this.fh = undefined;
    this.generation++;
    void fh.close().catch(() => undefined);
    this.emit('close', error);
  }

  async write(data: Uint8Array): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new TransportClosedError(this.description);
    const deadline = Date.now() + this.writeTimeoutMs;
    let off = 0;
    while (off < data.length) {
      if (this.fh !== fh) throw new TransportClosedError(this.description);
      try {
        const { bytesWritten } = await fh.write(data, off, data.length - off, null);
        off += bytesWritten;
        if (bytesWritten > 0) continue;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (goneCodes.has(code)) {
          const e = new Error(`${this.description}: ${code} (device disconnected)`);
          this.lost(e);
          throw e;
        }
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK')
          throw new Error(`${this.description}: ${code || (err as Error).message}`, { cause: err });
      }
      if (Date.now() > deadline) throw new WriteTimeoutError(this.description, this.writeTimeoutMs);
      await sleep(2);
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    this.fh = undefined;
    this.generation++;
    await fh.close().catch(() => undefined);
    this.emit('close');
  }
}
