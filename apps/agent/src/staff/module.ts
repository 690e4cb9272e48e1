/**
 * Staff entry, assisted mode and the maintenance panel (issue 9, docs/staff.md).
 *
 * Staff open a hidden prompt, authenticate with a PIN or their own ID card (both checked against
 * salted scrypt hashes from config), then enter a staff mode the XFS4IoT VendorMode way:
 * request → enterPending (waits until no payment, card write or print is in flight) → active.
 * Everything staff do is audited with their staff number; PINs and ID numbers never are.
 */
import { getMonitorApi } from '../monitor/module.js';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { defineCommand, CommandError, type CommandDefinition, type CommandContext, type CommandResult } from '../api/commands.js';
import type { AgentContext, AgentModule, AgentModuleFactory } from '../modules.js';
import { PrinterDriver } from '../devices/printer/driver.js';
import { IdCardDriver, type CardReadEvent } from '../devices/idcard/driver.js';
import { CameraDriver } from '../devices/camera/driver.js';
import { grantCameraConsent, revokeCameraConsent, type CameraConsent } from '../devices/camera/consent.js';
import type { CameraPreview } from '../devices/camera/preview.js';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import { testPage } from '../receipts/test-page.js';
import { configHash as hashOfConfig, maskIdNumber, maskName, Mutex, serviceError } from '@kiosk/platform';
import { getSessionApi } from '../session/module.js';
import { serviceIds } from '@kiosk/contracts/session-view';
import { getGasApi } from '../gas/module.js';
import { agentVersion } from '../version.js';
import { normalizeIdNumber, pinPattern, verifySecret } from './hash.js';
import {
  alertEvent,
  enterPendingEvent,
  reloadEvent,
  staffStateEvent,
  type DeviceAdvice,
  type DeviceOverviewRow,
  type GasPendingRow,
  type StaffModeName,
  type StaffOverview,
  type StaffView,
  type VendorModeState,
} from '@kiosk/contracts/staff-view';

/** What the maintenance panel shows about the link to central (the heartbeat sender's lastResult()). */
interface NetworkStatusSource {
  lastResult(): { ok: boolean | null; at: string | null; lastSuccessAt: string | null; error: string | null; outboxDepth: number };
}

export type StaffAlert =
  | { type: 'staff.lockout'; until: string; attempts: number }
  | { type: 'printer.paperReplaced'; staffNo: string; paper: string | null };

/**
 * The outbox's name for a staff alert: lower-case dotted names only (monitor/protocol.ts
 * `eventTypeSchema`), so `printer.paperReplaced` goes to central as `printer.paper_replaced`. The
 * alert itself (WebSocket, UI messages) keeps its name.
 */
export function monitorEventType(type: StaffAlert['type']): string {
  return type.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export interface StaffModuleOptions {
  now?: () => number;
  /** The heartbeat sender, when the monitor runs (maintenance panel: network and central). */
  network?: () => NetworkStatusSource | undefined;
  /** Lockout and "paper replaced": for the heartbeat outbox. Also available via getStaffApi(ctx).onAlert. */
  onAlert?: (alert: StaffAlert) => void;
  /**
   * Page showing the last printed receipt (the printer simulator's `/printer/receipts/last.html`).
   * Default: the embedded simulators' URL when they run, else none.
   */
  receiptPreviewUrl?: string | null;
}

interface StaffApi {
  view(): StaffView;
  onAlert(fn: (alert: StaffAlert) => void): () => void;
}

const apis = new WeakMap<AgentContext, StaffApi>();

const empty = z.object({}).strict();
const previewPath = '/api/staff/preview';

/** XFS4IoT action hint in the words a guide acts on. */
function adviceFor(s: DeviceStatus): DeviceAdvice {
  if (s.action === 'clear' || s.paper === 'out' || s.paper === 'jammed') return 'clear';
  if (s.action) return s.action;
  if (s.device === 'online' || s.device === 'deviceBusy') return 'ok';
  if (s.device === 'hardwareError') return 'maintenance';
  return 'check';
}

export function createStaffModuleWith(options: StaffModuleOptions = {}): AgentModuleFactory {
  return (ctx) => buildStaffModule(ctx, options);
}

export const createStaffModule: AgentModuleFactory = createStaffModuleWith();

interface StaffMember {
  staffNo: string;
  method: 'pin' | 'card';
  since: number;
}

function buildStaffModule(ctx: AgentContext, options: StaffModuleOptions): AgentModule {
  const cfg = ctx.config.staff;
  const log = ctx.logger.child({ module: 'staff' });
  const now = options.now ?? Date.now;
  const alerts = new EventEmitter<{ alert: [StaffAlert] }>();
  if (options.onAlert) alerts.on('alert', options.onAlert);
  const sims = ctx.config.embedded.simulators;
  const receiptPreviewUrl =
    options.receiptPreviewUrl !== undefined
      ? options.receiptPreviewUrl
      : sims.enabled
        ? `http://${sims.host}:${sims.port}/printer/receipts/last.html`
        : null;
  const configHash = hashOfConfig(ctx.config);

  // ---- state ---------------------------------------------------------------------------------------
  let promptOpen = false;
  let cardAccepted = false;
  let promptTimer: NodeJS.Timeout | undefined;
  let staff: StaffMember | null = null;
  let vendorMode: VendorModeState = 'inactive';
  let mode: StaffModeName | null = null;
  let waitingFor: string | null = null;
  let failures = 0;
  let lockedUntil = 0;
  let afterExit: { inService: boolean; message: string | null } = { inService: true, message: null };
  let enterAbort: AbortController | undefined;
  /** Card and PIN checks run one at a time, so lockout counting never races. */
  const attempts = new Mutex();

  const locked = (): boolean => lockedUntil > now();

  const view = (): StaffView => ({
    gesture: { corner: cfg.corner, longPressMs: cfg.longPressMs },
    promptTimeoutMs: cfg.promptTimeoutMs,
    prompt: { open: promptOpen, cardAccepted: promptOpen && cardAccepted },
    staff: staff ? { staffNo: staff.staffNo, method: staff.method } : null,
    vendorMode,
    mode,
    waitingFor,
    lock: locked() ? { until: new Date(lockedUntil).toISOString() } : null,
    attemptsLeft: Math.max(0, cfg.lockoutAttempts - failures),
    afterExit,
  });
  const changed = (): void => ctx.broadcast(staffStateEvent, view());
  const ok = (payload: unknown = view()): CommandResult => ({ completionCode: 'success', payload });

  const actor = (): string => (staff ? `staff:${staff.staffNo}` : 'staff');
  const sessionSerial = (): string | null => getSessionApi(ctx)?.view().sessionId ?? null;
  const raise = (alert: StaffAlert): void => {
    alerts.emit('alert', alert);
    ctx.broadcast(alertEvent, alert);
  };

  // A lockout survives a restart: the audit log has its end time.
  const lastLock = ctx.db
    .prepare("SELECT detail FROM audit_log WHERE action = 'staff.lockout' ORDER BY id DESC LIMIT 1")
    .get() as { detail: string } | undefined;
  if (lastLock) {
    const until = Date.parse((JSON.parse(lastLock.detail) as { until?: string }).until ?? '');
    if (until > now()) lockedUntil = until;
  }
  // So does the count of wrong PINs (4 wrong, restart, 4 more must lock): the latest PIN outcome
  // in the audit log says how many attempts were left; a success or a lockout since resets it.
  const lastPin = ctx.db
    .prepare(
      `SELECT json_extract(detail, '$.outcome') AS outcome, json_extract(detail, '$.attemptsLeft') AS left FROM audit_log
       WHERE action = 'staff.lockout' OR (action = 'staff.login' AND json_extract(detail, '$.outcome') IN ('success', 'wrongPin'))
       ORDER BY id DESC LIMIT 1`,
    )
    .get() as { outcome: string | null; left: unknown } | undefined;
  if (lastPin?.outcome === 'wrongPin' && typeof lastPin.left === 'number') failures = Math.max(0, cfg.lockoutAttempts - lastPin.left);

  // ---- prompt and authentication -----------------------------------------------------------------
  const closePrompt = (): void => {
    promptOpen = false;
    cardAccepted = false;
    if (promptTimer) clearTimeout(promptTimer);
    promptTimer = undefined;
  };

  const login = (member: StaffMember, sessionAtOpen: string | null): void => {
    staff = member;
    failures = 0;
    closePrompt();
    ctx.audit(actor(), 'staff.login', { method: member.method, outcome: 'success', staffNo: member.staffNo });
    log.info({ staffNo: member.staffNo, method: member.method }, 'staff logged in');
    // The staff card on the idle kiosk also started a citizen session: that session is the
    // guide's own card, not a citizen's, so it ends (and is wiped) at once.
    const session = getSessionApi(ctx);
    const v = session?.view();
    if (member.method === 'card' && session && v?.sessionId && v.sessionId !== sessionAtOpen && v.busy === null) {
      session.send({ type: 'CANCEL' });
      session.send({ type: 'END' });
      ctx.audit(actor(), 'staff.cardSessionDiscarded', { sessionId: v.sessionId });
    }
  };

  let sessionAtPromptOpen: string | null = null;
  const idcard = (): IdCardDriver | undefined => {
    const d = ctx.devices.get('idcard');
    return d instanceof IdCardDriver ? d : undefined;
  };
  const onCardRead = (e: CardReadEvent): void => {
    if (!promptOpen || !cardAccepted || staff) return;
    const id = normalizeIdNumber(e.card.idNumber);
    const masked = maskIdNumber(id);
    void attempts.run(async () => {
      if (!promptOpen || staff) return;
      if (locked()) {
        ctx.audit('staff', 'staff.login', { method: 'card', outcome: 'locked', card: masked });
        changed();
        return;
      }
      for (const entry of cfg.idCards) {
        if (await verifySecret(id, entry.idHash)) {
          login({ staffNo: entry.staffNo, method: 'card', since: now() }, sessionAtPromptOpen);
          changed();
          return;
        }
      }
      ctx.audit('staff', 'staff.login', { method: 'card', outcome: 'unknownCard', card: masked });
      changed();
    }).catch((err: unknown) => log.error({ err }, 'staff card check failed'));
  };

  // ---- vendor mode ---------------------------------------------------------------------------------
  const requireStaff = (): StaffMember => {
    if (!staff) throw new CommandError('authorisationRequired', 'STAFF_ONLY: log in on the staff prompt first');
    return staff;
  };
  const requireMode = (m: StaffModeName): StaffMember => {
    const s = requireStaff();
    if (mode !== m || vendorMode !== 'active') throw new CommandError('sequenceError', `${m} mode is not active`);
    return s;
  };

  /** What is in flight now: the session's busy step or a gas money step; null when safe. */
  const busyNow = (): string | null => getSessionApi(ctx)?.view().busy ?? getGasApi(ctx)?.busyReason() ?? null;

  /** Waits for a safe point (XFS4IoT: every application acknowledges before vendor mode). */
  async function untilSafe(signal: AbortSignal, onWait: (reason: string) => void): Promise<void> {
    for (;;) {
      const reason = busyNow();
      if (reason === null) return;
      onWait(reason);
      const session = getSessionApi(ctx);
      const gas = getGasApi(ctx);
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(new CommandError('canceled', 'staff entry cancelled while waiting'));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        const waits: Promise<void>[] = [];
        if (session?.view().busy) waits.push(session.whenSafe());
        if (gas?.busyReason()) waits.push(gas.whenIdle());
        // A busy step from a source without a waiter: look again shortly.
        if (waits.length === 0) waits.push(new Promise((r) => setTimeout(r, 250)));
        void Promise.all(waits).then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  /** Ends the citizen's session (goodbye → wipe). Only at a safe point. */
  const endSession = (): string | null => {
    const session = getSessionApi(ctx);
    const v = session?.view();
    if (!session || !v?.sessionId || v.busy !== null) return null;
    session.send({ type: 'CANCEL' });
    session.send({ type: 'END' });
    return v.sessionId;
  };

  async function enter(target: StaffModeName, c: CommandContext): Promise<CommandResult> {
    const s = requireStaff();
    if (vendorMode !== 'inactive') throw new CommandError('sequenceError', `staff mode ${mode ?? ''} is ${vendorMode}`);
    vendorMode = 'enterPending';
    mode = target;
    enterAbort = new AbortController();
    const signal = AbortSignal.any([enterAbort.signal, c.signal]);
    ctx.audit(actor(), 'staff.mode.request', { staffNo: s.staffNo, mode: target, sessionId: sessionSerial() });
    changed();
    try {
      await untilSafe(signal, (reason) => {
        if (waitingFor === reason) return;
        waitingFor = reason;
        c.event(enterPendingEvent, { mode: target, waitingFor: reason });
        changed();
      });
    } catch (err) {
      vendorMode = 'inactive';
      mode = null;
      waitingFor = null;
      ctx.audit(actor(), 'staff.mode.cancelled', { staffNo: s.staffNo, mode: target });
      changed();
      throw err;
    }
    waitingFor = null;
    const sessionId = sessionSerial();
    if (target === 'maintenance') {
      // Leaving the panel keeps the mode the kiosk had (an out-of-service kiosk stays out of
      // service with its message) unless the guide changes it in the panel.
      const before = ctx.mode.get();
      afterExit = before === 'out-of-service' ? { inService: false, message: ctx.mode.message() ?? null } : { inService: true, message: null };
      // The panel takes the screen: the citizen's session (if any) ends and is wiped first.
      endSession();
      ctx.mode.set('maintenance');
    } else {
      ctx.mode.set('assisted');
    }
    vendorMode = 'active';
    ctx.audit(actor(), 'staff.mode.enter', { staffNo: s.staffNo, mode: target, sessionId });
    changed();
    return ok();
  }

  /** `keepSession`: leaving assisted mode lets the citizen carry on alone instead of ending their session. */
  async function exit(c: CommandContext, keepSession = false): Promise<CommandResult> {
    const s = requireStaff();
    if (vendorMode === 'enterPending') {
      enterAbort?.abort();
      return ok();
    }
    const was = mode;
    if (vendorMode === 'active') {
      vendorMode = 'exitPending';
      changed();
      let sessionId: string | null = null;
      try {
        await untilSafe(c.signal, (reason) => {
          waitingFor = reason;
          changed();
        });
      } catch (err) {
        vendorMode = 'active';
        waitingFor = null;
        changed();
        throw err;
      }
      waitingFor = null;
      // Leaving assisted mode ends the citizen's session and wipes its data, unless the guide
      // chose to let the citizen carry on alone (the UI asks which, issue 19).
      if (was === 'assisted') sessionId = keepSession ? sessionSerial() : endSession();
      if (was === 'maintenance' && !afterExit.inService) ctx.mode.set('out-of-service', afterExit.message ?? undefined);
      else ctx.mode.set('in-service');
      ctx.audit(actor(), 'staff.mode.exit', { staffNo: s.staffNo, mode: was, sessionId, kioskMode: ctx.mode.get(), ...(was === 'assisted' ? { sessionKept: keepSession } : {}) });
    }
    stopCamera();
    ctx.audit(actor(), 'staff.logout', { staffNo: s.staffNo });
    staff = null;
    vendorMode = 'inactive';
    mode = null;
    afterExit = { inService: true, message: null };
    changed();
    return ok();
  }

  // ---- devices -------------------------------------------------------------------------------------
  const printer = (): PrinterDriver => {
    const d = ctx.devices.get('printer');
    if (!(d instanceof PrinterDriver)) throw new CommandError('deviceNotReady', 'no receipt printer on this kiosk');
    return d;
  };
  const reader = (): IdCardDriver => {
    const d = idcard();
    if (!d) throw new CommandError('deviceNotReady', 'no ID card reader on this kiosk');
    return d;
  };

  let camera: { consent: CameraConsent; preview: CameraPreview; key: string } | undefined;
  function stopCamera(): void {
    if (!camera) return;
    revokeCameraConsent(camera.consent);
    void camera.preview.stop();
    camera = undefined;
  }

  const jobSummary = (j: ReturnType<PrinterDriver['lastJob']>) =>
    j ? { id: j.id, kind: j.kind, state: j.state, reason: j.reason, createdAt: j.createdAt, reprintable: j.reprintable } : null;

  function overview(): StaffOverview {
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
        lastFailedJob: failed ? { id: failed.id, kind: failed.kind, state: failed.state, createdAt: failed.createdAt, reprintable: failed.reprintable } : null,
        previewUrl: receiptPreviewUrl,
      };
    }
    const net = (options.network?.() ?? getMonitorApi(ctx)?.sender)?.lastResult();
    const gas = getGasApi(ctx);
    return {
      kioskId: ctx.config.kiosk.id,
      mode: ctx.mode.get(),
      modeMessage: ctx.mode.message() ?? null,
      devices: rows,
      printer: printerView,
      network: net
        ? { available: true, ok: net.ok, lastAt: net.at, lastSuccessAt: net.lastSuccessAt, error: net.error, outboxDepth: net.outboxDepth }
        : { available: false, ok: null, lastAt: null, lastSuccessAt: null, error: null, outboxDepth: null },
      gas: { available: gas !== undefined, counts: gas ? (gas.counts() as unknown as Record<string, number>) : null },
      versions: { agent: agentVersion, node: process.version, ui: null },
      configHash,
    };
  }

  /** Manual-handling marks live in the audit log (the gas journal has no such state yet). */
  function manualMarks(): Map<string, { note: string; staffNo: string; at: string }> {
    const rows = ctx.db
      .prepare("SELECT at, detail FROM audit_log WHERE action = 'staff.gas.markManual' ORDER BY id")
      .all() as { at: string; detail: string }[];
    const marks = new Map<string, { note: string; staffNo: string; at: string }>();
    for (const r of rows) {
      const d = JSON.parse(r.detail) as { orderNo: string; note: string; staffNo: string };
      marks.set(d.orderNo, { note: d.note, staffNo: d.staffNo, at: r.at });
    }
    return marks;
  }

  function gasPending(): GasPendingRow[] {
    const gas = getGasApi(ctx);
    if (!gas) throw new CommandError('unsupportedCommand', 'the gas module is not running on this kiosk');
    const marks = manualMarks();
    return gas.engine
      .pendingOrders()
      .map((o) => ({
        orderNo: o.orderNo,
        state: o.state,
        account: o.accountNoMasked,
        amountFen: o.amountFen,
        createdAt: o.createdAt,
        manual: marks.get(o.orderNo) ?? null,
      }));
  }

  const maint = (): StaffMember => requireMode('maintenance');
  const audit = (s: StaffMember, action: string, detail: Record<string, unknown> = {}): void =>
    ctx.audit(`staff:${s.staffNo}`, action, { staffNo: s.staffNo, ...detail });

  // ---- commands ------------------------------------------------------------------------------------
  const commands: CommandDefinition[] = [
    defineCommand({ name: 'Staff.GetState', payload: empty, handle: async () => ok() }),
    defineCommand({
      name: 'Staff.OpenPrompt',
      payload: empty,
      handle: async () => {
        if (staff) return ok();
        const session = getSessionApi(ctx)?.view();
        sessionAtPromptOpen = session?.sessionId ?? null;
        promptOpen = true;
        // The staff card is taken only on an idle kiosk: mid-session it would replace the citizen's identity.
        cardAccepted = sessionAtPromptOpen === null && cfg.idCards.length > 0 && idcard() !== undefined;
        if (promptTimer) clearTimeout(promptTimer);
        promptTimer = setTimeout(() => {
          closePrompt();
          changed();
        }, cfg.promptTimeoutMs);
        promptTimer.unref();
        ctx.audit('staff', 'staff.prompt', { locked: locked(), sessionId: sessionAtPromptOpen });
        changed();
        return ok();
      },
    }),
    defineCommand({
      name: 'Staff.ClosePrompt',
      payload: empty,
      handle: async () => {
        closePrompt();
        changed();
        return ok();
      },
    }),
    defineCommand({
      name: 'Staff.Login',
      // The PIN is checked, never logged: zod errors would echo the value, so only the shape is tested here.
      payload: z.object({ pin: z.string().max(32) }).strict(),
      handle: async (p) => {
        return attempts.run(async (): Promise<CommandResult> => {
          if (staff) return ok();
          if (!promptOpen) throw new CommandError('sequenceError', 'open the staff prompt first');
          if (locked()) {
            ctx.audit('staff', 'staff.login', { method: 'pin', outcome: 'locked' });
            return { completionCode: 'authorisationRequired', errorDescription: 'LOCKED: too many wrong PINs', payload: view() };
          }
          if (pinPattern.test(p.pin)) {
            for (const entry of cfg.pins) {
              if (await verifySecret(p.pin, entry.pinHash)) {
                login({ staffNo: entry.staffNo, method: 'pin', since: now() }, sessionAtPromptOpen);
                changed();
                return ok();
              }
            }
          }
          failures += 1;
          const left = Math.max(0, cfg.lockoutAttempts - failures);
          ctx.audit('staff', 'staff.login', { method: 'pin', outcome: 'wrongPin', attemptsLeft: left });
          if (left === 0) {
            lockedUntil = now() + cfg.lockoutMinutes * 60_000;
            failures = 0;
            const until = new Date(lockedUntil).toISOString();
            ctx.audit('staff', 'staff.lockout', { until, attempts: cfg.lockoutAttempts });
            log.warn({ until }, 'staff prompt locked after wrong PINs');
            raise({ type: 'staff.lockout', until, attempts: cfg.lockoutAttempts });
            changed();
            return { completionCode: 'authorisationRequired', errorDescription: 'LOCKED: too many wrong PINs', payload: view() };
          }
          changed();
          return { completionCode: 'authorisationRequired', errorDescription: `WRONG_PIN: ${left} attempts left`, payload: view() };
        });
      },
    }),
    defineCommand({
      name: 'Staff.EnterMode',
      payload: z.object({ mode: z.enum(['assisted', 'maintenance']) }).strict(),
      handle: async (p, c) => enter(p.mode, c),
    }),
    defineCommand({ name: 'Staff.CancelEnter', payload: empty, handle: async () => (enterAbort?.abort(), ok()) }),
    defineCommand({
      name: 'Staff.Exit',
      payload: z.object({ keepSession: z.boolean().optional() }).strict(),
      handle: async (p, c) => exit(c, p.keepSession ?? false),
    }),
    defineCommand({
      name: 'Staff.Assist',
      payload: z.object({ action: z.enum(['back', 'home', 'restartService']) }).strict(),
      handle: async (p) => {
        const s = requireMode('assisted');
        const session = getSessionApi(ctx);
        if (!session) throw new CommandError('unsupportedCommand', 'no session module');
        const v = session.view();
        if (v.busy) throw new CommandError('sequenceError', `not while ${v.busy} is in flight`);
        if (p.action === 'back') session.send({ type: 'BACK' });
        else if (p.action === 'home') session.send({ type: 'HOME' });
        else {
          const service = v.service?.id;
          if (!service || !(serviceIds as readonly string[]).includes(service)) throw new CommandError('sequenceError', 'no service in progress');
          // Home keeps the identity; selecting the service again starts its flow from the beginning.
          session.send({ type: 'HOME' });
          session.send({ type: 'SELECT_SERVICE', service: service });
        }
        audit(s, `staff.assist.${p.action}`, { sessionId: v.sessionId, screen: v.screen, step: v.step });
        // Not session.view() here: reading the view before the session broadcasts it marks the
        // change as seen, and the UI would never get it. The UI follows the broadcast.
        return ok();
      },
    }),
    defineCommand({ name: 'Staff.Overview', payload: empty, handle: async () => (maint(), ok(overview())) }),
    defineCommand({
      name: 'Staff.PrinterTestPage',
      payload: empty,
      handle: async () => {
        const s = maint();
        const p = printer();
        const r = await p.print(testPage(p.profile, { kioskId: ctx.config.kiosk.id }));
        audit(s, 'staff.printer.testPage', { jobId: r.jobId, outcome: r.outcome });
        return ok(r);
      },
    }),
    defineCommand({
      name: 'Staff.PrinterPaperReplaced',
      payload: empty,
      handle: async () => {
        const s = maint();
        const status = await printer().refreshStatus();
        audit(s, 'staff.printer.paperReplaced', { paper: status.paper ?? null, device: status.device });
        raise({ type: 'printer.paperReplaced', staffNo: s.staffNo, paper: status.paper ?? null });
        return ok({ status, advice: adviceFor(status) });
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
        if (job.state !== 'failed' && job.state !== 'unknown') throw new CommandError('sequenceError', `job ${p.jobId} is ${job.state}; only a failed slip is reprinted`);
        const r = await d.reprint(p.jobId);
        audit(s, 'staff.printer.reprint', { jobId: p.jobId, newJobId: r.jobId, outcome: r.outcome });
        return ok(r);
      },
    }),
    defineCommand({
      name: 'Staff.IdCardSamId',
      payload: empty,
      handle: async () => {
        const s = maint();
        const samId = await reader().readSamId();
        audit(s, 'staff.idcard.samId');
        return ok({ samId });
      },
    }),
    defineCommand({
      name: 'Staff.IdCardTestRead',
      payload: z.object({ timeoutMs: z.number().int().min(1000).max(120_000).default(30_000) }).strict(),
      handle: async (p, c) => {
        const s = maint();
        try {
          const e = await reader().waitForCard({ timeoutMs: p.timeoutMs, signal: c.signal });
          audit(s, 'staff.idcard.testRead', { outcome: 'read' });
          // Masked only: a test read shows that the reader works, not whose card it was.
          return ok({ name: maskName(e.card.name), idNumber: maskIdNumber(e.card.idNumber), cardType: e.card.cardType, expired: e.expired, photo: e.photo.image !== null });
        } catch (err) {
          audit(s, 'staff.idcard.testRead', { outcome: 'failed' });
          throw new CommandError('timeOut', err instanceof Error ? err.message : String(err));
        }
      },
    }),
    defineCommand({
      name: 'Staff.CameraPreview',
      payload: z.object({ on: z.boolean() }).strict(),
      handle: async (p) => {
        const s = maint();
        if (!p.on) {
          stopCamera();
          audit(s, 'staff.camera.previewOff');
          return ok({ url: null });
        }
        const d = ctx.devices.get('camera');
        if (!(d instanceof CameraDriver)) throw new CommandError('deviceNotReady', 'no camera on this kiosk');
        stopCamera();
        // Staff look at the camera on purpose: the consent is the staff member's, and it is audited.
        const consent = grantCameraConsent({ purpose: 'maintenance', ttlMs: 5 * 60_000 });
        const preview = d.preview({ consent });
        const key = randomUUID();
        camera = { consent, preview, key };
        preview.once('end', () => {
          if (camera?.key === key) camera = undefined;
        });
        audit(s, 'staff.camera.consent', { purpose: 'maintenance', ttlMs: 5 * 60_000 });
        return ok({ url: `${previewPath}/${key}` });
      },
    }),
    defineCommand({ name: 'Staff.GasPending', payload: empty, handle: async () => (maint(), ok({ orders: gasPending() })) }),
    defineCommand({
      name: 'Staff.GasRetry',
      payload: z.object({ orderNo: z.string().trim().min(8).max(80) }).strict(),
      handle: async (p) => {
        const s = maint();
        const gas = getGasApi(ctx);
        if (!gas) throw new CommandError('unsupportedCommand', 'the gas module is not running on this kiosk');
        try {
          const order = await gas.engine.retry(p.orderNo, `staff:${s.staffNo}`);
          audit(s, 'staff.gas.retry', { orderNo: p.orderNo, state: order.state });
          return ok({ order: { orderNo: order.orderNo, state: order.state } });
        } catch (err) {
          audit(s, 'staff.gas.retry', { orderNo: p.orderNo, outcome: 'failed' });
          throw new CommandError('userError', err instanceof Error ? err.message : String(err));
        }
      },
    }),
    defineCommand({
      name: 'Staff.GasMarkManual',
      payload: z.object({ orderNo: z.string().trim().min(8).max(80), note: z.string().trim().min(2).max(200) }).strict(),
      handle: async (p) => {
        const s = maint();
        if (!gasPending().some((o) => o.orderNo === p.orderNo)) throw new CommandError('invalidData', `order ${p.orderNo} is not pending`);
        audit(s, 'staff.gas.markManual', { orderNo: p.orderNo, note: p.note });
        return ok({ orders: gasPending() });
      },
    }),
    defineCommand({
      name: 'Staff.SetService',
      payload: z.object({ inService: z.boolean(), message: z.string().trim().max(200).optional() }).strict(),
      handle: async (p) => {
        const s = maint();
        afterExit = { inService: p.inService, message: p.inService ? null : (p.message || null) };
        audit(s, 'staff.kiosk.service', { inService: p.inService, message: afterExit.message });
        changed();
        return ok();
      },
    }),
    defineCommand({
      name: 'Staff.RestartUi',
      payload: empty,
      handle: async () => {
        const s = maint();
        audit(s, 'staff.kiosk.restartUi');
        // After the completion, so the caller sees success before its page goes away.
        setTimeout(() => ctx.broadcast(reloadEvent, {}), 50);
        return ok();
      },
    }),
  ];

  const api: StaffApi = {
    view,
    onAlert(fn) {
      alerts.on('alert', fn);
      return () => alerts.off('alert', fn);
    },
  };
  apis.set(ctx, api);

  const reg = idcard();
  return {
    name: 'staff',
    commands,
    routes(app: Express) {
      app.get(`${previewPath}/:key`, (req: Request, res: Response) => {
        const cam = camera;
        if (!cam || cam.key !== String(req.params['key']) || !cam.preview.running) {
          res.status(404).json(serviceError('no live preview'));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame', 'Cache-Control': 'no-store', Connection: 'close' });
        const onFrame = (jpeg: Buffer): void => {
          res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
          res.write(jpeg);
          res.write('\r\n');
        };
        cam.preview.on('frame', onFrame);
        cam.preview.once('end', () => res.end());
        req.on('close', () => cam.preview.off('frame', onFrame));
      });
    },
    async start() {
      reg?.on('cardRead', onCardRead);
      // Lockouts and "paper replaced" go to central through the durable outbox when the monitor runs.
      const sender = getMonitorApi(ctx)?.sender;
      if (sender) {
        alerts.on('alert', (a) => {
          // Monitoring must never fail the staff member's action (it did: issue 20 item 7).
          try {
            sender.enqueueEvent(monitorEventType(a.type), { ...a });
          } catch (err) {
            log.error({ err, type: a.type }, 'staff alert not queued for central');
          }
        });
      }
    },
    async stop() {
      reg?.off('cardRead', onCardRead);
      closePrompt();
      enterAbort?.abort();
      stopCamera();
      apis.delete(ctx);
    },
    health: () => ({ staff: { locked: locked(), mode: vendorMode === 'active' ? mode : null } }),
  };
}
