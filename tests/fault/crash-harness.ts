/**
 * Crash campaign: runs the agent (agent-child.ts) as a separate process, kills it with SIGKILL at
 * a journal step or at a random moment, restarts it so recovery runs, lets a citizen finish
 * pending card top-ups (补写卡), and checks against the sandbox (provider bill, gas ledger) and
 * the simulated card what must always hold:
 *
 *   - every payment the provider recorded as successful is credited exactly once, or its order
 *     is in credit_pending / needs_attention (then nothing was credited);
 *   - nothing is credited without a successful payment;
 *   - no order is refunded whose credit landed (the refund happened while the outcome was unknown).
 *
 * Used by crash.test.ts (each journal step once, in `npm test`) and run-crash-campaign.ts (≥ 200
 * runs, `npm run test:fault`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { projectRoot } from '../../device-agent/src/config/load.js';
import type { CommitPoint } from '../../device-agent/src/gas/journal.js';
import { creditedStates, pendingStates, type OrderState } from '../../device-agent/src/gas/states.js';
import { startSandbox, type SandboxHandle } from '../../device-agent/src/sandbox/server.js';
import { DEMO_GAS_ACCOUNTS } from '../../device-agent/src/sandbox/synthetic.js';
import { createServices, type Services } from '../../device-agent/src/services/index.js';
import { createGasCardSimulator, type GasCardSimulator } from '../../simulators/gascard/index.js';

export type Scenario = 'iot' | 'ic' | 'iot-refund';

export interface CrashPlan {
  scenario: Scenario;
  /** Kill right after this journal commit of the run's order. */
  crashAt?: CommitPoint;
  /** Or kill this many ms after the agent said it is ready (its start-up recovery done). */
  killAfterMs?: number;
  /** Or kill this many ms after spawning: lands in start-up or in start-up recovery. */
  killAfterSpawnMs?: number;
  /** Crash the start-up recovery of this run at this point (any order), before the top-up. */
  recoverCrashAt?: CommitPoint;
}

/** The journal points of each scenario's normal path, in order. */
export const scenarioPoints: Record<Scenario, CommitPoint[]> = {
  iot: ['state:created', 'state:awaiting_payment', 'step:payment_created', 'state:paid', 'state:crediting', 'state:credited', 'state:receipt_printed', 'state:done'],
  ic: [
    'state:created',
    'state:awaiting_payment',
    'step:payment_created',
    'state:paid',
    'state:crediting',
    'step:purchase_recorded',
    'step:card_write',
    'step:card_written',
    'state:credited',
    'state:receipt_printed',
    'state:done',
  ],
  'iot-refund': [
    'state:created',
    'state:awaiting_payment',
    'step:payment_created',
    'state:paid',
    'state:crediting',
    'state:credit_pending',
    'state:refund_requested',
    'state:refunded',
  ],
};

export interface Violations {
  lost: number;
  doubleCredited: number;
  creditedWithoutPayment: number;
  refundedAfterCredit: number;
  /** Credited once but the journal says otherwise, orders left unfinished, counters disagreeing. */
  inconsistent: number;
  problems: string[];
  paid: number;
  pending: number;
}

export interface Lane {
  index: number;
  /** The bundled agent-child.mjs. */
  script: string;
  kioskId: string;
  dir: string;
  sandbox: SandboxHandle;
  sim: GasCardSimulator;
  services: Services;
  agentPath: string;
  close(): Promise<void>;
}

const CHILD = join(projectRoot, 'tests/fault/agent-child.ts');
/**
 * The child is bundled once per campaign (esbuild, dependencies left in node_modules), so each of
 * the hundreds of restarts costs a plain `node` start instead of a TypeScript loader's.
 */
async function bundleChild(outdir: string): Promise<string> {
  await build({
    absWorkingDir: projectRoot,
    entryPoints: { 'agent-child': CHILD },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return join(outdir, 'agent-child.mjs');
}

export async function createLane(index: number, baseDir: string, script: string): Promise<Lane> {
  const dir = join(baseDir, `lane-${index}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'sandbox'), asOf: '2026-06-30' });
  const agentPath = join(dir, 'gascard');
  const sim = createGasCardSimulator({ agentPath, devicePath: join(dir, 'gascard-dev'), latency: { status: 1, read: 5, write: 30 } });
  await sim.start();
  const kioskId = `CRASH-LANE-${index}`;
  const services = createServices({ baseUrl: sandbox.url, timeoutMs: 3000, kioskId, breaker: { failureThreshold: 10_000 } });
  return {
    index,
    script,
    kioskId,
    dir,
    sandbox,
    sim,
    services,
    agentPath,
    async close() {
      await sim.stop();
      await sandbox.close();
    },
  };
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

async function runChild(lane: Lane, args: string[], kill: { afterReadyMs?: number; afterSpawnMs?: number } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [lane.script, '--data', join(lane.dir, 'agent'), '--sandbox', lane.sandbox.url, '--gascard', lane.agentPath, '--kiosk', lane.kioskId, ...args],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    const timers: NodeJS.Timeout[] = [];
    const killLater = (ms: number): void => void timers.push(setTimeout(() => child.kill('SIGKILL'), ms));
    child.stdout.on('data', (d: Buffer) => {
      const first = !stdout.includes('"ready"');
      stdout += d.toString();
      if (first && stdout.includes('"ready"') && kill.afterReadyMs !== undefined) killLater(kill.afterReadyMs);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    if (kill.afterSpawnMs !== undefined) killLater(kill.afterSpawnMs);
    killLater(90_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      timers.forEach(clearTimeout);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function fail(what: string, r: ChildResult): Error {
  return new Error(`${what}: exit ${r.code ?? r.signal}\n${r.stderr.slice(-2000)}`);
}

async function fault(lane: Lane, spec: Record<string, unknown>): Promise<void> {
  await fetch(`${lane.sandbox.url}/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
}

async function clearFaults(lane: Lane): Promise<void> {
  await fetch(`${lane.sandbox.url}/admin/faults`, { method: 'DELETE' });
}

interface JournalRow {
  order_no: string;
  state: OrderState;
  meter_type: 'iot' | 'ic-card';
  session_id: string | null;
}

function journal(lane: Lane): JournalRow[] {
  let db: Database.Database;
  try {
    db = new Database(join(lane.dir, 'agent', 'agent.db'), { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    return db.prepare('SELECT order_no, state, meter_type, session_id FROM gas_orders').all() as JournalRow[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

let runCounter = 0;

/**
 * One run: a fresh agent process recovers whatever the previous crash left (its start() resolves
 * only after recovery), then serves one top-up, and is killed at the planned moment.
 */
export async function runOne(lane: Lane, plan: CrashPlan): Promise<{ crashed: boolean; detail: string }> {
  const tag = `run-${lane.index}-${++runCounter}`;
  // The citizen's card sits in the reader for card top-ups (and for 补写卡 of earlier ones).
  if (plan.scenario === 'ic') lane.sim.insertCard({ profile: 'icCard' });
  else lane.sim.removeCard();
  if (plan.scenario === 'iot-refund') await fault(lane, { operation: 'gas.iot.credit', kind: 'error', status: 409, count: 1000 });
  const args = ['--mode', 'run', '--scenario', plan.scenario, '--tag', tag, '--amount', plan.scenario === 'ic' ? '1000' : '2000'];
  if (plan.crashAt) args.push('--crash-at', plan.crashAt);
  if (plan.recoverCrashAt) args.push('--recover-crash-at', plan.recoverCrashAt);
  const run = await runChild(lane, args, {
    ...(plan.killAfterMs !== undefined ? { afterReadyMs: plan.killAfterMs } : {}),
    ...(plan.killAfterSpawnMs !== undefined ? { afterSpawnMs: plan.killAfterSpawnMs } : {}),
  });
  await clearFaults(lane);
  const crashed = run.signal === 'SIGKILL';
  if (!crashed && run.code !== 0) throw fail(`run ${tag} (${JSON.stringify(plan)})`, run);
  const what = plan.crashAt ?? (plan.killAfterMs !== undefined ? `ready+${plan.killAfterMs}ms` : plan.killAfterSpawnMs !== undefined ? `spawn+${plan.killAfterSpawnMs}ms` : 'no crash');
  return { crashed, detail: `${plan.scenario}@${what}${plan.recoverCrashAt ? ` (recovery crash at ${plan.recoverCrashAt})` : ''}` };
}

/** The last restart: recovery, a retry pass, and 补写卡 with the card for any pending card order. */
export async function finalRecovery(lane: Lane): Promise<void> {
  lane.sim.insertCard({ profile: 'icCard' });
  const r = await runChild(lane, ['--mode', 'recover']);
  if (r.code !== 0) throw fail('final recovery', r);
}

const chinaToday = (): string => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** The invariant, from the sandbox's and the card's point of view. */
export async function checkInvariant(lane: Lane): Promise<Violations> {
  const v: Violations = { lost: 0, doubleCredited: 0, creditedWithoutPayment: 0, refundedAfterCredit: 0, inconsistent: 0, problems: [], paid: 0, pending: 0 };
  const today = chinaToday();
  const yesterday = new Date(Date.parse(`${today}T00:00:00+08:00`) - 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10);
  const bills = await Promise.all([yesterday, today].map((d) => lane.services.payment.bill(d)));
  const ledgers = await Promise.all([yesterday, today].map((d) => lane.services.gas.ledger(d)));
  const rows = bills.flatMap((b) => b.rows).filter((r) => r.kioskId === lane.kioskId);
  const entries = ledgers.flatMap((l) => l.entries).filter((e) => e.kioskId === lane.kioskId);
  const paid = new Map(rows.filter((r) => r.type === 'payment').map((r) => [r.outTradeNo, r]));
  const refunded = new Set(rows.filter((r) => r.type === 'refund').map((r) => r.outTradeNo));
  const jrows = new Map(journal(lane).map((o) => [o.order_no, o]));
  const cards = [...lane.sim.wallet.values()];
  const writes = new Map<string, number>();
  for (const c of cards) for (const w of c.writes) writes.set(w.serialNo, (writes.get(w.serialNo) ?? 0) + 1);

  for (const [no, p] of paid) {
    v.paid += 1;
    const j = jrows.get(no);
    const meter = j?.meter_type ?? (entries.find((e) => e.serialNo === no)?.kind === 'ic_purchase' ? 'ic-card' : 'iot');
    const delivered =
      meter === 'iot'
        ? entries.filter((e) => e.kind === 'iot_credit' && (e.serialNo === no || e.paymentOrderNo === p.orderId)).length
        : (writes.get(no) ?? 0);
    const state = j?.state ?? 'missing';
    if (delivered > 1) {
      v.doubleCredited += 1;
      v.problems.push(`${no}: delivered ${delivered} times (journal ${state})`);
    } else if (delivered === 1) {
      if (refunded.has(no)) {
        v.refundedAfterCredit += 1;
        v.problems.push(`${no}: credited and refunded`);
      } else if (!creditedStates.includes(state as OrderState)) {
        v.inconsistent += 1;
        v.problems.push(`${no}: credited once but the journal says ${state}`);
      }
    } else if (refunded.has(no)) {
      if (state !== 'refunded') {
        v.inconsistent += 1;
        v.problems.push(`${no}: refunded at the provider but the journal says ${state}`);
      }
    } else if (pendingStates.includes(state as OrderState)) {
      v.pending += 1;
    } else {
      v.lost += 1;
      v.problems.push(`${no}: paid, not credited, journal ${state}`);
    }
  }
  // Nothing credited without a successful payment.
  for (const e of entries) {
    if (e.kind === 'iot_credit' && !paid.has(e.serialNo)) {
      v.creditedWithoutPayment += 1;
      v.problems.push(`${e.serialNo}: credited without a payment`);
    }
  }
  for (const [serial, n] of writes) {
    if (!paid.has(serial)) {
      v.creditedWithoutPayment += n;
      v.problems.push(`${serial}: written to the card without a payment`);
    }
  }
  // Every order rests: final, or pending for a person.
  for (const j of jrows.values()) {
    if (!['done', 'payment_expired', 'payment_closed', 'refunded', 'credit_pending', 'needs_attention'].includes(j.state)) {
      v.inconsistent += 1;
      v.problems.push(`${j.order_no}: left in ${j.state}`);
    }
  }
  // The card's purchase counter and the gas company's agree (every write was reported).
  const ic = cards.find((c) => c.cardNo === DEMO_GAS_ACCOUNTS.icCard.cardNo);
  if (ic) {
    const account = await lane.services.gas.lookupAccount({ accountNo: DEMO_GAS_ACCOUNTS.icCard.accountNo });
    if (account.purchaseCount !== ic.purchaseCount) {
      v.inconsistent += 1;
      v.problems.push(`card counter ${ic.purchaseCount} but the gas company has ${account.purchaseCount}`);
    }
  }
  return v;
}

export interface CampaignResult {
  runs: number;
  crashes: number;
  violations: Violations;
  line: string;
  ok: boolean;
}

/** Runs plans spread over `lanes` independent kiosks (own sandbox, card, journal) in parallel. */
export async function runCampaign(opts: {
  plans: CrashPlan[];
  lanes: number;
  baseDir: string;
  log?: (line: string) => void;
}): Promise<CampaignResult> {
  // Inside the project so the bundle resolves node_modules; removed again at the end.
  const bundleDir = join(projectRoot, 'test-artifacts', 'fault', `child-${process.pid}-${Date.now()}`);
  const script = await bundleChild(bundleDir);
  const lanes = await Promise.all(Array.from({ length: opts.lanes }, (_, i) => createLane(i, opts.baseDir, script)));
  let crashes = 0;
  let done = 0;
  const queue = [...opts.plans];
  try {
    await Promise.all(
      lanes.map(async (lane) => {
        for (;;) {
          const plan = queue.shift();
          if (!plan) return;
          const r = await runOne(lane, plan);
          if (r.crashed) crashes += 1;
          done += 1;
          opts.log?.(`[${done}/${opts.plans.length}] lane ${lane.index} ${r.detail} ${r.crashed ? 'crashed' : 'completed'}`);
        }
      }),
    );
    const total: Violations = { lost: 0, doubleCredited: 0, creditedWithoutPayment: 0, refundedAfterCredit: 0, inconsistent: 0, problems: [], paid: 0, pending: 0 };
    await Promise.all(lanes.map((lane) => finalRecovery(lane)));
    for (const lane of lanes) {
      const v = await checkInvariant(lane);
      for (const k of ['lost', 'doubleCredited', 'creditedWithoutPayment', 'refundedAfterCredit', 'inconsistent', 'paid', 'pending'] as const) total[k] += v[k];
      total.problems.push(...v.problems.map((p) => `lane ${lane.index}: ${p}`));
    }
    const ok =
      total.lost === 0 && total.doubleCredited === 0 && total.creditedWithoutPayment === 0 && total.refundedAfterCredit === 0 && total.inconsistent === 0;
    const line = `${crashes} crashes, ${total.lost} lost, ${total.doubleCredited} double-credited`;
    return { runs: opts.plans.length, crashes, violations: total, line, ok };
  } finally {
    await Promise.all(lanes.map((l) => l.close().catch(() => undefined)));
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

/** Every journal step of every scenario once. */
export function everyStepPlans(): CrashPlan[] {
  return (Object.keys(scenarioPoints) as Scenario[]).flatMap((scenario) => scenarioPoints[scenario].map((crashAt) => ({ scenario, crashAt })));
}

/** Deterministic pseudo-random plans: journal steps, crashes during recovery, and kills at random times. */
export function randomPlans(n: number, seed: number): CrashPlan[] {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const scenarios: Scenario[] = ['iot', 'ic', 'iot-refund'];
  const plans: CrashPlan[] = [];
  for (let i = 0; i < n; i++) {
    const scenario = scenarios[Math.floor(rnd() * scenarios.length)] as Scenario;
    const points = scenarioPoints[scenario];
    const kind = rnd();
    if (kind < 0.45) {
      plans.push({ scenario, crashAt: points[Math.floor(rnd() * points.length)] as CommitPoint });
    } else if (kind < 0.6) {
      plans.push({
        scenario,
        crashAt: points[Math.floor(rnd() * points.length)] as CommitPoint,
        recoverCrashAt: (['state:crediting', 'state:credited', 'state:done', 'step:card_write', 'step:card_written', 'state:payment_closed', 'state:refunded'] as const)[
          Math.floor(rnd() * 7)
        ] as CommitPoint,
      });
    } else if (kind < 0.9) {
      // A run takes a few hundred ms after the agent is up: kill anywhere in it.
      plans.push({ scenario, killAfterMs: Math.floor(rnd() * 900) });
    } else {
      // Around start-up, i.e. possibly in the middle of recovering the previous crash.
      plans.push({ scenario, crashAt: points[Math.floor(rnd() * points.length)] as CommitPoint, killAfterSpawnMs: Math.floor(300 + rnd() * 2500) });
    }
  }
  return plans;
}
