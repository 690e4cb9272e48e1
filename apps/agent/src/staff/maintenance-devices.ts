/** Maintenance panel: the receipt printer (test page, paper replaced, reprint) and the ID reader (SAM ID, test read). */
import { z } from 'zod';
import { CommandError, defineCommand, type CommandDefinition } from '../api/commands.js';
import type { IdCardDriver } from '../devices/idcard/driver.js';
import { PrinterDriver } from '../devices/printer/driver.js';
import { maskIdNumber, maskName } from '@kiosk/platform';
import { testPage } from '../receipts/test-page.js';
import { adviceFor } from './overview.js';
import type { StaffRuntime } from './runtime.js';

const empty = z.object({}).strict();

export function deviceCommands(rt: StaffRuntime, idcard: () => IdCardDriver | undefined): CommandDefinition[] {
  const maint = () => rt.requireMode('maintenance');
  const printer = (): PrinterDriver => {
    const d = rt.ctx.devices.get('printer');
    if (!(d instanceof PrinterDriver)) throw new CommandError('deviceNotReady', 'no receipt printer on this kiosk');
    return d;
  };
  const reader = (): IdCardDriver => {
    const d = idcard();
    if (!d) throw new CommandError('deviceNotReady', 'no ID card reader on this kiosk');
    return d;
  };
  return [
    defineCommand({
      name: 'Staff.PrinterTestPage',
      payload: empty,
      handle: async () => {
        const s = maint();
        const p = printer();
        const r = await p.print(testPage(p.profile, { kioskId: rt.ctx.config.kiosk.id }));
        rt.audit(s, 'staff.printer.testPage', { jobId: r.jobId, outcome: r.outcome });
        return rt.ok(r);
      },
    }),
    defineCommand({
      name: 'Staff.PrinterPaperReplaced',
      payload: empty,
      handle: async () => {
        const s = maint();
        const status = await printer().refreshStatus();
        rt.audit(s, 'staff.printer.paperReplaced', { paper: status.paper ?? null, device: status.device });
        rt.alerts.raise({ type: 'printer.paperReplaced', staffNo: s.staffNo, paper: status.paper ?? null });
        return rt.ok({ status, advice: adviceFor(status) });
      },
    }),
    defineCommand({
      name: 'Staff.PrinterReprint',
      payload: z.object({ jobId: z.number().int().positive() }).strict(),
      handle: async (p) => {
        const s = maint();
        const d = printer();
        const job = d.job(p.jobId);
        if (!job) throw new CommandError('invalidData', `no print job ${p.jobId}`);
        if (job.state !== 'failed' && job.state !== 'unknown')
          throw new CommandError('sequenceError', `job ${p.jobId} is ${job.state}; only a failed slip is reprinted`);
        const r = await d.reprint(p.jobId);
        rt.audit(s, 'staff.printer.reprint', { jobId: p.jobId, newJobId: r.jobId, outcome: r.outcome });
        return rt.ok(r);
      },
    }),
    defineCommand({
      name: 'Staff.IdCardSamId',
      payload: empty,
      handle: async () => {
        const s = maint();
        const samId = await reader().readSamId();
        rt.audit(s, 'staff.idcard.samId');
        return rt.ok({ samId });
      },
    }),
    defineCommand({
      name: 'Staff.IdCardTestRead',
      payload: z.object({ timeoutMs: z.number().int().min(1000).max(120_000).default(30_000) }).strict(),
      handle: async (p, c) => {
        const s = maint();
        try {
          const e = await reader().waitForCard({ timeoutMs: p.timeoutMs, signal: c.signal });
          rt.audit(s, 'staff.idcard.testRead', { outcome: 'read' });
          // Masked only: a test read shows that the reader works, not whose card it was.
          return rt.ok({
            name: maskName(e.card.name),
            idNumber: maskIdNumber(e.card.idNumber),
            cardType: e.card.cardType,
            expired: e.expired,
            photo: e.photo.image !== null,
          });
        } catch (err) {
          rt.audit(s, 'staff.idcard.testRead', { outcome: 'failed' });
          throw new CommandError('timeOut', err instanceof Error ? err.message : String(err));
        }
      },
    }),
  ];
}
