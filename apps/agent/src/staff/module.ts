/**
 * Staff entry, assisted mode and the maintenance panel (issue 9, docs/staff.md): the module that
 * puts the pieces together.
 *
 * Staff open a hidden prompt, authenticate with a PIN or their own ID card (both checked against
 * salted scrypt hashes from config), then enter a staff mode the XFS4IoT VendorMode way:
 * request → enterPending (waits until no payment, card write or print is in flight) → active.
 * Everything staff do is audited with their staff number; PINs and ID numbers never are.
 *
 * The state lives in one xstate machine (machine.ts); each handler file has one job: signing in
 * (auth.ts), vendor mode (vendor-mode.ts), assisted actions (assist.ts), the maintenance panel
 * (maintenance-*.ts, overview.ts, camera.ts); what they need of the rest of the agent is in ports.ts.
 */
import { z } from 'zod';
import { defineCommand, type CommandDefinition } from '../api/commands.js';
import { IdCardDriver } from '../devices/idcard/driver.js';
import type { AgentContext, AgentModule, AgentModuleFactory } from '../modules.js';
import { StaffAlerts, type StaffAlert } from './alerts.js';
import { assistCommands } from './assist.js';
import { createStaffAuth } from './auth.js';
import { StaffCameraPreview } from './camera.js';
import { restoreLockout } from './lockout-restore.js';
import { deviceCommands } from './maintenance-devices.js';
import { gasCommands } from './maintenance-gas.js';
import { kioskCommands } from './maintenance-kiosk.js';
import { overviewBuilder } from './overview.js';
import { staffPorts, type NetworkStatusSource } from './ports.js';
import { createStaffRuntime } from './runtime.js';
import { vendorModeCommands } from './vendor-mode.js';
import { alertEvent } from '@kiosk/contracts/staff-view';

export { monitorEventType, type StaffAlert } from './alerts.js';

export interface StaffModuleOptions {
  now?: () => number;
  /** The heartbeat sender, when the monitor runs (maintenance panel: network and central). */
  network?: () => NetworkStatusSource | undefined;
  /** Lockout and "paper replaced" (they also reach the UI as Staff.AlertEvent and central through the monitor's outbox). */
  onAlert?: (alert: StaffAlert) => void;
  /**
   * Page showing the last printed receipt (the printer simulator's `/printer/receipts/last.html`).
   * Default: the embedded simulators' URL when they run, else none.
   */
  receiptPreviewUrl?: string | null;
}

export function createStaffModuleWith(options: StaffModuleOptions = {}): AgentModuleFactory {
  return (ctx) => buildStaffModule(ctx, options);
}

export const createStaffModule: AgentModuleFactory = createStaffModuleWith();

function buildStaffModule(ctx: AgentContext, options: StaffModuleOptions): AgentModule {
  const now = options.now ?? Date.now;
  const alerts = new StaffAlerts((a) => ctx.broadcast(alertEvent, a));
  if (options.onAlert) alerts.on(options.onAlert);
  const sims = ctx.config.embedded.simulators;
  const receiptPreviewUrl =
    options.receiptPreviewUrl !== undefined
      ? options.receiptPreviewUrl
      : sims.enabled
        ? `http://${sims.host}:${sims.port}/printer/receipts/last.html`
        : null;
  const ports = staffPorts(ctx, options.network);
  const rt = createStaffRuntime(ctx, {
    now,
    ports,
    alerts,
    restored: restoreLockout(ctx.db, ctx.config.staff.lockoutAttempts, now()),
  });

  // The prompt closing by itself is the one change no command makes: the UI hears of it here.
  rt.actor.on('promptExpired', () => rt.changed());

  const idcard = (): IdCardDriver | undefined => {
    const d = ctx.devices.get('idcard');
    return d instanceof IdCardDriver ? d : undefined;
  };
  const camera = new StaffCameraPreview(rt);
  const auth = createStaffAuth(rt, { hasCardReader: () => idcard() !== undefined });
  const vendor = vendorModeCommands(rt, { onLogout: () => camera.stop() });

  const commands: CommandDefinition[] = [
    defineCommand({ name: 'Staff.GetState', payload: z.object({}).strict(), handle: async () => rt.ok() }),
    ...auth.commands,
    ...vendor.commands,
    ...assistCommands(rt),
    ...kioskCommands(rt, overviewBuilder(rt, receiptPreviewUrl)),
    ...deviceCommands(rt, idcard),
    ...camera.commands(),
    ...gasCommands(rt),
  ];

  const reg = idcard();
  return {
    name: 'staff',
    commands,
    routes: (app) => camera.routes(app),
    async start() {
      reg?.on('cardRead', auth.onCardRead);
      const outbox = ports.outbox();
      if (outbox) alerts.forwardTo(outbox, rt.log);
    },
    async stop() {
      reg?.off('cardRead', auth.onCardRead);
      // Closing the prompt clears the machine's only timer. The actor is not stopped: a command
      // still unwinding may send it one more event, which a stopped actor would warn about.
      rt.send({ type: 'PROMPT_CLOSE' });
      vendor.abortEnter();
      camera.stop();
    },
    health: () => ({ staff: { locked: rt.locked(), mode: rt.view().vendorMode === 'active' ? rt.view().mode : null } }),
  };
}
