import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startSandbox, type SandboxHandle, type SandboxOptions } from '../../apps/sandbox/src/server.js';
import { idCardProfilePeople } from '../../apps/sandbox/src/profiles.js';
import { generateSyntheticData, type SyntheticData, type SyntheticPerson } from '@kiosk/synthetic';

/** A fixed "today" for the synthetic data so tests see the same records on any date. */
export const AS_OF = '2026-06-30';

export interface TestSandbox {
  sandbox: SandboxHandle;
  url: string;
  dir: string;
  data: SyntheticData;
  close(): Promise<void>;
}

export async function startTestSandbox(extra: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dir = extra.dataDir ?? mkdtempSync(join(tmpdir(), 'kiosk-sandbox-'));
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, dataDir: dir, asOf: AS_OF, ...extra });
  const data = generateSyntheticData({ asOf: extra.asOf ?? AS_OF, extraPeople: extra.extraPeople ?? idCardProfilePeople() });
  return {
    sandbox,
    url: sandbox.url,
    dir,
    data,
    async close() {
      await sandbox.close();
      if (!extra.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What `sandboxForFile` clears after each test; the default clears nothing. */
export interface SandboxForFileOptions {
  /** Sandbox options (a clock, a logger) for the file's sandbox. */
  extra?: Partial<SandboxOptions>;
  /** `DELETE /admin/faults` after each test, so one test's failure plan never reaches the next. */
  clearFaults?: boolean;
  /** `DELETE /admin/money-faults` after each test as well. */
  clearMoneyFaults?: boolean;
}

/**
 * One sandbox for the whole test file: started before the first test, closed after the last.
 * The answer reads the running sandbox, so tests keep writing `t.url` and `t.data`; it may only
 * be read inside tests and hooks (before the file's `beforeAll` ran there is nothing to read).
 */
export function sandboxForFile(opts: SandboxForFileOptions = {}): TestSandbox {
  let running: TestSandbox | undefined;
  const current = (): TestSandbox => {
    if (!running) throw new Error('the test sandbox is read before its beforeAll started it');
    return running;
  };
  beforeAll(async () => {
    running = await startTestSandbox(opts.extra);
  });
  afterAll(async () => {
    await running?.close();
  });
  if (opts.clearFaults || opts.clearMoneyFaults) {
    afterEach(async () => {
      if (opts.clearFaults) await fetch(`${current().url}/admin/faults`, { method: 'DELETE' });
      if (opts.clearMoneyFaults) await fetch(`${current().url}/admin/money-faults`, { method: 'DELETE' });
    });
  }
  return {
    get sandbox() {
      return current().sandbox;
    },
    get url() {
      return current().url;
    },
    get dir() {
      return current().dir;
    },
    get data() {
      return current().data;
    },
    close: () => current().close(),
  };
}

export const hasNoRecords = (p: SyntheticPerson) => p.properties.length === 0 && p.tax.length === 0 && p.social.length === 0;

export function personWith(data: SyntheticData, pred: (p: SyntheticPerson) => boolean): SyntheticPerson {
  const p = data.people.find(pred);
  if (!p) throw new Error('no synthetic person matches');
  return p;
}

export const HEADERS = { 'content-type': 'application/json', 'x-kiosk-id': 'TEST-KIOSK-01', 'x-request-id': 'test-req-1' };

// `any` because tests poke into arbitrary JSON answers (errors, admin routes); the contract
// schemas themselves are checked through the connectors in tests/services.
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = HEADERS,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of every route; tests check the fields they name
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
