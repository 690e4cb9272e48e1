/**
 * Crash campaign: runs the agent (agent-child.ts) as a separate process against its own sandbox
 * (through a kill proxy) and simulated gas card, SIGKILLs it — at a journal point the child
 * reports, at a random moment, or in a DANGEROUS WINDOW (an upstream applied a money step and the
 * kiosk has not journaled it: IoT credit, IC purchase, card write, void, refund) — restarts it so
 * recovery runs, lets the upstreams misbehave (answers lost, credits landing after the client's
 * timeout, torn card writes, payments landing while or after the kiosk closes the order), and at
 * the end checks the invariant against the upstreams' own records (invariant.ts).
 *
 * A run counts as a CRASH only when this harness SIGKILLed the agent. A run whose agent exited on
 * its own is not a crash; a run that hangs (no exit within the watchdog) is a failure.
 *
 * Used by crash.test.ts (short) and run-crash-campaign.ts (`npm run test:fault`, ≥ 200 crashes,
 * every window ≥ 20, and `--mutants`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build, type Plugin } from 'esbuild';
import { externalDependencies } from '../../scripts/external-dependencies.mjs';
import { projectRoot } from '@kiosk/kiosk-config';
import type { CommitPoint } from '../../apps/agent/src/gas/journal.js';
import { listOpenPayments, settlePayment } from '../../apps/simulators/src/payments-control.js';
import { startSandbox, type SandboxHandle } from '../../apps/sandbox/src/server.js';
import { createServices, type Services } from '../../apps/agent/src/services/index.js';
import { createGasCardSimulator, type GasCardSimulator } from '../../apps/simulators/src/gascard/index.js';
import { addViolations, checkInvariant, emptyViolations, type Violations } from './invariant.js';
import { startKillProxy, type KillProxy, type UpstreamWindow } from './kill-proxy.js';

export type Scenario = 'iot' | 'ic' | 'iot-refund' | 'ic-refund' | 'abandon';
/** Upstream applied, kiosk not yet journaled. */
export const windowNames = ['iot-credit', 'ic-purchase', 'card-write', 'refund', 'void'] as const;
export type Window = (typeof windowNames)[number];
/** How the gas company treats the run's credit / purchase. */
export type UpstreamFault = 'answer-lost' | 'answer-late' | 'late' | 'rejected';
/** How the card treats the run's write. */
export type CardFault = 'torn-write' | 'removed-mid-write' | 'removed-after-write' | 'write-no-reply';

export interface CrashPlan {
  scenario: Scenario;
  /** abandon: the provider reports PAYERROR, or the citizen cancels. */
  variant?: 'payerror' | 'cancel';
  /** Kill when the child reports this journal commit of the run's order. */
  crashAt?: CommitPoint;
  /** Kill when the child reports this journal commit of any order during start-up recovery. */
  recoverCrashAt?: CommitPoint;
  /** Kill this many ms after the agent said it is ready (its start-up recovery done). */
  killAfterMs?: number;
  /** Kill this many ms after spawning: lands in start-up or in start-up recovery. */
  killAfterSpawnMs?: number;
  /** Kill the first time this window opens during the run. */
  window?: Window;
  upstreamFault?: UpstreamFault;
  cardFault?: CardFault;
  /**
   * The card in the reader (default icCard). Torn-write plans use icCardNew: a torn order stays
   * with a person and its purchase keeps that account blocked (PENDING_CARD_WRITE), so it must
   * not be the account the other card runs use.
   */
  card?: 'icCard' | 'icCardNew';
  /** A citizen pays the order late: after the run (any order the provider still holds open), or while the kiosk's close is on its way. */
  latePay?: 'after' | 'during-close';
  /** The gas company's answer to the (first) void is lost. */
  voidUnknown?: boolean;
}

/** The journal points of each scenario's normal path, in order. */
export const scenarioPoints: Record<Scenario, CommitPoint[]> = {
  iot: [
    'state:created',
    'state:awaiting_payment',
    'step:payment_created',
    'state:paid',
    'state:crediting',
    'state:credited',
    'state:receipt_printed',
    'state:done',
  ],
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
  'iot-refund': ['state:paid', 'state:crediting', 'state:credit_pending', 'state:refund_requested', 'state:refunded'],
  'ic-refund': ['state:paid', 'state:crediting', 'state:credit_pending', 'state:refund_requested', 'state:refunded'],
  abandon: ['state:created', 'state:awaiting_payment', 'step:payment_created', 'state:payment_closed'],
};

/** A named text patch of one source file; it must match exactly once (mutants.ts). */
export interface SourcePatch {
  file: string;
  find: string;
  replace: string;
}

export interface Lane {
  index: number;
  script: string;
  kioskId: string;
  dir: string;
  sandbox: SandboxHandle;
  proxy: KillProxy;
  sim: GasCardSimulator;
  services: Services;
  agentPath: string;
  /** The window the current run wants to be killed in. */
  armed: Window | undefined;
  current: RunningChild | undefined;
  close(): Promise<void>;
}

interface RunningChild {
  child: ChildProcess;
  killReason: string | undefined;
  exited: boolean;
}

const CHILD = join(projectRoot, 'tests/fault/agent-child.ts');
/** A run that has not ended after this long is hung (a failure, not a crash). */
const HANG_MS = Number(process.env.KIOSK_FAULT_HANG_MS ?? 90_000);
/**
 * A credit that lands late: the child's client gives up after 3 attempts of 2 s (with backoff,
 * ~6.5 s) and then asks by serial number; every attempt is held this long before the gas company
 * applies it, so the first one lands after the kiosk concluded "unknown".
 */
export const LATE_MS = 8000;

/** Throws unless every patch matches its file exactly once (checked before any campaign runs). */
export function checkPatches(patches: readonly SourcePatch[]): void {
  for (const p of patches) {
    const src = readFileSync(resolve(projectRoot, p.file), 'utf8');
    const n = src.split(p.find).length - 1;
    if (n !== 1)
      throw new Error(
        `mutant patch for ${p.file} matches ${n} times (must be exactly once): ${JSON.stringify(p.find.slice(0, 80))}`,
      );
  }
}

/**
 * Applies patches to the sources the bundle reads; each must match exactly once, so a refactor
 * that moves the code makes the runner fail loudly instead of silently testing nothing.
 */
export function patchPlugin(patches: readonly SourcePatch[]): Plugin {
  const byFile = new Map<string, SourcePatch[]>();
  for (const p of patches) {
    const abs = resolve(projectRoot, p.file);
    byFile.set(abs, [...(byFile.get(abs) ?? []), p]);
  }
  const seen = new Set<string>();
  return {
    name: 'mutant-patches',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const mine = byFile.get(args.path);
        if (!mine) return undefined;
        seen.add(args.path);
        let src = readFileSync(args.path, 'utf8');
        for (const p of mine) {
          const n = src.split(p.find).length - 1;
          if (n !== 1)
            throw new Error(
              `mutant patch for ${p.file} matches ${n} times (must be exactly once): ${JSON.stringify(p.find.slice(0, 80))}`,
            );
          src = src.replace(p.find, () => p.replace);
        }
        return { contents: src, loader: 'ts' };
      });
      b.onEnd(() => {
        const missing = [...byFile.keys()].filter((f) => !seen.has(f));
        if (missing.length > 0) throw new Error(`mutant patch targets a file the agent does not load: ${missing.join(', ')}`);
      });
    },
  };
}

/**
 * The child is bundled once per campaign (esbuild, dependencies left in node_modules), so each of
 * the hundreds of restarts costs a plain `node` start instead of a TypeScript loader's.
 */
export async function bundleChild(outdir: string, patches: readonly SourcePatch[] = []): Promise<string> {
  const r = await build({
    absWorkingDir: projectRoot,
    entryPoints: { 'agent-child': CHILD },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    plugins: patches.length > 0 ? [externalDependencies, patchPlugin(patches)] : [externalDependencies],
  });
  if (r.errors.length > 0) throw new Error(r.errors.map((e) => e.text).join('\n'));
  return join(outdir, 'agent-child.mjs');
}

export async function createLane(index: number, baseDir: string, script: string): Promise<Lane> {
  const dir = join(baseDir, `lane-${index}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'sandbox'), asOf: '2026-06-30' });
  const proxy = await startKillProxy(sandbox.url);
  const agentPath = join(dir, 'gascard');
  const sim = createGasCardSimulator({
    agentPath,
    devicePath: join(dir, 'gascard-dev'),
    latency: { status: 1, read: 5, write: 30 },
  });
  await sim.start();
  const kioskId = `CRASH-LANE-${index}`;
  const services = createServices({ baseUrl: sandbox.url, timeoutMs: 5000, kioskId, breaker: { failureThreshold: 10_000 } });
  const lane: Lane = {
    index,
    script,
    kioskId,
    dir,
    sandbox,
    proxy,
    sim,
    services,
    agentPath,
    armed: undefined,
    current: undefined,
    async close() {
      await sim.stop();
      await proxy.close();
      await sandbox.close();
    },
  };
  const killIn = (w: Window): boolean => {
    if (lane.armed !== w) return false;
    lane.armed = undefined;
    return killNow(lane, `window:${w}`);
  };
  proxy.hooks.onApplied = (w: UpstreamWindow) => killIn(w);
  sim.onCardWrite = (e) => {
    if (e.kind === 'write') killIn('card-write');
  };
  return lane;
}

function killNow(lane: Lane, reason: string): boolean {
  const c = lane.current;
  if (!c || c.exited || c.killReason !== undefined) return false;
  c.killReason = reason;
  c.child.kill('SIGKILL');
  return true;
}

export interface RunOutcome {
  kind: 'crash' | 'exited' | 'hung' | 'error';
  /** What killed it (crash), or why it failed. */
  reason: string;
  detail: string;
}

async function runChild(
  lane: Lane,
  args: string[],
  kill: { afterReadyMs?: number; afterSpawnMs?: number } = {},
): Promise<RunOutcome> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(
      process.execPath,
      [
        lane.script,
        '--data',
        join(lane.dir, 'agent'),
        '--sandbox',
        lane.proxy.url,
        '--gascard',
        lane.agentPath,
        '--kiosk',
        lane.kioskId,
        ...args,
      ],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const running: RunningChild = { child, killReason: undefined, exited: false };
    lane.current = running;
    let stdout = '';
    let stderr = '';
    let hung = false;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, fn: () => void): void => void timers.push(setTimeout(fn, ms));
    child.stdout.on('data', (d: Buffer) => {
      const wasReady = stdout.includes('"ready"');
      stdout += d.toString();
      const point = /"crashPoint":"([^"]+)"/.exec(stdout);
      if (point) killNow(lane, `journal:${point[1]}`);
      if (!wasReady && stdout.includes('"ready"') && kill.afterReadyMs !== undefined)
        later(kill.afterReadyMs, () => killNow(lane, `ready+${kill.afterReadyMs}ms`));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    if (kill.afterSpawnMs !== undefined) later(kill.afterSpawnMs, () => killNow(lane, `spawn+${kill.afterSpawnMs}ms`));
    later(HANG_MS, () => {
      if (running.exited) return;
      hung = true;
      running.killReason = 'hung';
      child.kill('SIGKILL');
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      running.exited = true;
      if (lane.current === running) lane.current = undefined;
      timers.forEach(clearTimeout);
      const tail = stderr.slice(-1500).trim();
      if (hung)
        resolveRun({ kind: 'hung', reason: 'hung', detail: `no exit within ${HANG_MS} ms; stdout: ${stdout.slice(-500)}` });
      else if (signal === 'SIGKILL' && running.killReason !== undefined)
        resolveRun({ kind: 'crash', reason: running.killReason, detail: '' });
      else if (code === 0) resolveRun({ kind: 'exited', reason: 'exited', detail: '' });
      else resolveRun({ kind: 'error', reason: `exit ${code ?? signal}`, detail: tail });
    });
  });
}

/** The sandbox's named money misbehaviours (docs/gas.md, top note). */
async function moneyFault(lane: Lane, spec: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${lane.sandbox.url}/admin/money-faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (!res.ok) throw new Error(`sandbox refused money fault ${JSON.stringify(spec)}: ${res.status} ${await res.text()}`);
}

async function clearFaults(lane: Lane): Promise<void> {
  await fetch(`${lane.sandbox.url}/admin/faults`, { method: 'DELETE' });
  await fetch(`${lane.sandbox.url}/admin/money-faults`, { method: 'DELETE' });
  lane.sim.clearFaults();
}

/** Waits until every credit the sandbox holds back (credit_late) has landed or been refused. */
async function heldCallsLanded(lane: Lane): Promise<void> {
  const until = Date.now() + LATE_MS * 4;
  while (Date.now() < until) {
    const s = (await (await fetch(`${lane.sandbox.url}/admin/money-faults`)).json()) as { heldCalls: number };
    if (s.heldCalls === 0) return;
    await sleep(100);
  }
  throw new Error(`lane ${lane.index}: late credits still held after ${LATE_MS * 4} ms`);
}

/** A citizen pays every order the provider still holds open (an order the kiosk gave up on without closing it). */
async function payOpenOrders(lane: Lane): Promise<number> {
  let n = 0;
  for (const o of await listOpenPayments(lane.sandbox.url)) {
    try {
      await settlePayment(lane.sandbox.url, o.orderId, 'pay');
      n += 1;
    } catch {
      // Closed in the meantime.
    }
  }
  return n;
}

async function applyPlanFaults(lane: Lane, plan: CrashPlan): Promise<void> {
  const card = plan.scenario === 'ic' || plan.scenario === 'ic-refund';
  const target = card ? 'ic' : 'iot';
  switch (plan.upstreamFault) {
    case 'answer-lost':
      await moneyFault(lane, { mode: 'credit_answer_lost', count: 1, target });
      break;
    case 'answer-late':
      // Applied at once, the answer held past the client's retries: the kiosk must ask by serial.
      await moneyFault(lane, { mode: 'credit_answer_late', delayMs: LATE_MS, count: 1, target });
      break;
    case 'late':
      // Every attempt of the client's retries is held, so the first lands after the kiosk gave up.
      await moneyFault(lane, { mode: 'credit_late', delayMs: LATE_MS, count: 3, target });
      break;
    case 'rejected': {
      const spec = { operation: card ? 'gas.ic.purchase' : 'gas.iot.credit', kind: 'error', status: 409, count: 1000 };
      const res = await fetch(`${lane.sandbox.url}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spec),
      });
      if (!res.ok) throw new Error(`sandbox refused fault ${JSON.stringify(spec)}: ${res.status}`);
      break;
    }
    default:
      break;
  }
  if (plan.voidUnknown) await moneyFault(lane, { mode: 'void_unknown', count: 1, applied: false });
  if (plan.latePay === 'during-close') await moneyFault(lane, { mode: 'pay_during_close', count: 1 });
  switch (plan.cardFault) {
    case 'torn-write':
      lane.sim.injectFault({ kind: 'torn-write' });
      break;
    case 'removed-mid-write':
      lane.sim.injectFault({ kind: 'removed-mid-write', applied: false });
      break;
    case 'removed-after-write':
      lane.sim.injectFault({ kind: 'removed-mid-write', applied: true });
      break;
    case 'write-no-reply':
      lane.sim.injectFault({ kind: 'write-no-reply', applied: true });
      break;
    default:
      break;
  }
}

let runCounter = 0;

export function describePlan(plan: CrashPlan): string {
  const kill = plan.window
    ? `window:${plan.window}`
    : plan.crashAt
      ? plan.crashAt
      : plan.killAfterMs !== undefined
        ? `ready+${plan.killAfterMs}ms`
        : plan.killAfterSpawnMs !== undefined
          ? `spawn+${plan.killAfterSpawnMs}ms`
          : 'no kill';
  const extras = [
    plan.variant,
    plan.upstreamFault,
    plan.cardFault,
    plan.voidUnknown ? 'void-unknown' : undefined,
    plan.latePay ? `late-pay:${plan.latePay}` : undefined,
    plan.recoverCrashAt ? `recovery@${plan.recoverCrashAt}` : undefined,
  ].filter(Boolean);
  return `${plan.scenario}@${kill}${extras.length ? ` [${extras.join(', ')}]` : ''}`;
}

/**
 * One run: a fresh agent process recovers whatever the previous crash left (its start() resolves
 * only after recovery), then serves one top-up (or abandons one), and is killed as planned.
 */
export async function runOne(lane: Lane, plan: CrashPlan): Promise<RunOutcome> {
  const tag = `run-${lane.index}-${++runCounter}`;
  const card = plan.scenario === 'ic' || plan.scenario === 'ic-refund';
  // The citizen's card sits in the reader for card top-ups (and for 补写卡 of earlier ones).
  if (card) lane.sim.insertCard({ profile: plan.card ?? 'icCard' });
  else lane.sim.removeCard();
  await applyPlanFaults(lane, plan);
  lane.armed = plan.window;
  const args = ['--mode', 'run', '--scenario', plan.scenario, '--tag', tag, '--amount', card ? '1000' : '2000'];
  if (plan.variant) args.push('--variant', plan.variant);
  if (plan.crashAt) args.push('--crash-at', plan.crashAt);
  if (plan.recoverCrashAt) args.push('--recover-crash-at', plan.recoverCrashAt);
  try {
    return await runChild(lane, args, {
      ...(plan.killAfterMs !== undefined ? { afterReadyMs: plan.killAfterMs } : {}),
      ...(plan.killAfterSpawnMs !== undefined ? { afterSpawnMs: plan.killAfterSpawnMs } : {}),
    });
  } finally {
    lane.armed = undefined;
    await clearFaults(lane);
    if (plan.latePay === 'after') await payOpenOrders(lane);
  }
}

/**
 * The end of the campaign, as people would finish it: the kiosk restarts (recovery, a retry pass,
 * 补写卡 with the card in the reader), the operator refunds whatever is still pending; a citizen
 * finishes any purchase the gas company still holds for a card at another kiosk; anyone still
 * holding an open payment QR pays it; the kiosk restarts once more.
 */
export async function finalRecovery(lane: Lane): Promise<string[]> {
  const failures: string[] = [];
  const check = (what: string, r: RunOutcome): void => {
    if (r.kind !== 'exited') failures.push(`${what}: ${r.kind} ${r.reason} ${r.detail}`);
  };
  // Credits delayed past the client's timeout land (or are refused) before anyone looks.
  await heldCallsLanded(lane);
  // 补写卡 needs each citizen's own card: one restart per card, the operator's pass last.
  lane.sim.insertCard({ profile: 'icCardNew' });
  check('final recovery', await runChild(lane, ['--mode', 'recover']));
  lane.sim.insertCard({ profile: 'icCard' });
  check('final recovery', await runChild(lane, ['--mode', 'recover', '--operator-refunds']));
  const days = [Date.now() - 86_400_000, Date.now()].map((ms) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10));
  const ledgers = await Promise.all(days.map((d) => lane.services.gas.ledger(d)));
  const open = ledgers
    .flatMap((l) => l.entries)
    .filter(
      (e) =>
        e.kioskId === lane.kioskId && e.kind === 'ic_purchase' && (e.status === 'awaiting_write' || e.status === 'write_failed'),
    )
    .map((e) => e.serialNo);
  if (open.length > 0) {
    const elsewhere: Lane = { ...lane, dir: join(lane.dir, 'elsewhere'), kioskId: `${lane.kioskId}-B` };
    mkdirSync(elsewhere.dir, { recursive: true });
    const r = await runChild(elsewhere, ['--mode', 'finish', '--orders', open.join(',')]);
    lane.current = undefined;
    check('补写卡 at another kiosk', r);
  }
  if ((await payOpenOrders(lane)) > 0)
    check('recovery after late payments', await runChild(lane, ['--mode', 'recover', '--operator-refunds']));
  return failures;
}

export interface CampaignResult {
  runs: number;
  crashes: number;
  exited: number;
  hung: number;
  errors: string[];
  windows: Record<Window, number>;
  violations: Violations;
  /** `windows: …` */
  windowsLine: string;
  /** `N crashes, L lost, D double-credited` */
  line: string;
  /** Every invariant held, nothing hung or failed, and the targets were reached. */
  ok: boolean;
  /** What kept ok false, besides violations. */
  shortfall: string[];
}

export interface CampaignOptions {
  /** Fixed plans, or a generator asked for the next plan (undefined = stop). */
  plans: CrashPlan[] | ((state: CampaignProgress) => CrashPlan | undefined);
  lanes: number;
  baseDir: string;
  patches?: readonly SourcePatch[];
  minCrashes?: number;
  minWindowHits?: number;
  log?: (line: string) => void;
}

export interface CampaignProgress {
  runs: number;
  crashes: number;
  windows: Record<Window, number>;
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  // Inside the project so the bundle resolves node_modules; removed again at the end.
  const bundleDir = join(
    projectRoot,
    'test-artifacts',
    'fault',
    `child-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
  );
  let script: string;
  try {
    script = await bundleChild(bundleDir, opts.patches ?? []);
  } catch (err) {
    rmSync(bundleDir, { recursive: true, force: true });
    throw err;
  }
  const lanes = await Promise.all(Array.from({ length: opts.lanes }, (_, i) => createLane(i, opts.baseDir, script)));
  const windows = Object.fromEntries(windowNames.map((w) => [w, 0])) as Record<Window, number>;
  const progress: CampaignProgress = { runs: 0, crashes: 0, windows };
  let exited = 0;
  let hung = 0;
  const errors: string[] = [];
  const fixed = Array.isArray(opts.plans) ? [...opts.plans] : undefined;
  const next = (): CrashPlan | undefined =>
    fixed ? fixed.shift() : (opts.plans as (s: CampaignProgress) => CrashPlan | undefined)(progress);
  try {
    await Promise.all(
      lanes.map(async (lane) => {
        for (;;) {
          const plan = next();
          if (!plan) return;
          const r = await runOne(lane, plan);
          progress.runs += 1;
          if (r.kind === 'crash') {
            progress.crashes += 1;
            if (r.reason.startsWith('window:')) windows[r.reason.slice(7) as Window] += 1;
          } else if (r.kind === 'exited') exited += 1;
          else if (r.kind === 'hung') {
            hung += 1;
            errors.push(`lane ${lane.index} ${describePlan(plan)}: hung (${r.detail})`);
          } else errors.push(`lane ${lane.index} ${describePlan(plan)}: ${r.reason} ${r.detail}`);
          opts.log?.(
            `[${progress.runs}] lane ${lane.index} ${describePlan(plan)}: ${r.kind === 'crash' ? `crashed (${r.reason})` : r.kind}`,
          );
        }
      }),
    );
    const total = emptyViolations();
    const finals = await Promise.all(lanes.map((lane) => finalRecovery(lane)));
    errors.push(...finals.flat());
    for (const lane of lanes) {
      const v = await checkInvariant({
        kioskId: lane.kioskId,
        services: lane.services,
        sim: lane.sim,
        agentDir: join(lane.dir, 'agent'),
      });
      addViolations(total, v, `lane ${lane.index}: `);
    }
    const shortfall: string[] = [];
    if (opts.minCrashes !== undefined && progress.crashes < opts.minCrashes)
      shortfall.push(`only ${progress.crashes} crashes (< ${opts.minCrashes})`);
    for (const w of windowNames) {
      if (opts.minWindowHits !== undefined && windows[w] < opts.minWindowHits)
        shortfall.push(`window ${w} hit ${windows[w]} times (< ${opts.minWindowHits})`);
    }
    if (hung > 0) shortfall.push(`${hung} hung run(s)`);
    if (errors.length > 0) shortfall.push(`${errors.length} run(s) failed`);
    if (total.unfinished > 0) shortfall.push(`${total.unfinished} order(s) left unfinished`);
    const ok = total.lost === 0 && total.doubleCredited === 0 && shortfall.length === 0;
    return {
      runs: progress.runs,
      crashes: progress.crashes,
      exited,
      hung,
      errors,
      windows: { ...windows },
      violations: total,
      windowsLine: `windows: ${windowNames.map((w) => `${w} ${windows[w]}`).join(', ')}`,
      line: `${progress.crashes} crashes, ${total.lost} lost, ${total.doubleCredited} double-credited`,
      ok,
      shortfall,
    };
  } finally {
    await Promise.all(lanes.map((l) => l.close().catch(() => undefined)));
    rmSync(bundleDir, { recursive: true, force: true });
  }
}
