/**
 * The agent process the crash campaign kills: a real agent (SQLite journal, WAL, synchronous FULL)
 * with the gas module and the production gas card driver on a pty the parent's simulator serves,
 * talking to the sandbox through the parent's kill proxy. The PARENT kills it (SIGKILL): at a
 * random moment, when the proxy or the card simulator sees an upstream apply a money step, or
 * when this process reports a journal point named by --crash-at: it then prints
 * {"crashPoint": ...} and blocks (the event loop stops, so nothing else is journaled) until the
 * parent's SIGKILL arrives; if none comes it exits 3, which the campaign counts as a failure.
 *
 *   --mode run      start (start-up recovery of what the last crash left), then one citizen
 *                   (and for *-refund an operator) action:
 *                   iot | ic           top-up; a card top-up first finishes pending ones (补写卡)
 *                   iot-refund | ic-refund   top-up; if it ends credit_pending, the operator refunds
 *                   abandon            --variant payerror (the provider reports PAYERROR) or cancel
 *                                      (the citizen cancels): the order must end closed
 *   --mode recover  start, one retry pass, 补写卡 for pending card orders, and with
 *                   --operator-refunds the operator refunds whatever is still pending; clean stop
 *   --mode finish   (another kiosk) 补写卡 of the --orders given (comma-separated), clean stop
 *
 * --crash-at fires for the run's own order after start; --recover-crash-at fires for any order
 * during start-up recovery. Prints {"ready": true} once started, {"ok": true, ...} at a clean end.
 */
import { EventEmitter } from 'node:events';
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startAgent } from '../../apps/agent/src/agent.js';
import { defaultConfigPath, loadConfig } from '@kiosk/kiosk-config';
import { createGasCardDriver } from '../../apps/agent/src/devices/gascard/driver.js';
import type { PrintResult } from '../../apps/agent/src/devices/printer/driver.js';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import type { SlipPrinter } from '../../apps/agent/src/gas/engine.js';
import { createGasModuleWith, getGasApi } from '../../apps/agent/src/gas/module.js';
import { silentLogger } from '@kiosk/platform';
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    scenario: { type: 'string', default: 'iot' },
    data: { type: 'string' },
    sandbox: { type: 'string' },
    gascard: { type: 'string' },
    kiosk: { type: 'string' },
    tag: { type: 'string', default: '' },
    'crash-at': { type: 'string' },
    'recover-crash-at': { type: 'string' },
    amount: { type: 'string', default: '1000' },
    variant: { type: 'string', default: '' },
    orders: { type: 'string', default: '' },
    'operator-refunds': { type: 'boolean', default: false },
  },
});

/** Prints instantly; the receipt_printed step needs a printer that says "printed". */
class InstantPrinter extends EventEmitter implements SlipPrinter {
  readonly kind = 'printer';
  private n = 0;
  status(): DeviceStatus {
    return { device: 'online', paper: 'full' };
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async print(): Promise<PrintResult> {
    return { jobId: ++this.n, outcome: 'printed', warnings: [] };
  }
}

/**
 * Tells the parent and stops dead: Atomics.wait blocks the only thread, so no timer, reply or
 * journal commit runs before the parent's SIGKILL lands.
 */
function crashHere(point: string): void {
  writeSync(1, `${JSON.stringify({ crashPoint: point })}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20_000);
  writeSync(2, `agent-child: nobody killed me at ${point}\n`);
  process.exit(3);
}

/** An operator or citizen action the kiosk may refuse (REFUND_UNSAFE, NOT_PENDING …): record, go on. */
async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | string> {
  try {
    return await fn();
  } catch (err) {
    return `${what}: ${err instanceof Error ? err.message.slice(0, 120) : String(err)}`;
  }
}

async function main(): Promise<void> {
  const mode = values.mode;
  const crashAt = values['crash-at'];
  const recoverCrashAt = values['recover-crash-at'];
  const tag = values.tag ?? '';
  let started = false;
  const config = structuredClone(loadConfig(defaultConfigPath));
  config.dataDir = values.data as string;
  config.agent.port = 0;
  config.log.level = 'silent';
  config.kiosk.id = values.kiosk ?? 'CRASH-TEST-01';
  config.upstream.baseUrl = values.sandbox as string;
  config.upstream.timeoutMs = 2000;
  config.devices.gascard = {
    enabled: true,
    transport: { kind: 'serial', path: values.gascard as string, baudRate: 115200 },
    pollIntervalMs: 30,
    requestTimeoutMs: 1000,
    writeTimeoutMs: 2000,
  };
  config.gas.paymentPollMs = 30;
  config.gas.recoveryIntervalMs = 3_600_000;

  const gascard = createGasCardDriver(config.devices.gascard);
  const printer = new InstantPrinter();
  const agent = await startAgent(config, {
    logger: silentLogger(),
    devices: [gascard, printer],
    modules: [
      createGasModuleWith({
        onJournalCommit: (point, order) => {
          // During start-up recovery any order; afterwards only the run's own order (earlier ones
          // may be retried in the background meanwhile).
          if (!started ? point === recoverCrashAt : point === crashAt && order.sessionId === tag) crashHere(point);
        },
      }),
    ],
  });
  const api = getGasApi(agent.context);
  if (!api) throw new Error('gas module missing');
  const engine = api.engine;
  started = true;
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const out: Record<string, unknown> = { ok: true, mode };
  const finish = async (result: Record<string, unknown>): Promise<void> => {
    result.counts = engine.counts();
    await agent.stop();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  };
  /** 补写卡 of this kiosk's pending orders for the card in the reader (a citizen brings one card). */
  const finishPendingCards = async (): Promise<string[]> => {
    const done: string[] = [];
    const inReader = gascard.cardPresent() ? (await gascard.readCard().catch(() => null))?.cardNo : undefined;
    for (const o of engine.journal.pending()) {
      if (o.meterType !== 'ic-card' || o.cardNo !== inReader) continue;
      const r = await attempt('finishPending', () => engine.finishPending(o.orderNo));
      if (typeof r === 'string') {
        done.push(`${o.orderNo}:${r}`);
        continue;
      }
      if (r.order.state === 'credited') await engine.printSlip(o.orderNo);
      done.push(`${o.orderNo}:${r.order.state}`);
    }
    return done;
  };
  const operatorRefunds = async (): Promise<string[]> => {
    const done: string[] = [];
    for (const o of engine.journal.pending()) {
      const r = await attempt('requestRefund', () =>
        engine.requestRefund(o.orderNo, 'crash campaign: operator clears pending', 'operator'),
      );
      done.push(`${o.orderNo}:${typeof r === 'string' ? r : r.state}`);
    }
    return done;
  };
  /** Creates the order, or null when the kiosk turns the citizen away (e.g. PENDING_CARD_WRITE): nothing paid. */
  const topUp = async (amountFen: number, card: boolean): Promise<string | null> => {
    const made = await attempt('createOrder', () =>
      card
        ? engine.createOrder({ amountFen, sessionId: tag })
        : engine.createOrder({ accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo, amountFen, sessionId: tag }),
    );
    if (typeof made === 'string') {
      out.refused = made;
      return null;
    }
    const { order } = made;
    out.orderNo = order.orderNo;
    process.stdout.write(`${JSON.stringify({ order: order.orderNo })}\n`);
    return order.orderNo;
  };

  if (mode === 'run') {
    const scenario = values.scenario;
    const amountFen = Number(values.amount);
    if (scenario === 'ic' || scenario === 'ic-refund') {
      // A citizen with a pending slip finishes it first (the card is in the reader).
      out.finished = await finishPendingCards();
      const read = await attempt('readCard', () => engine.readCard({ timeoutMs: 5000 }));
      const no = typeof read === 'string' ? ((out.refused = read), null) : await topUp(amountFen, true);
      if (no === null) return finish(out);
      await settlePayment(config.upstream.baseUrl, no, 'pay');
      const rest = await engine.waitForRest(no);
      if (rest.state === 'credited') await engine.printSlip(no);
      if (scenario === 'ic-refund' && rest.state === 'credit_pending') out.refund = await operatorRefunds();
    } else if (scenario === 'iot' || scenario === 'iot-refund') {
      const no = await topUp(amountFen, false);
      if (no === null) return finish(out);
      await settlePayment(config.upstream.baseUrl, no, 'pay');
      const rest = await engine.waitForRest(no);
      if (rest.state === 'credited') await engine.printSlip(no);
      // The operator at the maintenance panel, while the credit's outcome is unknown or refused.
      if (scenario === 'iot-refund' && rest.state === 'credit_pending') out.refund = await operatorRefunds();
    } else if (scenario === 'abandon') {
      const no = await topUp(amountFen, false);
      if (no === null) return finish(out);
      if (values.variant === 'payerror') {
        await settlePayment(config.upstream.baseUrl, no, 'fail');
        await engine.waitForRest(no);
      } else {
        await engine.cancel(no);
        await engine.waitForRest(no);
      }
    } else {
      throw new Error(`unknown scenario ${scenario}`);
    }
    if (typeof out.orderNo === 'string') out.state = engine.view(out.orderNo).state;
  } else if (mode === 'recover') {
    await engine.runRetryPass();
    out.finished = await finishPendingCards();
    if (values['operator-refunds']) out.refunds = await operatorRefunds();
  } else if (mode === 'finish') {
    const done: string[] = [];
    for (const no of (values.orders ?? '').split(',').filter(Boolean)) {
      const r = await attempt('finishPending', () => engine.finishPending(no));
      done.push(`${no}:${typeof r === 'string' ? r : r.order.state}`);
    }
    out.finished = done;
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  await finish(out);
}

main().catch((err: unknown) => {
  process.stderr.write(`agent-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
