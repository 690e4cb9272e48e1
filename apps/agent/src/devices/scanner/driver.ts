/**
 * Driver of a 2D barcode scanner module (serial mode, or USB HID POS through HidPosTransport) over
 * any Transport. The module decodes by itself and sends each code with a CR (@kiosk/protocol-scanner);
 * the driver only listens. It sends nothing: trigger and configuration commands differ between
 * vendors and many embedded modules in presentation mode have none (docs/scanner.md), so the
 * driver assumes none and works with any module left at its factory serial settings.
 *
 * Status: noDevice until the port first opens; online while it is open; offline (maintenance)
 * after an unplug, until ReconnectingTransport brings the port back. A receive-only device cannot
 * be asked whether it is alive: an open port is all that can be known.
 *
 * A phone held in front of a presentation-mode scanner is read again and again; the same code
 * within `sameCodeMs` of its last sighting is delivered once. Logs never carry a code, only its
 * kind and length (personal.ts).
 */
import { EventEmitter } from 'node:events';
import { resolvePath, type KioskConfig } from '@kiosk/kiosk-config';
import { HidPosTransport, ReconnectingTransport, SerialTransport, TcpTransport, type Transport } from '@kiosk/transport';
import type { DeviceDriver, DeviceStatus } from '@kiosk/contracts/device-status';
import { ScanFramer, type ScanEvent, type ScanRejection } from '@kiosk/protocol-scanner';
import { classifyScan } from './personal.js';
import { silentDriverLogger, type DriverLogger } from '../driver-logger.js';
import { portClosedStatus, releasePort, startOnPort, type PortListeners } from '../driver-port.js';

export interface ScannerDriverOptions {
  transport: Transport;
  /** A partial code older than this is dropped (the module never sends a code slowly). */
  partialTimeoutMs?: number;
  /** The same code again within this window is the same presentation, not a new scan. */
  sameCodeMs?: number;
  maxCodeBytes?: number;
  logger?: DriverLogger;
  /** Clock for the same-code window (tests). */
  now?: () => number;
}

export interface ScannedCode {
  text: string;
}

export interface ScannerDriverEvents {
  status: [status: DeviceStatus];
  code: [code: ScannedCode];
  rejected: [info: { reason: ScanRejection; bytes: number }];
}

export type ScannerErrorCode = 'timeout' | 'canceled';

export class ScannerError extends Error {
  constructor(
    readonly code: ScannerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScannerError';
  }
}

/** What the session and the CLI need from a scanner. */
export interface CodeScanner extends DeviceDriver {
  readonly kind: 'scanner';
  on(event: 'status', listener: (status: DeviceStatus) => void): unknown;
  on(event: 'code', listener: (code: ScannedCode) => void): unknown;
  off(event: 'status', listener: (status: DeviceStatus) => void): unknown;
  off(event: 'code', listener: (code: ScannedCode) => void): unknown;
  /** Forgets the last code (the same-code window): a new session is a new presentation. */
  forget(): void;
}

export function isCodeScanner(d: DeviceDriver | undefined): d is CodeScanner {
  return d !== undefined && d.kind === 'scanner';
}

export class ScannerDriver extends EventEmitter<ScannerDriverEvents> implements CodeScanner {
  readonly kind = 'scanner' as const;
  readonly transport: Transport;
  private readonly framer: ScanFramer;
  private readonly partialTimeoutMs: number;
  private readonly sameCodeMs: number;
  private readonly log: DriverLogger;
  private readonly now: () => number;
  private current: DeviceStatus = { device: 'offline', detail: 'not started' };
  private running = false;
  private everOpened = false;
  private partialTimer: NodeJS.Timeout | undefined;
  private last: { text: string; at: number } | null = null;
  readonly counters = { codes: 0, repeats: 0, rejected: 0 };

  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onOpen = (): void => {
    this.everOpened = true;
    this.framer.reset();
    if (this.running) this.setStatus({ device: 'online', extra: { port: this.transport.description } });
  };
  private readonly onClose = (error?: Error): void => {
    this.dropPartial();
    this.last = null;
    if (this.running) {
      this.setStatus(portClosedStatus('scanner', error));
    }
  };
  private readonly port: PortListeners = { data: this.onData, open: this.onOpen, close: this.onClose };

  constructor(options: ScannerDriverOptions) {
    super();
    this.transport = options.transport;
    this.framer = new ScanFramer(options.maxCodeBytes !== undefined ? { maxBytes: options.maxCodeBytes } : {});
    this.partialTimeoutMs = options.partialTimeoutMs ?? 500;
    this.sameCodeMs = options.sameCodeMs ?? 2000;
    this.log = options.logger ?? silentDriverLogger;
    this.now = options.now ?? Date.now;
  }

  status(): DeviceStatus {
    return this.current;
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
    clearTimeout(this.partialTimer);
    await releasePort(this.transport, this.port);
    this.framer.reset();
    this.setStatus({ device: 'offline', detail: 'stopped' });
  }

  forget(): void {
    this.last = null;
  }

  /** The next code scanned (not one scanned before the call). */
  read(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ScannedCode> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise<ScannedCode>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new ScannerError('canceled', 'canceled'));
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        this.off('code', onCode);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const onCode = (c: ScannedCode): void => {
        done();
        resolve(c);
      };
      const onAbort = (): void => {
        done();
        reject(new ScannerError('canceled', 'canceled'));
      };
      const timer = setTimeout(() => {
        done();
        reject(new ScannerError('timeout', `no code within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('code', onCode);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private receive(chunk: Buffer): void {
    this.handle(this.framer.push(chunk));
    clearTimeout(this.partialTimer);
    this.partialTimer = undefined;
    if (this.framer.pending > 0) {
      this.partialTimer = setTimeout(() => this.dropPartial(), this.partialTimeoutMs);
      this.partialTimer.unref();
    }
  }

  private dropPartial(): void {
    clearTimeout(this.partialTimer);
    this.partialTimer = undefined;
    this.handle(this.framer.dropPartial());
  }

  private handle(events: ScanEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'rejected') {
        this.counters.rejected += 1;
        this.log.warn({ reason: ev.reason, bytes: ev.bytes }, 'scanner: input dropped');
        this.emit('rejected', { reason: ev.reason, bytes: ev.bytes });
        continue;
      }
      const at = this.now();
      if (this.last && this.last.text === ev.text && at - this.last.at < this.sameCodeMs) {
        // Still the same presentation: the window runs from the latest sighting.
        this.last.at = at;
        this.counters.repeats += 1;
        continue;
      }
      this.last = { text: ev.text, at };
      this.counters.codes += 1;
      this.log.info({ kind: classifyScan(ev.text), length: ev.text.length }, 'scanner: code read');
      this.emit('code', { text: ev.text });
    }
  }

  private setStatus(s: DeviceStatus): void {
    if (JSON.stringify(s) === JSON.stringify(this.current)) return;
    this.current = s;
    this.emit('status', s);
  }
}

export type ScannerConfig = NonNullable<KioskConfig['devices']['scanner']>;

/** The transport a scanner config names, reconnecting by itself after an unplug. */
function scannerTransport(t: ScannerConfig['transport']): Transport {
  switch (t.kind) {
    case 'serial':
      return new ReconnectingTransport(new SerialTransport({ path: resolvePath(t.path), baudRate: t.baudRate }));
    case 'tcp':
      return new ReconnectingTransport(new TcpTransport({ host: t.host, port: t.port }));
    case 'hid':
      return new ReconnectingTransport(
        new HidPosTransport({ vendorId: t.vendorId, productId: t.productId, ...(t.path ? { path: t.path } : {}) }),
      );
    default:
      throw new Error(`scanner transport "${t.kind}" is not supported; use serial, hid (HID POS) or tcp`);
  }
}

/** The driver for config.devices.scanner. */
export function createScannerDriver(config: ScannerConfig, logger?: DriverLogger): ScannerDriver {
  return new ScannerDriver({
    transport: scannerTransport(config.transport),
    partialTimeoutMs: config.partialTimeoutMs,
    sameCodeMs: config.sameCodeMs,
    ...(logger ? { logger } : {}),
  });
}
