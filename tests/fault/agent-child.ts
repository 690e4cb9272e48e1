/**
 * The agent process the crash test kills: a real agent (SQLite journal, WAL, synchronous FULL)
 * with the gas module and the production gas card driver on a pty the parent's simulator serves.
 * It kills itself with SIGKILL right after committing the journal point named by --crash-at
 * (test-only hook through createGasModuleWith's onJournalCommit), or the parent kills it at a
 * random moment.
 *
 *   --mode run      start (start-up recovery of what the last crash left), then one top-up
 *                   (--scenario iot | ic | iot-refund) as a citizen (and for iot-refund an
 *                   operator) would drive it; a card top-up first finishes pending ones (补写卡)
 *   --mode recover  start, one retry pass, 补写卡 for pending card orders, clean stop
 *
 * --crash-at fires for the run's own order after start; --recover-crash-at fires for any order
 * during start-up recovery. Prints {"ready": true} once started, {"ok": true, ...} at a clean end.
 */
import { EventEmitter } from 'node:events';
import { parseArgs } from 'node:util';
import { startAgent } from '../../device-agent/src/agent.js';
import { defaultConfigPath, loadConfig } from '../../device-agent/src/config/load.js';
import { createGasCardDriver } from '../../device-agent/src/devices/gascard/driver.js';
import type { PrintResult } from '../../device-agent/src/devices/printer/driver.js';
import type { DeviceStatus } from '../../device-agent/src/devices/status.js';
import type { SlipPrinter } from '../../device-agent/src/gas/engine.js';
import { createGasModuleWith, getGasApi } from '../../device-agent/src/gas/module.js';
import { silentLogger } from '../../device-agent/src/log.js';
import { settlePayment } from '../../device-agent/src/sandbox/payments-control.js';
import { DEMO_GAS_ACCOUNTS } from '../../device-agent/src/sandbox/synthetic.js';

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
          if (!started ? point === recoverCrashAt : point === crashAt && order.sessionId === tag) process.kill(process.pid, 'SIGKILL');
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
  const finishPendingCards = async (): Promise<string[]> => {
    const done: string[] = [];
    for (const o of engine.journal.pending()) {
      if (o.meterType !== 'ic-card') continue;
      const r = await engine.finishPending(o.orderNo);
      if (r.order.state === 'credited') await engine.printSlip(o.orderNo);
      done.push(`${o.orderNo}:${r.order.state}`);
    }
    return done;
  };

  if (mode === 'run') {
    const scenario = values.scenario;
    const amountFen = Number(values.amount);
    if (scenario === 'ic') {
      // A citizen with a pending slip finishes it first (the card is in the reader).
      out.finished = await finishPendingCards();
      await engine.readCard({ timeoutMs: 5000 });
      const { order } = await engine.createOrder({ amountFen, sessionId: tag });
      out.orderNo = order.orderNo;
      await settlePayment(config.upstream.baseUrl, order.orderNo, 'pay');
      const rest = await engine.waitForRest(order.orderNo);
      if (rest.state === 'credited') await engine.printSlip(order.orderNo);
    } else {
      const { order } = await engine.createOrder({ accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo, amountFen, sessionId: tag });
      out.orderNo = order.orderNo;
      await settlePayment(config.upstream.baseUrl, order.orderNo, 'pay');
      const rest = await engine.waitForRest(order.orderNo);
      if (rest.state === 'credited') await engine.printSlip(order.orderNo);
      if (scenario === 'iot-refund' && rest.state === 'credit_pending') {
        // The operator at the maintenance panel, after the gas company rejected the credit.
        await engine.requestRefund(order.orderNo, 'crash test: credit rejected', 'operator');
      }
    }
    out.state = engine.view(out.orderNo as string).state;
  } else if (mode === 'recover') {
    await engine.runRetryPass();
    out.finished = await finishPendingCards();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  out.counts = engine.counts();
  await agent.stop();
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`agent-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
