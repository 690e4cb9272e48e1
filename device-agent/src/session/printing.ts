import { fromPromise } from 'xstate';
import type { PrintResult } from '../devices/printer/driver.js';
import type { DeviceDriver } from '../devices/status.js';
import type { ReceiptDocument } from '../receipts/document.js';
import { printerProblem } from './availability.js';
import { PrintFailure } from './machine.js';

/** What the session needs from a receipt printer (PrinterDriver satisfies it). */
export interface SlipPrinter extends DeviceDriver {
  print(doc: ReceiptDocument): Promise<PrintResult>;
}

export function isSlipPrinter(d: DeviceDriver | undefined): d is SlipPrinter {
  return d !== undefined && d.kind === 'printer' && typeof (d as Partial<SlipPrinter>).print === 'function';
}

/**
 * The shared print step: checks the printer first (so nothing half-prints on a known problem),
 * prints, and turns every way it can go wrong into a reason the citizen is told.
 */
export function createPrintActor(printer: () => SlipPrinter | undefined) {
  return fromPromise<void, { document: ReceiptDocument; sessionId: string | null }>(async ({ input }) => {
    const p = printer();
    if (!p) throw new PrintFailure('printerDown', 'no printer configured');
    const problem = printerProblem(p.status());
    if (problem) throw new PrintFailure(problem, `printer not ready: ${p.status().detail ?? p.status().device}`);
    let r: PrintResult;
    try {
      r = await p.print(input.document);
    } catch (err) {
      throw new PrintFailure('printFailed', err instanceof Error ? err.message : String(err));
    }
    if (r.outcome === 'printed') return;
    const after = printerProblem(p.status());
    const reason = /paper/i.test(r.reason ?? '') ? 'paperOut' : (after ?? 'printFailed');
    throw new PrintFailure(reason, `print ${r.outcome}: ${r.reason ?? ''}`);
  });
}
