import { EventEmitter } from 'node:events';
import { EscPosDecoder, type DecodedEvent } from './decoder.js';
import { ReceiptAssembler, type ReceiptRecord } from './receipts.js';

/**
 * The printer's behaviour, independent of how bytes reach it (pty, TCP, a test calling
 * receive()). Answers DLE EOT from sensor state the moment the request arrives — also in the
 * middle of raster data, as real printers do — prints (decodes) everything else, and stops
 * printing when the paper runs out, the cover opens or the cutter jams: the half slip is recorded
 * as interrupted, and what arrives while stopped waits in the receive buffer (up to its size) and
 * prints when the printer is back — to whoever stands there — unless the host clears it.
 * How a particular model behaves is its personality (docs/printer.md, "Personalities").
 */

type SimPaper = 'full' | 'low' | 'out';

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

const defaultSensors = (): PrinterSensors => ({
  paper: 'full',
  coverOpen: false,
  cutterError: false,
  unrecoverableError: false,
  headOverheat: false,
  silent: false,
  streamStatus: false,
  paperOutAfter: null,
});

/**
 * Behaviours in which real printers differ (shared/reference/escpos.md §1.7–1.8). Settable per
 * test and through POST /printer/personality.
 */
export interface PrinterPersonality {
  /**
   * Receive buffer in bytes. Print data that arrives while the mechanism is stopped waits here and
   * prints after the paper is refilled / the cover closed; beyond it, data is lost (a real printer
   * would raise BUSY; our ptys have no flow control). 0 = nothing is kept.
   */
  receiveBufferBytes: number;
  /**
   * Bytes the printer sends unasked: when it executes ESC @ and when its mechanism stops. Line
   * noise, power-up garbage, clones that announce a reset. Empty = none.
   */
  strayBytes: number[];
  /**
   * Keeps processing its buffer while the paper is out (print data goes nowhere) and answers
   * GS r 1 with the paper-end bits set, instead of going silent until the refill.
   */
  paperStatusWhenOut: boolean;
  /** Executes the real-time clear-buffers command DLE DC4 fn=8 and answers 37 25 00. */
  realtimeClear: boolean;
  /** The built-in font: `gb2312` (older 58 mm clones) prints other 2-byte codes blank. */
  font: 'gb2312' | 'gb18030-2byte';
}

const defaultPersonality = (): PrinterPersonality => ({
  receiveBufferBytes: 4096,
  strayBytes: [],
  paperStatusWhenOut: false,
  realtimeClear: true,
  font: 'gb18030-2byte',
});

/** DLE DC4 fn=8 d1..d7 (Epson, Citizen): clear the receive and print buffers. */
const CLEAR_BUFFERS = Uint8Array.from([0x10, 0x14, 0x08, 0x01, 0x03, 0x14, 0x01, 0x06, 0x02, 0x08]);
/** Its answer: header 37H, identifier 25H, NUL. */
const CLEAR_RESPONSE = Uint8Array.from([0x37, 0x25, 0x00]);

export interface EmulatorCounters {
  /** Every byte received. */
  bytesReceived: number;
  /** Bytes other than real-time requests (bytesReceived − 3 × realtimeRequests). */
  printDataBytes: number;
  /** Of those, bytes thrown away because printing was stopped. */
  discardedBytes: number;
  realtimeRequests: number;
  paperStatusRequests: number;
  /** Bytes held in the receive buffer right now (printer stopped). */
  bufferedBytes: number;
  /** Buffered bytes printed after the printer came back. */
  resumedBytes: number;
  /** DLE DC4 fn=8 executed. */
  bufferClears: number;
  /** Bytes dropped by a buffer clear. */
  clearedBytes: number;
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
  private traits: PrinterPersonality = defaultPersonality();
  /** Print data received while stopped, waiting for the mechanism (the receive buffer). */
  private held: { bytes: Uint8Array; print: boolean }[] = [];
  private heldBytes = 0;
  /** Real-time command bytes inside print data (excluded from printDataBytes). */
  private realtimeBytes = 0;
  private readonly count = {
    bytesReceived: 0,
    discardedBytes: 0,
    realtimeRequests: 0,
    paperStatusRequests: 0,
    resumedBytes: 0,
    bufferClears: 0,
    clearedBytes: 0,
  };

  get counters(): EmulatorCounters {
    return { ...this.count, printDataBytes: this.count.bytesReceived - this.realtimeBytes, bufferedBytes: this.heldBytes };
  }

  resetCounters(): void {
    this.count.bytesReceived = 0;
    this.count.discardedBytes = 0;
    this.count.realtimeRequests = 0;
    this.count.paperStatusRequests = 0;
    this.count.resumedBytes = 0;
    this.count.bufferClears = 0;
    this.count.clearedBytes = 0;
    this.realtimeBytes = 0;
  }

  get personality(): Readonly<PrinterPersonality> {
    return this.traits;
  }

  setPersonality(patch: Partial<PrinterPersonality>): void {
    const font = this.traits.font;
    this.traits = { ...this.traits, ...patch, strayBytes: [...(patch.strayBytes ?? this.traits.strayBytes)] };
    // The font lives in the decoder; swapping it resets the decoder's modes (set it before printing).
    // `decoder` is unset while the constructor runs.
    if ((this.decoder as EscPosDecoder | undefined) && font !== this.traits.font) {
      this.decoder = new EscPosDecoder({ dotsPerLine: this.dotsPerLine, font: this.traits.font });
    }
  }

  constructor(
    readonly dotsPerLine = 576,
    personality: Partial<PrinterPersonality> = {},
  ) {
    super();
    this.setPersonality(personality);
    this.decoder = new EscPosDecoder({ dotsPerLine, font: this.traits.font });
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
    return s.paper === 'out'
      ? 'paper out'
      : s.coverOpen
        ? 'cover open'
        : s.cutterError
          ? 'cutter error'
          : s.unrecoverableError
            ? 'unrecoverable error'
            : 'head overheat';
  }

  setState(patch: Partial<PrinterSensors>): void {
    const wasStopped = this.stopped;
    const before = JSON.stringify(this.statusBytes());
    this.sensors = { ...this.sensors, ...patch };
    if (!wasStopped && this.stopped) {
      if (this.assembler.open) this.assembler.interrupt(this.stopReason());
      this.stray();
    }
    if (this.asbEnabled && JSON.stringify(this.statusBytes()) !== before) this.send(this.asbBlock());
    if (wasStopped && !this.stopped) this.resume();
  }

  /** Back in business: what waited in the receive buffer prints now, on the fresh paper. */
  private resume(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    this.count.resumedBytes += this.heldBytes;
    this.heldBytes = 0;
    this.assembler.resumed();
    for (const h of held) {
      if (!h.print) this.parseOnly(h.bytes);
      else if (this.stopped) this.hold(h.bytes);
      else this.printChunk(h.bytes);
    }
  }

  /**
   * Stopped: the first receiveBufferBytes wait to be printed; the rest is lost, but still parsed
   * in order so command boundaries stay in sync (as if the host had been held off by BUSY).
   */
  private hold(bytes: Uint8Array): void {
    const room = Math.max(0, this.traits.receiveBufferBytes - this.heldBytes);
    const kept = bytes.subarray(0, room);
    const lost = bytes.subarray(room);
    if (kept.length) {
      this.held.push({ bytes: Uint8Array.from(kept), print: true });
      this.heldBytes += kept.length;
    }
    if (lost.length) {
      this.count.discardedBytes += lost.length;
      if (this.held.length === 0) this.parseOnly(lost);
      else this.held.push({ bytes: Uint8Array.from(lost), print: false });
    }
  }

  private parseOnly(bytes: Uint8Array): void {
    for (const e of this.decoder.push(bytes)) if (e.type === 'statusBack') this.asbEnabled = e.n !== 0;
  }

  /** DLE DC4 fn=8: receive and print buffers emptied, standard mode, clear response sent. */
  private clearBuffers(): void {
    this.count.bufferClears++;
    this.count.clearedBytes += this.heldBytes + this.decoder.pendingBytes;
    this.held = [];
    this.heldBytes = 0;
    this.decoder.clearBuffer();
    this.send(CLEAR_RESPONSE);
  }

  private stray(): void {
    if (this.traits.strayBytes.length) this.send(Uint8Array.from(this.traits.strayBytes));
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
    this.decoder = new EscPosDecoder({ dotsPerLine: this.dotsPerLine, font: this.traits.font });
    this.tail = [];
    this.asbEnabled = false;
    this.held = [];
    this.heldBytes = 0;
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
      if (all[i] !== 0x10) continue;
      if (all[i + 1] === 0x04) {
        const n = all[i + 2]!;
        if (n < 1 || n > 4 || i + 2 < carry) continue;
        if (i + 3 > from) {
          this.print(all.subarray(from, i + 3));
          from = i + 3;
        }
        this.count.realtimeRequests++;
        this.realtimeBytes += 3;
        this.send(Uint8Array.of(this.statusBytes()[n - 1]!));
        i += 2;
      } else if (this.traits.realtimeClear && i + CLEAR_BUFFERS.length <= all.length && i + CLEAR_BUFFERS.length - 1 >= carry) {
        if (!CLEAR_BUFFERS.every((b, k) => all[i + k] === b)) continue;
        // Everything before it is buffered data too: it is cleared, not printed.
        if (i > from) this.print(all.subarray(from, i));
        from = i + CLEAR_BUFFERS.length;
        this.realtimeBytes += CLEAR_BUFFERS.length;
        this.clearBuffers();
        i += CLEAR_BUFFERS.length - 1;
      }
    }
    if (from < all.length) this.print(all.subarray(from));
    this.tail = Array.from(all.subarray(Math.max(0, all.length - (CLEAR_BUFFERS.length - 1))));
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
    if (this.stopped && !(this.traits.paperStatusWhenOut && this.sensors.paper === 'out')) {
      this.hold(bytes);
      return;
    }
    const events = this.decoder.push(bytes);
    if (this.stopped) {
      // Out of paper but still working through its buffer: commands run, nothing prints.
      this.count.discardedBytes += bytes.length;
      for (const e of events) this.after(e);
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
    } else if (e.type === 'init') {
      this.stray();
    }
  }
}
