/**
 * 好差评 delivery survives a crash (issue 18): the agent process is SIGKILLed before the rating's
 * delivery is acknowledged, and after a restart the evaluation platform holds it exactly once.
 *
 * - upstream down: the rating is committed but never reached the platform; killed; restarted
 *   against a healthy platform → delivered once.
 * - lost answer: the platform stored the rating but its answer is held (fault `delay`, phase
 *   `after`); killed in that window; restarted → the resend is recognised by its idempotency
 *   key, so the platform still holds one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '@kiosk/kiosk-config';
import { tempDir } from '../helpers/config.js';
import { TestSocket } from '../helpers/ws.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';

const KIOSK = 'XN-RATE-CRASH-01';
const CHILD = join(projectRoot, 'tests/ratings/rating-child.ts');

let sandbox: TestSandbox;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterEach(() => {
  sandbox.sandbox.faults.clear();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sandbox?.close();
});

async function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string; token: string }> {
  // node itself with tsx's loader: the tsx CLI would run the agent in a grandchild that a SIGKILL
  // of the CLI leaves running.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, '--data', dataDir, '--sandbox', sandbox.url, '--kiosk', KIOSK],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`agent child exited early (${code})`)));
    lines.on('line', (l) => {
      try {
        const m = JSON.parse(l) as { ready?: boolean; url: string; token: string };
        if (m.ready) resolve(m);
      } catch {
        // not our line
      }
    });
  });
  return { child, ...ready };
}

async function kill(child: ChildProcess, url: string): Promise<void> {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
  expect(child.signalCode).toBe('SIGKILL');
  // The process that served the agent is gone (not a wrapper with the agent still running).
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
}

/** A gas session (placeholder flow) rated 不满意 with a reason, over the real WebSocket API. */
async function rate(url: string, token: string): Promise<void> {
  const ws = await TestSocket.open(url, token);
  try {
    for (const [name, payload] of [
      ['Session.Start', {}],
      ['Session.SelectService', { service: 'gas' }],
      ['Session.Continue', {}],
      ['Session.Continue', {}],
      ['Session.Rate', { rating: 'dissatisfied', reasons: ['waitTooLong'] }],
    ] as const) {
      const c = await ws.command(name, payload);
      expect(c.header.completionCode, `${name}: ${c.header.errorDescription ?? ''}`).toBe('success');
    }
  } finally {
    ws.close();
  }
}

interface StoredRating {
  idempotencyKey: string;
  report: { level: string; reasons: string[]; kioskId: string; channel: string };
}

async function platformRatings(): Promise<StoredRating[]> {
  const res = await fetch(`${sandbox.url}/evaluation/v1/ratings`, {
    headers: { 'x-kiosk-id': KIOSK, 'x-request-id': 'crash-test' },
  });
  return ((await res.json()) as { ratings: StoredRating[] }).ratings;
}

function queueRows(dataDir: string): { key: string; delivered_at: string | null; attempts: number }[] {
  const db = new Database(join(dataDir, 'agent.db'), { readonly: true });
  try {
    return db.prepare("SELECT key, delivered_at, attempts FROM delivery_queue WHERE queue = 'evaluation'").all() as never;
  } finally {
    db.close();
  }
}

async function until<T>(what: string, f: () => T | Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('好差评 delivery across a SIGKILL', () => {
  it('a rating queued while the platform is down is delivered once after the agent is killed and restarted', async () => {
    const before = (await platformRatings()).length;
    const dataDir = tempDir('rating-crash-a-');
    sandbox.sandbox.faults.add({ operation: 'evaluation.submit', kind: 'error', status: 503, count: 10_000, phase: 'before' });
    const a = await startChild(dataDir);
    await rate(a.url, a.token);
    // Committed and tried (and refused) at least once: the agent knows it owes the report.
    await until(
      'a failed attempt',
      () => queueRows(dataDir),
      (r) => r.length === 1 && r[0]!.attempts >= 1,
    );
    await kill(a.child, a.url);
    expect(queueRows(dataDir)[0]!.delivered_at).toBeNull();
    expect((await platformRatings()).length).toBe(before);

    sandbox.sandbox.faults.clear();
    const b = await startChild(dataDir);
    const [row] = await until(
      'delivery after restart',
      () => queueRows(dataDir),
      (r) => r[0]?.delivered_at !== null,
    );
    const all = await platformRatings();
    expect(all).toHaveLength(before + 1);
    const mine = all.filter((r) => r.idempotencyKey === row!.key);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.report).toMatchObject({
      level: 'dissatisfied',
      reasons: ['waitTooLong'],
      kioskId: KIOSK,
      channel: '自助终端',
    });
    await kill(b.child, b.url);
  }, 90_000);

  it('a rating the platform stored but whose answer was lost is not stored twice after the restart', async () => {
    const before = (await platformRatings()).length;
    const dataDir = tempDir('rating-crash-b-');
    // Stored at once, answer held: the agent cannot have marked it delivered before the kill.
    sandbox.sandbox.faults.add({ operation: 'evaluation.submit', kind: 'delay', phase: 'after', delayMs: 10_000, count: 1 });
    const a = await startChild(dataDir);
    await rate(a.url, a.token);
    const [row] = await until(
      'the queued rating',
      () => queueRows(dataDir),
      (r) => r.length === 1,
    );
    await until(
      'the platform storing it',
      () => platformRatings(),
      (rs) => rs.some((r) => r.idempotencyKey === row!.key),
    );
    await kill(a.child, a.url);
    expect(queueRows(dataDir)[0]!.delivered_at).toBeNull();

    const b = await startChild(dataDir);
    await until(
      'delivery after restart',
      () => queueRows(dataDir),
      (r) => r[0]?.delivered_at !== null,
    );
    const all = await platformRatings();
    expect(all).toHaveLength(before + 1);
    expect(all.filter((r) => r.idempotencyKey === row!.key)).toHaveLength(1);
    await kill(b.child, b.url);
    // The held answer's timer ends by itself; wait so the sandbox can close.
    await until(
      'the held answer to end',
      () => sandbox.sandbox.moneyFaults.held.applied.size,
      (n) => n === 0,
    );
  }, 90_000);
});
