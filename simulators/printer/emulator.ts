import { EventEmitter } from 'node:events';
import { EscPosDecoder, type DecodedEvent } from './decoder.js';
import { ReceiptAssembler, type ReceiptRecord } from './receipts.js';

/**
 * The printer's behaviour, independent of how bytes reach it (pty, TCP, a test calling
 * receive()). Answers DLE EOT from sensor state the moment the request arrives — also in the
 * middle of raster data, as real printers do — prints (decodes) everything else, and stops
 * printing when the paper runs out, the cover opens or the cutter jams: the rest of that slip is
 * discarded, and the half slip is recorded as interrupted.
 */

export type SimPaper = 'full' | 'low' | 'out';

export interface PrinterSensors {
  paper: SimPaper;
  coverOpen: boolean;
  cutterError: boolean;
  unrecoverableError: boolean;
  /** Auto-recoverable error (head overheat). */
  headOverheat: boolean;
  /** Answers nothing at all (no status, no GS r), but still prints: a broken RX line. */
  silent: boolean;
  /** Sends Automatic Status Back blocks and XON continuously, whatever GS a says. */
  streamStatus: boolean;
  /** The paper runs out after this many more bytes of print data; null = never. */
  paperOutAfter: number | null;
}

export const defaultSensors = (): PrinterSensors => ({
  paper: 'full',
  coverOpen: false,
  cutterError: false,
  unrecoverableError: false,
  headOverheat: false,
  silent: false,
  streamStatus: false,
  paperOutAfter: null,
});

export interface EmulatorCounters {
  /** Every byte received. */
  bytesReceived: number;
  /** Bytes other than real-time requests (bytesReceived − 3 × realtimeRequests). */
  printDataBytes: number;
  /** Of those, bytes thrown away because printing was stopped. */
  discardedBytes: number;
  realtimeRequests: number;
  paperStatusRequests: number;
}

interface EmulatorEvents {
  /** Bytes the printer sends back to the host. */
  reply: [bytes: Uint8Array];
  receipt: [receipt: ReceiptRecord];
  /** Every chunk received, e.g. to time the first byte of a job. */
  data: [chunk: Uint8Array];
}

export class PrinterEmulator extends EventEmitter<EmulatorEvents> {
  private sensors: PrinterSensors = defaultSensors();
  private decoder: EscPosDecoder;
  private readonly assembler: ReceiptAssembler;
  private tail: number[] = [];
  private asbEnabled = false;
  private readonly count = { bytesReceived: 0, discardedBytes: 0, realtimeRequests: 0, paperStatusRequests: 0 };

  get counters(): EmulatorCounters {
    return { ...this.count, printDataBytes: this.count.bytesReceived - 3 * this.count.realtimeRequests };
  }

  resetCounters(): void {
    this.count.bytesReceived = 0;
    this.count.discardedBytes = 0;
    this.count.realtimeRequests = 0;
    this.count.paperStatusRequests = 0;
  }

  constructor(readonly dotsPerLine = 576) {
    super();
    this.decoder = new EscPosDecoder({ dotsPerLine });
    this.assembler = new ReceiptAssembler(dotsPerLine, (r) => this.emit('receipt', r));
  }

  get state(): Readonly<PrinterSensors> {
    return this.sensors;
  }

  /** True while the mechanism does not print (a real printer is offline then). */
  get stopped(): boolean {
    const s = this.sensors;
    return s.paper === 'out' || s.coverOpen || s.cutterError || s.unrecoverableError || s.headOverheat;
  }

  private stopReason(): string {
    const s = this.sensors;
    return s.paper === 'out' ? 'paper out' : s.coverOpen ? 'cover open' : s.cutterError ? 'cutter error' : s.unrecoverableError ? 'unrecoverable error' : 'head overheat';
  }

  setState(patch: Partial<PrinterSensors>): void {
    const wasStopped = this.stopped;
    const before = JSON.stringify(this.statusBytes());
    this.sensors = { ...this.sensors, ...patch };
    if (!wasStopped && this.stopped && this.assembler.open) this.assembler.interrupt(this.stopReason());
    if (this.asbEnabled && JSON.stringify(this.statusBytes()) !== before) this.send(this.asbBlock());
  }

  receipts(): readonly ReceiptRecord[] {
    return this.assembler.done;
  }

  /** The slip being printed right now (no cut yet), if any. */
  openReceipt(): ReceiptRecord | undefined {
    return this.assembler.open;
  }

  clearReceipts(): void {
    this.assembler.clear();
  }

  /** Power cycle / unplug: buffer and modes are lost; a slip in progress is torn off. */
  powerCycle(reason = 'power lost'): void {
    if (this.assembler.open) this.assembler.interrupt(reason);
    this.decoder = new EscPosDecoder({ dotsPerLine: this.dotsPerLine });
    this.tail = [];
    this.asbEnabled = false;
  }

  /** DLE EOT 1..4 replies for the current sensors. */
  statusBytes(): [number, number, number, number] {
    const s = this.sensors;
    const out = s.paper === 'out';
    const err = s.cutterError || s.unrecoverableError || s.headOverheat;
    return [
      0x12 | (this.stopped ? 0x08 : 0),
      0x12 | (s.coverOpen ? 0x04 : 0) | (out ? 0x20 : 0) | (err ? 0x40 : 0),
      0x12 | (s.cutterError ? 0x08 : 0) | (s.unrecoverableError ? 0x20 : 0) | (s.headOverheat ? 0x40 : 0),
      0x12 | (s.paper !== 'full' ? 0x0c : 0) | (out ? 0x60 : 0),
    ];
  }

  /** Automatic Status Back block (GS a): note byte 3 has other bit positions than DLE EOT 4. */
  asbBlock(): Uint8Array {
    const s = this.sensors;
    return Uint8Array.from([
      0x10 | (this.stopped ? 0x08 : 0) | (s.coverOpen ? 0x20 : 0),
      (s.cutterError ? 0x08 : 0) | (s.unrecoverableError ? 0x20 : 0) | (s.headOverheat ? 0x40 : 0),
      (s.paper !== 'full' ? 0x03 : 0) | (s.paper === 'out' ? 0x0c : 0),
      0x00,
    ]);
  }

  private send(bytes: Uint8Array): void {
    if (!this.sensors.silent) this.emit('reply', bytes);
  }

  /** Bytes from the host, in order. */
  receive(chunk: Uint8Array): void {
    this.emit('data', chunk);
    this.count.bytesReceived += chunk.length;
    // Real-time requests are executed on arrival, wherever they are (also split across chunks).
    const carry = this.tail.length;
    const all = carry ? Uint8Array.from([...this.tail, ...chunk]) : chunk;
    let from = carry; // index in `all` of the first byte not yet given to the decoder
    for (let i = 0; i + 2 < all.length; i++) {
      if (all[i] !== 0x10 || all[i + 1] !== 0x04) continue;
      const n = all[i + 2]!;
      if (n < 1 || n > 4 || i + 2 < carry) continue;
      if (i + 3 > from) {
        this.print(all.subarray(from, i + 3));
        from = i + 3;
      }
      this.count.realtimeRequests++;
      this.send(Uint8Array.of(this.statusBytes()[n - 1]!));
      i += 2;
    }
    if (from < all.length) this.print(all.subarray(from));
    this.tail = Array.from(all.subarray(Math.max(0, all.length - 2)));
  }

  /** Feeds bytes to the mechanism, honouring paperOutAfter at byte precision. */
  private print(bytes: Uint8Array): void {
    const limit = this.sensors.paperOutAfter;
    if (limit !== null && !this.stopped && bytes.length > limit) {
      this.printChunk(bytes.subarray(0, limit));
      this.setState({ paper: 'out', paperOutAfter: null });
      this.printChunk(bytes.subarray(limit));
      return;
    }
    if (limit !== null && !this.stopped) this.sensors.paperOutAfter = limit - bytes.length;
    this.printChunk(bytes);
  }

  private printChunk(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const events = this.decoder.push(bytes);
    if (this.stopped) {
      // The decoder keeps parsing so command boundaries stay in sync, but nothing prints.
      const realtime = events.filter((e) => e.type === 'realtime').length;
      this.count.discardedBytes += Math.max(0, bytes.length - realtime * 3);
      for (const e of events) if (e.type === 'statusBack') this.asbEnabled = e.n !== 0;
      return;
    }
    this.assembler.apply(events);
    for (const e of events) this.after(e);
  }

  private after(e: DecodedEvent): void {
    if (e.type === 'paperStatusRequest') {
      this.count.paperStatusRequests++;
      const s = this.sensors;
      this.send(Uint8Array.of((s.paper !== 'full' ? 0x03 : 0) | (s.paper === 'out' ? 0x0c : 0)));
    } else if (e.type === 'statusBack') {
      this.asbEnabled = e.n !== 0;
      if (this.asbEnabled) this.send(this.asbBlock());
    }
  }
}
