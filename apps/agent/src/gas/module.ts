/**
 * The gas top-up feature of the agent: builds the journal and the engine, runs start-up recovery
 * in start() (so the agent is ready only after every unfinished order is final or pending), and
 * offers the UI's `Gas.*` WebSocket commands. The session's gas flow may use the same engine
 * in-process through ctx.ports.get('gas'). Command names and payloads: docs/gas.md.
 */
import { z } from 'zod';
import { CommandError, defineCommand, type CommandContext, type CommandDefinition, type CommandResult } from '../api/commands.js';
import { isGasCardReader, type GasCardReader } from '@kiosk/protocol-gascard';
import type { AgentContext, AgentModule, AgentModuleFactory } from '../modules.js';
import { servicesFor, type Services } from '../services/index.js';
import { GAS_COMPANY_NAME } from './constants.js';
import { gasApiOf, type GasApi } from './api.js';
import { GasEngine, isSlipPrinter, type GasAlert, type SlipPrinter } from './engine.js';
import { GasError } from './errors.js';
import { GasJournal, type CommitPoint, type GasOrder } from './journal.js';
import { orderNoFromScan } from './receipts.js';

export interface GasModuleOptions {
  /** Connectors; default: servicesFor(config). */
  services?: Pick<Services, 'gas' | 'payment'>;
  /** Default: the `gascard` driver in ctx.devices. */
  cardReader?: () => GasCardReader | undefined;
  /** Default: the `printer` driver in ctx.devices. */
  printer?: () => SlipPrinter | undefined;
  /** Called for every order that needs an operator (e.g. to put it in the monitor's outbox). */
  onAlert?: (alert: GasAlert) => void;
  /** Runs synchronously after every journal commit (the crash test kills the process here). */
  onJournalCommit?: (point: CommitPoint, order: GasOrder) => void;
  now?: () => Date;
}

export type { GasApi };

interface GasModule extends AgentModule, GasApi {}

/** The gas module of a running agent (tests and tools); features use ctx.ports.get('gas'). */
export function getGasApi(ctx: AgentContext): GasApi | undefined {
  return ctx.ports.get('gas');
}

const orderNo = z.string().trim().min(8).max(80);
const empty = z.object({}).strict();

function fail(err: unknown): CommandResult {
  if (err instanceof GasError) {
    return {
      completionCode: err.completionCode,
      errorDescription: `${err.reason}: ${err.citizen.en}`,
      payload: { error: err.toPayload() },
    };
  }
  throw err;
}

async function run(fn: () => Promise<unknown>): Promise<CommandResult> {
  try {
    return { completionCode: 'success', payload: (await fn()) ?? {} };
  } catch (err) {
    return fail(err);
  }
}

/** How long start-up recovery waits for the gas card reader's first answer. */
const READER_WAIT_MS = 3000;

function readerOnline(reader: GasCardReader, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      reader.off('status', onStatus);
      // One poll more, so a card already in the reader is known before recovery looks.
      setTimeout(resolve, 100);
    };
    const onStatus = (s: { device: string }): void => {
      if (s.device === 'online' || s.device === 'noDevice') done();
    };
    const timer = setTimeout(done, ms);
    reader.on('status', onStatus);
  });
}

export function createGasModuleWith(options: GasModuleOptions = {}): AgentModuleFactory {
  return (ctx) => buildGasModule(ctx, options);
}

/** The gas module as the production agent composes it. */
export const createGasModule: AgentModuleFactory = createGasModuleWith();

function buildGasModule(ctx: AgentContext, options: GasModuleOptions): GasModule {
  const log = ctx.logger.child({ module: 'gas' });
  const services = options.services ?? servicesFor(ctx.config, log);
  const journal = new GasJournal(ctx.db, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.onJournalCommit ? { onCommit: options.onJournalCommit } : {}),
  });
  const cardReader =
    options.cardReader ??
    (() => {
      const d = ctx.devices.get('gascard');
      return isGasCardReader(d) ? d : undefined;
    });
  const printer =
    options.printer ??
    (() => {
      const d = ctx.devices.get('printer');
      return isSlipPrinter(d) ? d : undefined;
    });
  const engine = new GasEngine({
    journal,
    gas: services.gas,
    payment: services.payment,
    settings: ctx.config.gas,
    kioskId: ctx.config.kiosk.id,
    company: GAS_COMPANY_NAME,
    site: ctx.config.kiosk.site,
    hotline: ctx.config.session.contact.hotline,
    cardReader,
    printer,
    logger: log,
    ...(options.now ? { now: options.now } : {}),
  });

  engine.on('order', (order) => ctx.broadcast('Gas.OrderChangedEvent', { order }));
  engine.on('counts', (counts) => ctx.broadcast('Gas.CountsChangedEvent', counts));
  engine.on('alert', (alert) => {
    ctx.broadcast('Gas.AlertEvent', alert);
    ctx.audit('gas', 'gas.needs_attention', {
      orderNo: alert.orderNo,
      from: alert.from,
      reason: alert.reason,
      amountFen: alert.amountFen,
    });
    try {
      if (options.onAlert) options.onAlert(alert);
      // Central must see it even while it is unreachable: the monitor's durable outbox.
      else ctx.ports.get('monitor')?.sender.enqueueEvent(alert.kind, { ...alert });
    } catch (err) {
      log.error({ err }, 'gas alert hook failed');
    }
  });
  journal.addCommitListener((point, order) => {
    if (point.startsWith('state:'))
      ctx.audit('gas', `gas.order.${order.state}`, {
        orderNo: order.orderNo,
        amountFen: order.amountFen,
        meter: order.meterType,
      });
  });

  const maintenanceOnly = (): void => {
    if (ctx.mode.get() !== 'maintenance')
      throw new CommandError('authorisationRequired', 'MAINTENANCE_ONLY: switch the kiosk to maintenance mode first');
  };

  /** Streams the order's changes and payment countdown to the command's caller until it rests. */
  const follow = (no: string, c: CommandContext) =>
    engine.waitForRest(no, {
      signal: c.signal,
      onTick: (t) => c.event('Gas.PaymentTickEvent', t),
      onOrder: (order) => c.event('Gas.OrderEvent', { order }),
    });

  const commands: CommandDefinition[] = [
    defineCommand({
      name: 'Gas.Settings',
      payload: empty,
      handle: async () => run(async () => ({ ...engine.settingsView(), ready: engine.ready(), counts: engine.counts() })),
    }),
    defineCommand({
      name: 'Gas.LookupAccount',
      payload: z.object({ accountNo: z.string().regex(/^\d{6,20}$/, '6–20 digits') }).strict(),
      handle: async (p, c) =>
        run(async () => ({ account: (await engine.lookupAccount({ accountNo: p.accountNo }, c.signal)).view })),
    }),
    defineCommand({
      name: 'Gas.ReadCard',
      payload: z.object({ timeoutMs: z.number().int().min(100).max(600_000).optional() }).strict(),
      handle: async (p, c) =>
        run(async () => {
          c.event('Gas.InsertCardEvent', {});
          return engine.readCard({ ...(p.timeoutMs !== undefined ? { timeoutMs: p.timeoutMs } : {}), signal: c.signal });
        }),
    }),
    defineCommand({
      name: 'Gas.CreateOrder',
      payload: z
        .object({
          amountFen: z.number().int().positive(),
          /** Omit to top up the card read by Gas.ReadCard. */
          accountNo: z
            .string()
            .regex(/^\d{6,20}$/, '6–20 digits')
            .optional(),
          sessionId: z.string().max(100).optional(),
        })
        .strict(),
      handle: async (p) =>
        run(() =>
          engine.createOrder({
            amountFen: p.amountFen,
            ...(p.accountNo !== undefined ? { accountNo: p.accountNo } : {}),
            ...(p.sessionId !== undefined ? { sessionId: p.sessionId } : {}),
          }),
        ),
    }),
    defineCommand({
      name: 'Gas.AwaitOrder',
      payload: z.object({ orderNo }).strict(),
      handle: async (p, c) => run(async () => ({ order: await follow(p.orderNo, c) })),
    }),
    defineCommand({
      name: 'Gas.PaymentStatus',
      payload: z.object({ orderNo }).strict(),
      handle: async (p) => run(async () => ({ order: engine.view(p.orderNo) })),
    }),
    defineCommand({
      name: 'Gas.Cancel',
      payload: z.object({ orderNo }).strict(),
      handle: async (p) => run(async () => ({ order: await engine.cancel(p.orderNo) })),
    }),
    defineCommand({
      name: 'Gas.PrintSlip',
      payload: z.object({ orderNo }).strict(),
      handle: async (p) => run(() => engine.printSlip(p.orderNo)),
    }),
    defineCommand({
      name: 'Gas.Finish',
      payload: z.object({ orderNo, receiptPrinted: z.boolean().optional() }).strict(),
      handle: async (p) => run(async () => ({ order: await engine.finish(p.orderNo, p.receiptPrinted ?? false) })),
    }),
    defineCommand({
      name: 'Gas.FinishPending',
      payload: z.object({ orderNo }).strict(),
      handle: async (p, c) =>
        run(async () => {
          const no = orderNoFromScan(p.orderNo);
          c.event('Gas.InsertCardEvent', { orderNo: no });
          return engine.finishPending(no, { signal: c.signal });
        }),
    }),
    defineCommand({
      name: 'Gas.PendingOrders',
      payload: empty,
      handle: async () => run(async () => ({ orders: engine.pendingOrders(), counts: engine.counts() })),
    }),
    defineCommand({
      name: 'Gas.RetryOrder',
      payload: z.object({ orderNo }).strict(),
      handle: async (p) => {
        maintenanceOnly();
        return run(async () => ({ order: await engine.retry(p.orderNo, 'operator') }));
      },
    }),
    defineCommand({
      name: 'Gas.RequestRefund',
      payload: z.object({ orderNo, reason: z.string().trim().min(2).max(80) }).strict(),
      handle: async (p) => {
        maintenanceOnly();
        return run(async () => ({ order: await engine.requestRefund(p.orderNo, p.reason, 'operator') }));
      },
    }),
  ];

  const cardListeners: (() => void)[] = [];
  const api = gasApiOf(engine);
  ctx.ports.provide('gas', api);

  return {
    name: 'gas',
    ...api,
    commands,
    async start() {
      const reader = cardReader();
      if (reader) {
        const inserted = (): void => ctx.broadcast('GasCard.CardInsertedEvent', {});
        const removed = (): void => {
          engine.forgetCard();
          ctx.broadcast('GasCard.CardRemovedEvent', {});
        };
        reader.on('cardInserted', inserted);
        reader.on('cardRemoved', removed);
        cardListeners.push(
          () => reader.off('cardInserted', inserted),
          () => reader.off('cardRemoved', removed),
        );
      }
      // Recovery may need the card a citizen left in the reader: give the reader a moment to come up.
      if (reader && reader.status().device !== 'online' && reader.status().device !== 'noDevice')
        await readerOnline(reader, READER_WAIT_MS);
      const before = engine.counts();
      await engine.start();
      const after = engine.counts();
      log.info({ before, after }, 'gas recovery finished');
      if (before.active > 0)
        ctx.audit('gas', 'gas.recovery', {
          recovered: before.active,
          creditPending: after.creditPending,
          needsAttention: after.needsAttention,
        });
    },
    async stop() {
      cardListeners.splice(0).forEach((off) => off());
      await engine.stop();
    },
    health() {
      const c = engine.counts();
      return {
        gas: {
          ready: engine.ready(),
          creditPending: c.creditPending,
          needsAttention: c.needsAttention,
          unfinished: c.active,
          busy: engine.busyReason(),
        },
      };
    },
  };
}
