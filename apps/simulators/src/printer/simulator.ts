/**
 * Receipt printer simulator: the printer end of a socat pty pair. Answers DLE EOT from settable
 * sensor state, decodes every job into receipt records with an HTML preview, and serves control
 * routes mounted at /printer on the simulator control API.
 */
import { SimulatorInputError, sendControlError } from '../control-route.js';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { Mutex } from '@kiosk/platform';
import { PtySimulator } from '../harness/pty-simulator.js';
import type { SimulatedDevice } from '../simulated-device.js';
import { PrinterEmulator, type PrinterPersonality, type PrinterSensors } from './emulator.js';
import { receiptHtml, receiptText, type ReceiptItem, type ReceiptRecord } from './receipts.js';

export interface PrinterSimulatorOptions {
  agentPath: string;
  devicePath: string;
  /** 576 (80 mm, default) or 384 (58 mm): lines and images wider than this are flagged. */
  dotsPerLine?: number;
  baudRate?: number;
  /** How this printer model behaves where models differ (default: defaultPersonality()). */
  personality?: Partial<PrinterPersonality>;
}

const stateSchema = z
  .object({
    paper: z.enum(['full', 'low', 'out']),
    coverOpen: z.boolean(),
    cutterError: z.boolean(),
    silent: z.boolean(),
    unrecoverableError: z.boolean(),
    headOverheat: z.boolean(),
    streamStatus: z.boolean(),
    paperOutAfter: z.number().int().min(0).nullable(),
  })
  .partial()
  .strict();

const personalitySchema = z
  .object({
    receiveBufferBytes: z.number().int().min(0).max(1_048_576),
    strayBytes: z.array(z.number().int().min(0).max(255)).max(64),
    paperStatusWhenOut: z.boolean(),
    realtimeClear: z.boolean(),
    font: z.enum(['gb2312', 'gb18030-2byte']),
  })
  .partial()
  .strict();

const plugSchema = z.object({ connected: z.boolean() }).strict();

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SimulatorInputError('body must be a JSON object (Content-Type: application/json)');
  }
  const r = schema.safeParse(body);
  if (!r.success) {
    throw new SimulatorInputError(
      r.error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : 'body'}: ${i.message}`).join('; '),
    );
  }
  return r.data;
}

/** The JSON shape of GET /printer/receipts entries. */
export interface ReceiptView {
  id: number;
  text: string;
  qr: { data: string; moduleSize: number; level: string; declaredLength: number; ok: boolean; problems: string[] }[];
  barcodes: { symbology: string; data: string }[];
  images: { width: number; height: number; bands: number }[];
  /**
   * ESC * images printed inside text lines (glyphs the printer font lacks), in order; each is
   * marked U+FFFC in `text`. Rows as strings, '#' = black dot.
   */
  inlineImages: { width: number; height: number; rows: string[] }[];
  cut: 'full' | 'partial' | null;
  interrupted: boolean;
  interruptedBy: string | null;
  /** Began with data held in the receive buffer while the printer was stopped (see PrinterPersonality). */
  resumedFromBuffer: boolean;
  errors: string[];
  startedAt: string;
  finishedAt: string | null;
  html: string;
}

function bitRows(img: { width: number; height: number; data: Uint8Array }): string[] {
  const bpr = Math.ceil(img.width / 8);
  const rows: string[] = [];
  for (let y = 0; y < img.height; y++) {
    let r = '';
    for (let x = 0; x < img.width; x++) r += img.data[y * bpr + (x >> 3)]! & (0x80 >> (x & 7)) ? '#' : '.';
    rows.push(r);
  }
  return rows;
}

export function receiptView(r: ReceiptRecord, dotsPerLine: number, withHtml = true): ReceiptView {
  const of = <K extends ReceiptItem['kind']>(k: K): Extract<ReceiptItem, { kind: K }>[] =>
    r.items.filter((i): i is Extract<ReceiptItem, { kind: K }> => i.kind === k);
  return {
    id: r.id,
    text: receiptText(r),
    qr: of('qr').map(({ data, moduleSize, level, declaredLength, ok, problems }) => ({
      data,
      moduleSize,
      level,
      declaredLength,
      ok,
      problems,
    })),
    barcodes: of('barcode').map(({ symbology, data }) => ({ symbology, data })),
    images: of('image').map(({ width, height, bands }) => ({ width, height, bands })),
    inlineImages: of('line').flatMap((l) =>
      l.segments.flatMap((g) => (g.image ? [{ width: g.image.width, height: g.image.height, rows: bitRows(g.image) }] : [])),
    ),
    cut: r.cut,
    interrupted: r.interrupted,
    interruptedBy: r.interruptedBy,
    resumedFromBuffer: r.resumedFromBuffer,
    errors: r.errors,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    html: withHtml ? receiptHtml(r, dotsPerLine) : '',
  };
}

export class PrinterSimulator extends PtySimulator implements SimulatedDevice {
  readonly name = 'printer';
  readonly emulator: PrinterEmulator;
  private readonly writing = new Mutex();
  private streamTimer: NodeJS.Timeout | undefined;
  private streamBusy = false;
  /** Bytes sent back to the host (status replies, ASB stream). */
  private repliedBytes = 0;

  constructor(options: PrinterSimulatorOptions) {
    super(options);
    this.emulator = new PrinterEmulator(options.dotsPerLine ?? 576, options.personality);
    this.emulator.on('reply', (bytes) => this.send(bytes));
  }

  protected onData(chunk: Buffer): void {
    this.emulator.receive(chunk);
  }

  protected override afterPlug(): void {
    this.applyStreaming();
  }

  /** Unplugging: the status stream stops; unplugged, a slip in progress is torn off. */
  protected override beforeUnplug(): void {
    this.stopStreaming();
  }

  protected override afterUnplug(): void {
    this.emulator.powerCycle('unplugged');
  }

  /** Validates and applies a sensor patch; throws SimulatorInputError on bad input. */
  setSensors(patch: unknown): PrinterSensors {
    const body = parseBody(stateSchema, patch) as Partial<PrinterSensors>;
    this.emulator.setState(body);
    this.applyStreaming();
    return { ...this.emulator.state };
  }

  /** Validates and applies a personality patch; throws SimulatorInputError on bad input. */
  setPersonality(patch: unknown): PrinterPersonality {
    const body = parseBody(personalitySchema, patch) as Partial<PrinterPersonality>;
    this.emulator.setPersonality(body);
    return { ...this.emulator.personality };
  }

  receipts(): ReceiptView[] {
    const list = this.emulator.receipts().map((r) => receiptView(r, this.emulator.dotsPerLine));
    const open = this.emulator.openReceipt();
    if (open) list.push(receiptView(open, this.emulator.dotsPerLine));
    return list;
  }

  state(): Record<string, unknown> {
    return {
      connected: this.isConnected,
      agentPath: this.agentPath,
      dotsPerLine: this.emulator.dotsPerLine,
      sensors: { ...this.emulator.state },
      personality: { ...this.emulator.personality },
      printing: !this.emulator.stopped,
      statusBytes: this.emulator.statusBytes().map((b) => `0x${b.toString(16).padStart(2, '0')}`),
      counters: { ...this.emulator.counters, repliedBytes: this.repliedBytes },
      receipts: this.emulator.receipts().length,
    };
  }

  private send(bytes: Uint8Array): void {
    const t = this.transport;
    if (!t) return;
    this.repliedBytes += bytes.length;
    // One write at a time, in order; a vanished port just drops the reply like a dead cable.
    void this.writing.run(() => t.write(bytes)).catch(() => undefined);
  }

  private applyStreaming(): void {
    const want = this.emulator.state.streamStatus && this.isConnected;
    if (want && !this.streamTimer) {
      this.streamTimer = setInterval(() => {
        if (this.streamBusy || !this.transport || this.emulator.state.silent) return;
        this.streamBusy = true;
        const block = this.emulator.asbBlock();
        const burst = new Uint8Array(16 * 4 + 1);
        for (let k = 0; k < 16; k++) burst.set(block, k * 4);
        burst[64] = 0x11; // XON, as printers with XON/XOFF flow control interleave
        this.repliedBytes += burst.length;
        const t = this.transport;
        void this.writing
          .run(() => t.write(burst))
          .catch(() => undefined)
          .finally(() => {
            this.streamBusy = false;
          });
      }, 2);
    } else if (!want) {
      this.stopStreaming();
    }
  }

  private stopStreaming(): void {
    if (this.streamTimer) clearInterval(this.streamTimer);
    this.streamTimer = undefined;
  }

  router(): Router {
    const r = express.Router();
    const wrap =
      (f: (req: Request, res: Response) => Promise<void> | void) =>
      async (req: Request, res: Response): Promise<void> => {
        try {
          await f(req, res);
        } catch (err) {
          sendControlError(res, err);
        }
      };
    r.get('/', (_req, res) => {
      res.json(this.state());
    });
    r.post(
      '/state',
      wrap((req, res) => {
        const sensors = this.setSensors(req.body);
        res.json({ sensors, state: this.state() });
      }),
    );
    r.post(
      '/personality',
      wrap((req, res) => {
        const personality = this.setPersonality(req.body);
        res.json({ personality, state: this.state() });
      }),
    );
    r.post(
      '/plug',
      wrap(async (req, res) => {
        const body = parseBody(plugSchema, req.body);
        await this.setConnected(body.connected);
        res.json(this.state());
      }),
    );
    r.get('/receipts', (_req, res) => {
      res.json(this.receipts());
    });
    r.get('/receipts/last.html', (_req, res) => {
      const last = this.receipts().at(-1);
      res
        .type('html')
        .send(
          `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>打印预览 / Receipt preview</title><body style="background:#ddd">${last ? last.html : '<p>暂无小票 / no receipt yet</p>'}</body></html>`,
        );
    });
    r.delete('/receipts', (_req, res) => {
      const n = this.emulator.receipts().length;
      this.emulator.clearReceipts();
      res.json({ cleared: n });
    });
    return r;
  }
}

export function createPrinterSimulator(options: PrinterSimulatorOptions): PrinterSimulator {
  return new PrinterSimulator(options);
}
