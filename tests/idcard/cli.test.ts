import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdCardSimulator, type IdCardSimulator } from '../../apps/simulators/src/idcard/simulator.js';
import { createControlApp } from '../../apps/simulators/src/control-api.js';
import { fastTiming } from './helpers.js';

const root = join(import.meta.dirname, '../..');
const kiosk = existsSync(join(root, 'bin/kiosk.js'))
  ? ['node', [join(root, 'bin/kiosk.js')]]
  : ['npx', ['tsx', join(root, 'bin/kiosk-cli.ts')]];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [cmd, pre] = kiosk as [string, string[]];
    const child = spawn(cmd, [...pre, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let sim: IdCardSimulator;
let port: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-idcli-'));
  port = join(dir, 'idcard');
  sim = createIdCardSimulator({ agentPath: port, devicePath: join(dir, 'idcard-device'), timing: fastTiming });
  await sim.start();
});

afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('kiosk device idcard read', () => {
  test("prints one masked JSON object with the issue's fields and exits 0", async () => {
    sim.placeCard({ profile: 'xianan-resident' });
    const r = await run(['device', 'idcard', 'read', '--port', port, '--timeout-ms', '10000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const obj = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(obj).toEqual({
      cardType: 'resident',
      name: '孙*试',
      sex: 'male',
      nation: '汉',
      birthDate: '1985-03-12',
      address: '湖北省咸宁市咸安区温泉街道测试路18号',
      idNumber: '4212**********0610',
      issuer: '咸宁市公安局咸安分局',
      validFrom: '2016-05-20',
      validTo: '2036-05-20',
      photo: { format: 'wlt', bytes: 1024 },
    });
    expect(r.stdout).not.toContain('孙测试');
    expect(r.stdout).not.toContain('421202198503120610');
  });

  test('--reveal shows name and number; HK/Macau/Taiwan fields; long-term validity', async () => {
    sim.removeCard();
    sim.placeCard({ fields: { cardType: 'hk-macau-taiwan', validTo: 'long-term' } });
    const r = await run(['device', 'idcard', 'read', '--port', port, '--timeout-ms', '10000', '--reveal']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      cardType: 'hk-macau-taiwan',
      name: '陈港测',
      sex: 'female',
      birthDate: '1993-04-18',
      address: '湖北省咸宁市咸安区永安街道示例路66号',
      idNumber: '81000019930418012X',
      issuer: '咸宁市公安局咸安分局',
      validFrom: '2022-06-01',
      validTo: 'long-term',
      permitNumber: 'H90000017',
      issueCount: '01',
      photo: { format: 'wlt', bytes: 1024 },
    });
  });

  test('foreign 2017 card: 15-character number is the idNumber; a bad check digit is reported', async () => {
    sim.removeCard();
    sim.placeCard({ fields: { cardType: 'foreign-2017', idNumber: 'GBR420088051219' } });
    const r = await run(['device', 'idcard', 'read', '--port', port, '--timeout-ms', '10000', '--reveal']);
    expect(r.code).toBe(0);
    const obj = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(obj).toMatchObject({
      cardType: 'foreign-2017',
      idNumber: 'GBR420088051219',
      name: '史测试',
      englishName: 'TESTER, SAMPLE JOHN',
      nationality: 'GBR',
    });
    expect(obj.warnings).toEqual([
      { code: 'checkDigit', field: 'idNumber', zh: '证件号码校验码错误', en: 'ID number check digit does not match' },
    ]);
  });

  test('no card in time → exit 2', async () => {
    sim.removeCard();
    const r = await run(['device', 'idcard', 'read', '--port', port, '--timeout-ms', '1200']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no card within 1200 ms/);
  });

  test('errors → exit 1 with one line: missing port, bad option, SAM fault', async () => {
    const missing = await run(['device', 'idcard', 'read', '--port', join(dir, 'nothing-here'), '--timeout-ms', '1000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/kiosk device idcard read: .*nothing-here/);

    const bad = await run(['device', 'idcard', 'read', '--port', port, '--baud', '12345']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--baud must be one of/);

    sim.injectFault('no-sam', 1_000_000);
    try {
      const samFault = await run(['device', 'idcard', 'read', '--port', port, '--timeout-ms', '5000']);
      expect(samFault.code).toBe(1);
      expect(samFault.stderr.trim().split('\n')).toHaveLength(1);
      expect(samFault.stderr).toMatch(/SW3=60/);
    } finally {
      sim.clearFaults();
    }
  });
});

describe('kiosk device idcard sam', () => {
  test('prints the SAM ID', async () => {
    const r = await run(['device', 'idcard', 'sam', '--port', port]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('05.01-20240601-0000000001-0012345678\n');
  });
});

describe('kiosk device idcard watch (a real subprocess; cards placed through the simulator control API)', () => {
  let base: string;
  let server: Server;
  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const s = createControlApp([sim]).listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/idcard`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function api(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(res.status, `${method} ${path}`).toBe(200);
    return res.json();
  }

  /** Runs watch; `onLine(line, n)` is called for each stdout line as it arrives. */
  function watch(args: string[], onLine: (line: string, n: number) => Promise<void> | void): Promise<Run & { lines: string[] }> {
    return new Promise((resolve, reject) => {
      const [cmd, pre] = kiosk as [string, string[]];
      const child = spawn(cmd, [...pre, 'device', 'idcard', 'watch', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const lines: string[] = [];
      let chain = Promise.resolve();
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const parts = stdout.split('\n');
        for (const line of parts.slice(lines.length, -1)) {
          lines.push(line);
          const n = lines.length;
          chain = chain.then(() => onLine(line, n)).catch(reject);
        }
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(guard);
        void chain.then(() => resolve({ code, stdout, stderr, lines }));
      });
    });
  }

  test('a reader without 30 05: three cards, each placement read once, one masked JSON line each, exit 0', async () => {
    await api('POST', '/personality', { preset: 'no-30-05' });
    try {
      await api('DELETE', '/card');
      const readsBefore = sim.reader.counters.reads;
      const stack = ['xianan-resident', 'chibi-resident', 'chongyang-rare-char'];
      await api('POST', '/card', { profile: stack[0] });
      const r = await watch(['--port', port, '--count', '3', '--timeout-ms', '45000'], async (_line, n) => {
        if (n >= stack.length) return;
        // Lift the card, place the next one.
        await api('DELETE', '/card');
        await api('POST', '/card', { profile: stack[n] });
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.lines).toHaveLength(3);
      const cards = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(cards.map((c) => c.name)).toEqual(['孙*试', '李*例', '㙟*例']);
      expect(cards.map((c) => c.idNumber)).toEqual(['4212**********0610', '4212**********0522', '4212**********003X']);
      // The fields of `device idcard read`.
      expect(Object.keys(cards[0]!)).toEqual([
        'cardType',
        'name',
        'sex',
        'nation',
        'birthDate',
        'address',
        'idNumber',
        'issuer',
        'validFrom',
        'validTo',
        'photo',
      ]);
      expect(r.stdout).not.toContain('孙测试');
      expect(r.stdout).not.toContain('421202198503120610');
      expect(sim.reader.counters.reads - readsBefore).toBe(3);
    } finally {
      await api('POST', '/personality', { preset: 'standard' });
    }
  });

  test('--reveal prints names and numbers; fewer cards than --count within --timeout-ms → exit 2', async () => {
    await api('DELETE', '/card');
    await api('POST', '/card', { profile: 'chongyang-rare-char' });
    const r = await watch(['--port', port, '--count', '2', '--timeout-ms', '8000', '--reveal'], () => undefined);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ name: '㙟样例', idNumber: '42122319900517003X' });
    expect(r.stderr).toMatch(/1 of 2 card\(s\) read within 8000 ms/);
  });

  test('bad arguments and a missing port → exit 1 with one line', async () => {
    const noCount = await run(['device', 'idcard', 'watch', '--port', port]);
    expect(noCount.code).toBe(1);
    expect(noCount.stderr).toMatch(/--count N is required/);
    const missing = await run([
      'device',
      'idcard',
      'watch',
      '--port',
      join(dir, 'nothing-here'),
      '--count',
      '1',
      '--timeout-ms',
      '5000',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/kiosk device idcard watch: .*nothing-here/);
  });
});

describe('kiosk sim idcard', () => {
  test('an unknown --personality → exit 1 naming the presets', async () => {
    const r = await run(['sim', 'idcard', '--dir', join(dir, 'unused'), '--control-port', '0', '--personality', 'grumpy']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown --personality "grumpy"; known: standard, no-30-05/);
  });

  test('prints the agent-side pty path, serves /idcard until SIGTERM, then removes the pty', async () => {
    const simDir = mkdtempSync(join(tmpdir(), 'kiosk-idsimcli-'));
    const [cmd, pre] = kiosk as [string, string[]];
    const child = spawn(cmd, [...pre, 'sim', 'idcard', '--dir', simDir, '--control-port', '0', '--personality', 'no-30-05'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const deadline = Date.now() + 20_000;
      while (!/127\.0\.0\.1:\d+\/idcard/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stdout.trim()).toBe(join(simDir, 'idcard'));
      expect(existsSync(join(simDir, 'idcard'))).toBe(true);
      const url = /http:\/\/127\.0\.0\.1:\d+\/idcard/.exec(stderr)![0];
      const res = await fetch(`${url}/profiles`);
      expect(res.status).toBe(200);
      expect(await (await fetch(url)).json()).toMatchObject({ personality: { managementNumber: 'silent' } });
      const placed = await fetch(`${url}/card`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ profile: 'jiayu-expired' }),
      });
      expect(await placed.json()).toMatchObject({ placed: { profile: 'jiayu-expired' } });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(simDir, 'idcard'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
      rmSync(simDir, { recursive: true, force: true });
    }
  });
});
