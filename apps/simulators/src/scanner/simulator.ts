/**
 * 2D barcode scanner module simulator: the module end of a socat pty pair, in serial mode at its
 * factory settings, as the common embedded kiosk modules ship: presentation (continuous) mode, each
 * decoded code sent as UTF-8 followed by CR. It models a module WITHOUT serial trigger or
 * configuration commands: bytes the host sends are ignored (counted, never answered), which is
 * what such a module does. Control routes mounted at /scanner:
 *
 *   GET  /scanner          state (connected, codes sent, ignored host bytes)
 *   POST /scanner/scan     {"text": "…"} presents a code: its bytes and the CR go out on the pty
 *                          extensions: "suffix": "CR" | "CRLF" | "LF"; "chunks": n (split over n writes)
 *   POST /scanner/raw      {"hex": "…"} raw bytes on the line (noise, overlong, non-UTF-8 tests)
 *   POST /scanner/plug     {"connected": bool}
 */
import { SimulatorInputError, jsonRoute, parseControlBody } from '../control-route.js';
import express, { type Router } from 'express';
import { z } from 'zod';
import { Mutex } from '@kiosk/platform';
import { encodeScan } from '@kiosk/protocol-scanner';
import { PtySimulator } from '../harness/pty-simulator.js';
import type { SimulatedDevice } from '../simulated-device.js';

export interface ScannerSimulatorOptions {
  agentPath: string;
  devicePath: string;
  baudRate?: number;
}

const scanSchema = z
  .object({
    // A QR holds at most 2953 bytes; longer is refused here, not sent.
    text: z.string().min(1).max(2953),
    suffix: z.enum(['CR', 'CRLF', 'LF']).default('CR'),
    chunks: z.number().int().min(1).max(64).default(1),
  })
  .strict();
const rawSchema = z
  .object({
    hex: z
      .string()
      .regex(/^([0-9a-fA-F]{2})+$/, 'hex bytes')
      .max(16_384),
  })
  .strict();
const plugSchema = z.object({ connected: z.boolean() }).strict();
const parse = parseControlBody;

export class ScannerSimulator extends PtySimulator implements SimulatedDevice {
  readonly name = 'scanner';
  private readonly sending = new Mutex();
  readonly counters = { codes: 0, rawWrites: 0, ignoredHostBytes: 0 };

  constructor(options: ScannerSimulatorOptions) {
    super({ ...options, baudRate: options.baudRate ?? 9600 });
  }

  get connected(): boolean {
    return this.transport?.isOpen ?? false;
  }

  /** No trigger/config command set: whatever the host sends is ignored. */
  protected onData(chunk: Buffer): void {
    this.counters.ignoredHostBytes += chunk.length;
  }

  /** Presents a code to the module: it goes out as its bytes and the suffix. */
  async scan(input: unknown): Promise<{ sent: number }> {
    const body = parse(scanSchema, input);
    const bytes = encodeScan(body.text, body.suffix);
    await this.send(bytes, body.chunks);
    this.counters.codes += 1;
    return { sent: bytes.length };
  }

  async raw(input: unknown): Promise<{ sent: number }> {
    const body = parse(rawSchema, input);
    const bytes = Buffer.from(body.hex, 'hex');
    await this.send(bytes, 1);
    this.counters.rawWrites += 1;
    return { sent: bytes.length };
  }

  private send(bytes: Buffer, chunks: number): Promise<void> {
    const run = async (): Promise<void> => {
      const t = this.transport;
      if (!t?.isOpen) throw new SimulatorInputError('the scanner is unplugged');
      const size = Math.ceil(bytes.length / chunks);
      for (let off = 0; off < bytes.length; off += size) await t.write(bytes.subarray(off, off + size));
    };
    // One code at a time on the line, as a module sends them.
    return this.sending.run(run);
  }

  state(): Record<string, unknown> {
    return { connected: this.connected, mode: 'serial, presentation, CR suffix, no command set', ...this.counters };
  }

  router(): Router {
    const r = express.Router();
    r.get('/', (_req, res) => {
      res.json(this.state());
    });
    r.post(
      '/scan',
      jsonRoute((body) => this.scan(body)),
    );
    r.post(
      '/raw',
      jsonRoute((body) => this.raw(body)),
    );
    r.post(
      '/plug',
      jsonRoute(async (body) => {
        await this.setConnected(parse(plugSchema, body).connected);
        return { connected: this.connected };
      }),
    );
    return r;
  }
}

export function createScannerSimulator(options: ScannerSimulatorOptions): ScannerSimulator {
  return new ScannerSimulator(options);
}
