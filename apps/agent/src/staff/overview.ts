/** The maintenance panel's overview: devices with the action hint in words, printer, network, gas, versions. */
import { configHash as hashOfConfig } from '@kiosk/platform';
import { PrinterDriver } from '../devices/printer/driver.js';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import { agentVersion } from '../version.js';
import type { StaffRuntime } from './runtime.js';
import type { DeviceAdvice, DeviceOverviewRow, StaffOverview } from '@kiosk/contracts/staff-view';

/** XFS4IoT action hint in the words a guide acts on. */
export function adviceFor(s: DeviceStatus): DeviceAdvice {
  if (s.action === 'clear' || s.paper === 'out' || s.paper === 'jammed') return 'clear';
  if (s.action) return s.action;
  if (s.device === 'online' || s.device === 'deviceBusy') return 'ok';
  if (s.device === 'hardwareError') return 'maintenance';
  return 'check';
}

const jobSummary = (j: ReturnType<PrinterDriver['lastJob']>) =>
  j ? { id: j.id, kind: j.kind, state: j.state, reason: j.reason, createdAt: j.createdAt, reprintable: j.reprintable } : null;

export function overviewBuilder(rt: StaffRuntime, receiptPreviewUrl: string | null): () => StaffOverview {
  const { ctx } = rt;
  const configHash = hashOfConfig(ctx.config);
  return () => {
    const rows: DeviceOverviewRow[] = Object.entries(ctx.deviceStatuses()).map(([kind, s]) => ({
      kind,
      device: s.device,
      ...(s.paper ? { paper: s.paper } : {}),
      ...(s.action ? { action: s.action } : {}),
      ...(s.detail ? { description: s.detail } : {}),
      advice: adviceFor(s),
    }));
    const p = ctx.devices.get('printer');
    let printerView: StaffOverview['printer'] = null;
    if (p instanceof PrinterDriver) {
      const failed = p.jobs(20).find((j) => (j.state === 'failed' || j.state === 'unknown') && j.kind !== 'test-page');
      printerView = {
        lastJob: jobSummary(p.lastJob()),
        lastFailedJob: failed
          ? {
              id: failed.id,
              kind: failed.kind,
              state: failed.state,
              createdAt: failed.createdAt,
              reprintable: failed.reprintable,
            }
          : null,
        previewUrl: receiptPreviewUrl,
      };
    }
    const net = rt.ports.network()?.lastResult();
    const gas = rt.ports.gas();
    return {
      kioskId: ctx.config.kiosk.id,
      mode: ctx.mode.get(),
      modeMessage: ctx.mode.message() ?? null,
      devices: rows,
      printer: printerView,
      network: net
        ? {
            available: true,
            ok: net.ok,
            lastAt: net.at,
            lastSuccessAt: net.lastSuccessAt,
            error: net.error,
            outboxDepth: net.outboxDepth,
          }
        : { available: false, ok: null, lastAt: null, lastSuccessAt: null, error: null, outboxDepth: null },
      gas: { available: gas !== undefined, counts: gas ? (gas.counts() as unknown as Record<string, number>) : null },
      versions: { agent: agentVersion, node: process.version, ui: null },
      configHash,
    };
  };
}
