import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPrinterSimulator, type PrinterSimulator } from '../../apps/simulators/src/printer/index.js';
import { tempDir, waitFor } from './helpers.js';

// Each test spawns node + tsx; on a loaded shared machine that alone can take many seconds.
vi.setConfig({ testTimeout: 120_000 });

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/kiosk.js');
/** `node bin/kiosk.js …`, or tsx on main.ts while bin/kiosk.js does not exist yet. */
const kioskCmd = (): [string, string[]] =>
  existsSync(bin)
    ? [process.execPath, [bin]]
    : [process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'bin/kiosk-cli.ts')]];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kiosk(args: string[], timeoutMs = 45_000): Promise<Run> {
  const [cmd, pre] = kioskCmd();
  return new Promise((res, rej) => {
    const child = spawn(cmd, [...pre, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`kiosk ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

let sim: PrinterSimulator | undefined;
let dir: string | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  await sim?.stop();
  sim = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function startSim(): Promise<PrinterSimulator> {
  dir = tempDir();
  sim = createPrinterSimulator({ agentPath: join(dir, 'printer'), devicePath: join(dir, 'printer.device') });
  await sim.start();
  return sim;
}

describe('kiosk device printer', () => {
  it('status --json prints the decoded status and exits 0 when ready', async () => {
    const s = await startSim();
    const r = await kiosk(['device', 'printer', 'status', '--port', s.agentPath, '--json', '--timeout-ms', '3000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({
      online: true,
      paper: 'full',
      coverOpen: false,
      cutterError: false,
      unrecoverableError: false,
      raw: { dleEot1: '0x12', dleEot2: '0x12', dleEot3: '0x12', dleEot4: '0x12' },
    });
  });

  it('status reports paper out and exits 1', async () => {
    const s = await startSim();
    s.setSensors({ paper: 'out' });
    const r = await kiosk(['device', 'printer', 'status', '--port', s.agentPath, '--json', '--timeout-ms', '3000']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      online: false,
      paper: 'out',
      notReady: 'paperOut',
      raw: { dleEot1: '0x1a', dleEot4: '0x7e' },
    });
  });

  it('test prints the test page when ready before and after', async () => {
    const s = await startSim();
    const r = await kiosk([
      'device',
      'printer',
      'test',
      '--port',
      s.agentPath,
      '--profile',
      'generic-80mm',
      '--timeout-ms',
      '3000',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/test page printed/);
    await waitFor(() => s.receipts().length === 1, 'receipt');
    expect(s.receipts()[0]).toMatchObject({ cut: 'partial', interrupted: false });
    expect(s.receipts()[0]!.text).toContain('测试页');
  });

  for (const [sensors, reason] of [
    [{ coverOpen: true }, /cover open/],
    [{ paper: 'out' }, /out of paper/],
    [{ cutterError: true }, /cutter/],
    [{ silent: true }, /does not answer/],
  ] as const) {
    it(`test sends nothing and names the reason: ${JSON.stringify(sensors)}`, async () => {
      const s = await startSim();
      s.setSensors(sensors);
      // Long enough for a loaded machine; only the silent printer waits it out.
      const timeout = 'silent' in sensors ? '300' : '3000';
      const r = await kiosk(['device', 'printer', 'test', '--port', s.agentPath, '--timeout-ms', timeout]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(reason);
      expect(r.stderr).toMatch(/nothing sent/);
      expect(s.emulator.counters.printDataBytes).toBe(0);
    });
  }

  it('test exits 1 when the port does not exist', async () => {
    const r = await kiosk(['device', 'printer', 'test', '--port', '/nonexistent/ttyUSB9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not connected.*nothing sent/);
  });

  it('rejects bad arguments with a usage hint', async () => {
    const r = await kiosk(['device', 'printer', 'status', '--transport', 'usb', '--port', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--transport must be serial, lp or tcp/);
  });
});

describe('kiosk device printer print (issue 21 item 11)', () => {
  const printArgs = (s: PrinterSimulator, ...extra: string[]) => [
    'device',
    'printer',
    'print',
    '--port',
    s.agentPath,
    '--timeout-ms',
    '3000',
    ...extra,
  ];

  it('prints the lines as a plain receipt with a cut and exits 0 once the printer confirmed it', async () => {
    const s = await startSim();
    const r = await kiosk(
      printArgs(s, '--profile', 'generic-58mm', '--text', '打印机检查 Printer check', '--text', '第二行 line 2'),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/printed 2 line\(s\).*generic-58mm/);
    const rec = s.receipts();
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ cut: 'partial', interrupted: false, errors: [] });
    expect(rec[0]!.text.split('\n').map((l) => l.trim())).toEqual(['打印机检查 Printer check', '第二行 line 2']);
    expect(s.emulator.counters.paperStatusRequests).toBe(2);
  });

  it('prints a character outside the printer font as its glyph, in line (exit 0)', async () => {
    const s = await startSim();
    const r = await kiosk(printArgs(s, '--text', '权利人 㙟*明'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rec = s.receipts().at(-1)!;
    expect(rec.errors).toEqual([]);
    expect(rec.text.trim()).toBe('权利人 \ufffc*明');
    expect(rec.inlineImages).toHaveLength(1);
  });

  for (const [sensors, reason] of [
    [{ paper: 'out' }, /out of paper/],
    [{ coverOpen: true }, /cover open/],
  ] as const) {
    it(`refuses like \`test\` and sends nothing: ${JSON.stringify(sensors)}`, async () => {
      const s = await startSim();
      s.setSensors(sensors);
      const r = await kiosk(printArgs(s, '--text', 'x'));
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(reason);
      expect(r.stderr).toMatch(/nothing sent/);
      expect(s.emulator.counters.printDataBytes).toBe(0);
    });
  }

  for (const [name, personality] of [
    ['answers GS r 1 with paper end', { paperStatusWhenOut: true }],
    ['sends stray bytes', { strayBytes: [0x00, 0xff] }],
  ] as const) {
    it(`exits 1 with one line when the paper runs out mid-job on a printer that ${name}`, async () => {
      const s = await startSim();
      s.setPersonality(personality);
      s.setSensors({ paperOutAfter: 40 });
      const r = await kiosk(
        printArgs(s, '--text', '第一行 first line', '--text', '第二行 second line', '--text', '第三行 third line'),
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/failed: .*out of paper/);
      expect(s.receipts().filter((x) => x.cut)).toHaveLength(0);
    });
  }

  it('needs at least one --text; a line it cannot print is refused before anything is sent', async () => {
    const s = await startSim();
    const none = await kiosk(printArgs(s));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--text/);
    const bad = await kiosk(printArgs(s, '--text', 'tab\there'));
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/U\+0009.*nothing sent/);
    expect(s.emulator.counters.printDataBytes).toBe(0);
  });
});

describe('kiosk sim printer', () => {
  it('runs the simulator with its control routes until SIGTERM', async () => {
    dir = tempDir();
    const [cmd, pre] = kioskCmd();
    child = spawn(cmd, [...pre, 'sim', 'printer', '--dir', dir, '--control-port', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const url = await waitFor(() => /control: (http:\/\/\S+)/.exec(out)?.[1], 'control URL', 45_000);
    expect(out).toContain(`pty ${join(dir, 'printer')}`);
    const state = (await (await fetch(url)).json()) as { connected: boolean };
    expect(state.connected).toBe(true);
    const r = await kiosk(['device', 'printer', 'status', '--port', join(dir, 'printer'), '--json', '--timeout-ms', '3000']);
    expect(r.code).toBe(0);
    const exited = new Promise<number | null>((res) => child!.once('exit', (code) => res(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dir, 'printer'))).toBe(false);
  });
});
