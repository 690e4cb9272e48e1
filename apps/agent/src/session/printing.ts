import QRCode from 'qrcode';
import { fromPromise } from 'xstate';
import type { PrintResult } from '../devices/printer/driver.js';
import type { DeviceDriver, DeviceStatus } from '@kiosk/contracts/device-status';
import type { ReceiptDocument } from '../receipts/document.js';
import { printerProblem } from './availability.js';
import { PrintFailure } from './machine.js';

/** What the session needs from a receipt printer (PrinterDriver satisfies it). */
export interface SlipPrinter extends DeviceDriver {
  print(doc: ReceiptDocument): Promise<PrintResult>;
  /** Reads the printer's status now instead of trusting the last idle poll (optional). */
  refreshStatus?(): Promise<DeviceStatus>;
}

/**
 * Why the printer cannot print now. A problem in the last known status is checked again at once
 * (a refill or a reconnect since the last idle poll, which runs only every few seconds, must not
 * turn a citizen's "print again" into "printer unavailable").
 */
async function currentProblem(p: SlipPrinter): Promise<ReturnType<typeof printerProblem>> {
  const known = printerProblem(p.status());
  if (!known || !p.refreshStatus) return known;
  try {
    await p.refreshStatus();
  } catch {
    return known;
  }
  return printerProblem(p.status());
}

export function isSlipPrinter(d: DeviceDriver | undefined): d is SlipPrinter {
  return d !== undefined && d.kind === 'printer' && typeof (d as Partial<SlipPrinter>).print === 'function';
}

/** The slip's verification address: the data of its first QR code that is a web address. */
function verifyUrlOf(doc: ReceiptDocument): string | null {
  for (const b of doc.blocks) if (b.type === 'qr' && /^https?:\/\//.test(b.data)) return b.data;
  return null;
}

/**
 * A failed print keeps a way to the result without paper: the slip's verification page as a QR on
 * screen (issue 19). The SVG is made here, from the agent's own QR encoder.
 */
async function failure(
  doc: ReceiptDocument,
  reason: PrintFailure['reason'],
  message: string,
  incomplete = false,
): Promise<PrintFailure> {
  const f = new PrintFailure(reason, message);
  f.incomplete = incomplete;
  const url = verifyUrlOf(doc);
  if (url) {
    try {
      f.verify = { url, qrSvg: await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) };
    } catch {
      f.verify = null;
    }
  }
  return f;
}

/**
 * The shared print step: checks the printer first (so nothing half-prints on a known problem),
 * prints, and turns every way it can go wrong into a reason the citizen is told. A job the driver
 * reports as stopped part-way (`incomplete`) is never "printed": the slip in the tray is void.
 */
export function createPrintActor(printer: () => SlipPrinter | undefined) {
  return fromPromise<void, { document: ReceiptDocument; sessionId: string | null }>(async ({ input }) => {
    const doc = input.document;
    const p = printer();
    if (!p) throw await failure(doc, 'printerDown', 'no printer configured');
    const problem = await currentProblem(p);
    if (problem) throw await failure(doc, problem, `printer not ready: ${p.status().detail ?? p.status().device}`);
    let r: PrintResult;
    try {
      r = await p.print(doc);
    } catch (err) {
      throw await failure(doc, 'printFailed', err instanceof Error ? err.message : String(err));
    }
    if (r.outcome === 'printed' && !r.incomplete) return;
    const after = printerProblem(p.status());
    const reason = /paper/i.test(r.reason ?? '') ? 'paperOut' : (after ?? 'printFailed');
    throw await failure(doc, reason, `print ${r.outcome}: ${r.reason ?? ''}`, r.incomplete === true);
  });
}
