/**
 * Driver of the simulated gas IC card reader/writer (framed protocol in protocol/), over any
 * Transport. It polls card presence, reads the card, and writes one purchase at a time.
 *
 * Requests go out one at a time, each with a sequence number and a timeout; a late reply to a
 * request that already timed out is dropped by its sequence number. A write whose reply does not
 * arrive (timeout, disconnect, the reader saying the card left mid-write) is reported as
 * `writeUnknown`: the caller must re-read the card and compare the purchase counter before
 * anything else. The driver never repeats a write by itself.
 *
 * Status: noDevice until the port first opens; starting until the reader answers; online;
 * offline after a disconnect or `unresponsiveAfter` timeouts in a row (ReconnectingTransport
 * brings the port back). Logs never carry card or account numbers.
 */
import { EventEmitter } from 'node:events';
import { Mutex } from '@kiosk/platform';
import { resolvePath } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { ReconnectingTransport } from '@kiosk/transport';
import { silentDriverLogger, type DriverLogger } from '../driver-logger.js';
import { portClosedStatus, releasePort, startOnPort, type PortListeners } from '../driver-port.js';
import { SerialTransport } from '@kiosk/transport';
import { TcpTransport } from '@kiosk/transport';
import type { Transport } from '@kiosk/transport';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import {
  CMD,
  CodecError,
  STATUS,
  decodeInfoReply,
  decodeReadReply,
  decodeStatusReply,
  decodeWriteReply,
  encodeWriteRequest,
  replyStatus,
  statusName,
} from '@kiosk/protocol-gascard';
import { REPLY_BIT, createFrameParser, encodeFrame } from '@kiosk/protocol-gascard';
import {
  GasCardError,
  type GasCardData,
  type GasCardReader,
  type GasCardWrite,
  type GasCardWriteResult,
} from '@kiosk/protocol-gascard';

export interface GasCardDriverOptions {
  transport: Transport;
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  writeTimeoutMs?: number;
  /**
   * Timeout of the idle poll's info/status requests (default 500 ms, at most requestTimeoutMs):
   * the reader answers them at once, so silence shows as offline within 2 s (issue 20 item 12).
   */
  statusTimeoutMs?: number;
  /** Consecutive timeouts before the status turns offline (default 2). */
  unresponsiveAfter?: number;
  logger?: DriverLogger;
}

export interface GasCardDriverEvents {
  status: [status: DeviceStatus];
  cardInserted: [];
  cardRemoved: [];
}

interface Pending {
  seq: number;
  cmd: number;
  resolve: (data: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const EMPTY = new Uint8Array(0);

export class GasCardDriver extends EventEmitter<GasCardDriverEvents> implements GasCardReader {
  readonly kind = 'gascard' as const;
  readonly transport: Transport;
  private readonly pollIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly statusTimeoutMs: number;
  private readonly unresponsiveAfter: number;
  private readonly log: DriverLogger;
  private readonly parser = createFrameParser();

  private current: DeviceStatus = { device: 'offline', detail: 'not started' };
  private running = false;
  private everOpened = false;
  private present = false;
  private seq = 0;
  private timeouts = 0;
  private pending: Pending | undefined;
  private readonly queue = new Mutex();
  private pollTimer: NodeJS.Timeout | undefined;
  private info: { model: string; firmware: string } | null = null;

  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onOpen = (): void => {
    this.everOpened = true;
    this.parser.reset();
    this.timeouts = 0;
    if (this.running) this.setStatus({ device: 'starting', detail: 'waiting for the reader' });
    this.schedulePoll(0);
  };
  private readonly onClose = (error?: Error): void => {
    this.parser.reset();
    this.failPending(new GasCardError('timeout', `reader disconnected${error ? `: ${error.message}` : ''}`));
    this.setPresent(false);
    if (this.running) {
      this.setStatus(portClosedStatus('reader', error));
    }
  };
  private readonly port: PortListeners = { data: this.onData, open: this.onOpen, close: this.onClose };

  constructor(options: GasCardDriverOptions) {
    super();
    this.transport = options.transport;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 2000;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 5000;
    this.statusTimeoutMs = options.statusTimeoutMs ?? Math.min(this.requestTimeoutMs, 500);
    this.unresponsiveAfter = options.unresponsiveAfter ?? 2;
    this.log = options.logger ?? silentDriverLogger;
  }

  status(): DeviceStatus {
    return this.current;
  }

  cardPresent(): boolean {
    return this.present;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await startOnPort(
      this.transport,
      this.port,
      (s) => this.setStatus(s),
      () => this.everOpened,
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.failPending(new GasCardError('offline', 'driver stopped'));
    await releasePort(this.transport, this.port);
    this.setPresent(false);
    this.setStatus({ device: 'offline', detail: 'stopped' });
  }

  async readCard(): Promise<GasCardData> {
    const data = await this.request(CMD.read, EMPTY, this.requestTimeoutMs);
    const status = replyStatus(data);
    if (status === STATUS.noCard) {
      this.setPresent(false);
      throw new GasCardError('noCard', 'no card in the reader');
    }
    if (status !== STATUS.ok) throw new GasCardError('protocol', `read refused: ${statusName(status)}`);
    let card: GasCardData;
    try {
      card = decodeReadReply(data);
    } catch (err) {
      throw new GasCardError('protocol', `bad read reply: ${(err as Error).message}`);
    }
    this.setPresent(true);
    return card;
  }

  async waitForCard(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<GasCardData> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      if (options.signal?.aborted) throw new GasCardError('canceled', 'canceled');
      if (this.present) {
        try {
          return await this.readCard();
        } catch (err) {
          if (!(err instanceof GasCardError) || err.code !== 'noCard') throw err;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new GasCardError('timeout', 'no card was inserted in time');
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          this.off('cardInserted', done);
          options.signal?.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, left);
        this.on('cardInserted', done);
        options.signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  async writePurchase(w: GasCardWrite): Promise<GasCardWriteResult> {
    let payload: Buffer;
    try {
      payload = encodeWriteRequest(w);
    } catch (err) {
      throw new GasCardError('protocol', `cannot encode the write: ${(err as Error).message}`);
    }
    let data: Buffer;
    try {
      data = await this.request(CMD.write, payload, this.writeTimeoutMs);
    } catch (err) {
      // Not sent at all is certain; anything after the first byte left is not.
      if (err instanceof GasCardError && err.code === 'offline') throw err;
      throw new GasCardError('writeUnknown', `no answer to the write: ${(err as Error).message}`);
    }
    let r: { status: number; purchaseCount: number };
    try {
      r = decodeWriteReply(data);
    } catch (err) {
      throw new GasCardError('writeUnknown', `bad write reply: ${(err as Error).message}`);
    }
    this.log.info({ status: statusName(r.status), purchaseCount: r.purchaseCount }, 'gas card write answered');
    switch (r.status) {
      case STATUS.ok:
        return { result: 'written', purchaseCount: r.purchaseCount };
      case STATUS.alreadyWritten:
        return { result: 'alreadyWritten', purchaseCount: r.purchaseCount };
      case STATUS.noCard:
        this.setPresent(false);
        throw new GasCardError('noCard', 'no card in the reader');
      case STATUS.cardMismatch:
        throw new GasCardError('cardMismatch', 'the card in the reader is another card', r.purchaseCount);
      case STATUS.counterMismatch:
        throw new GasCardError('counterMismatch', `the card's counter is ${r.purchaseCount}`, r.purchaseCount);
      case STATUS.macRejected:
        throw new GasCardError('macRejected', 'the card rejected the MAC', r.purchaseCount);
      case STATUS.cardRemoved:
        this.setPresent(false);
        throw new GasCardError('writeUnknown', 'the card was removed during the write');
      default:
        throw new GasCardError('writeUnknown', `unexpected write status ${statusName(r.status)}`);
    }
  }

  // ---- wire ---------------------------------------------------------------------------------------

  /** Sends one command and resolves with its reply data; one request on the wire at a time. */
  private request(cmd: number, data: Uint8Array, timeoutMs: number): Promise<Buffer> {
    const run = (): Promise<Buffer> =>
      new Promise<Buffer>((resolve, reject) => {
        if (!this.transport.isOpen || !this.running) {
          reject(new GasCardError('offline', 'the gas card reader is not connected'));
          return;
        }
        this.seq = (this.seq + 1) & 0xff;
        const seq = this.seq;
        const timer = setTimeout(() => {
          if (this.pending?.seq !== seq) return;
          this.pending = undefined;
          this.timeouts += 1;
          if (this.timeouts >= this.unresponsiveAfter && this.current.device !== 'offline') {
            this.setStatus({ device: 'offline', action: 'maintenance', detail: `no answer to ${this.timeouts} requests` });
          }
          reject(new GasCardError('timeout', `no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        this.pending = { seq, cmd, resolve, reject, timer };
        this.transport.write(encodeFrame({ seq, cmd, data })).catch((err: unknown) => {
          if (this.pending?.seq !== seq) return;
          clearTimeout(timer);
          this.pending = undefined;
          reject(new GasCardError('timeout', `write to the reader failed: ${(err as Error).message}`));
        });
      });
    return this.queue.run(run);
  }

  private receive(chunk: Buffer): void {
    for (const ev of this.parser.push(chunk)) {
      if (ev.type === 'error') {
        this.log.debug({ code: ev.error.code }, 'gas card reader: damaged frame dropped');
        continue;
      }
      const { frame } = ev;
      const p = this.pending;
      if (!p || frame.seq !== p.seq || frame.cmd !== (p.cmd | REPLY_BIT)) {
        this.log.debug({ seq: frame.seq, cmd: frame.cmd }, 'gas card reader: stray reply dropped');
        continue;
      }
      clearTimeout(p.timer);
      this.pending = undefined;
      this.timeouts = 0;
      p.resolve(Buffer.from(frame.data));
    }
  }

  private failPending(err: Error): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    p.reject(err);
  }

  private schedulePoll(delay: number): void {
    if (!this.running) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.poll();
    }, delay);
  }

  private async poll(): Promise<void> {
    if (!this.running || !this.transport.isOpen) return;
    try {
      if (!this.info) {
        this.info = decodeInfoReply(await this.request(CMD.info, EMPTY, this.statusTimeoutMs));
      }
      const { present } = decodeStatusReply(await this.request(CMD.status, EMPTY, this.statusTimeoutMs));
      this.setPresent(present);
      if (this.current.device !== 'online') {
        this.setStatus({ device: 'online', extra: { model: this.info.model, firmware: this.info.firmware } });
      }
    } catch (err) {
      if (err instanceof CodecError) this.log.warn({ err: err.message }, 'gas card reader: bad status reply');
      // Timeouts are counted in request() (offline after `unresponsiveAfter` in a row). A missed
      // answer is asked again at once rather than after the poll interval: a silent reader shows
      // offline within 2 s, while one lost reply alone changes nothing.
      if (err instanceof GasCardError && err.code === 'timeout' && this.current.device !== 'offline') {
        this.schedulePoll(0);
        return;
      }
    }
    this.schedulePoll(this.pollIntervalMs);
  }

  private setPresent(p: boolean): void {
    if (p === this.present) return;
    this.present = p;
    this.emit(p ? 'cardInserted' : 'cardRemoved');
  }

  private setStatus(s: DeviceStatus): void {
    if (JSON.stringify(s) === JSON.stringify(this.current)) return;
    this.current = s;
    this.emit('status', s);
  }
}

export type GasCardConfig = NonNullable<KioskConfig['devices']['gascard']>;

/** The driver for config.devices.gascard, on a transport that reconnects by itself. */
export function createGasCardDriver(config: GasCardConfig, logger?: DriverLogger): GasCardDriver {
  const t = config.transport;
  let inner: Transport;
  switch (t.kind) {
    case 'serial':
      inner = new SerialTransport({ path: resolvePath(t.path), baudRate: t.baudRate });
      break;
    case 'tcp':
      // A serial server in front of the reader carries the same byte stream.
      inner = new TcpTransport({ host: t.host, port: t.port });
      break;
    default:
      throw new Error(`gas card reader transport "${t.kind}" is not supported; use serial or tcp`);
  }
  return new GasCardDriver({
    transport: new ReconnectingTransport(inner),
    pollIntervalMs: config.pollIntervalMs,
    requestTimeoutMs: config.requestTimeoutMs,
    writeTimeoutMs: config.writeTimeoutMs,
    ...(config.statusTimeoutMs !== undefined ? { statusTimeoutMs: config.statusTimeoutMs } : {}),
    ...(logger ? { logger } : {}),
  });
}
