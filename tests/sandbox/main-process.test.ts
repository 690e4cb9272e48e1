import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfigPath, loadConfig, projectRoot } from '@kiosk/kiosk-config';
import { HEADERS, hasNoRecords } from './fixture.js';
import { generateSyntheticData } from '@kiosk/synthetic';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-sandbox-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('sandbox process entry', () => {
  it('reads the kiosk config, serves on embedded.sandbox.port, logs JSON without personal data, stops on SIGTERM', async () => {
    const port = await freePort();
    const config = loadConfig(defaultConfigPath);
    config.dataDir = join(dir, 'data');
    config.embedded.sandbox.dataDir = join(dir, 'sandbox-data');
    config.embedded.sandbox.port = port;
    const configPath = join(dir, 'kiosk.json');
    writeFileSync(configPath, JSON.stringify(config));

    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/sandbox/src/main.ts', '--config', configPath], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      let up = false;
      for (let i = 0; i < 200 && !up; i++) {
        up = await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up, err).toBe(true);
      // The sandbox's synthetic people live apart from the kiosk's own data (issue 20 item 10).
      expect(existsSync(join(config.embedded.sandbox.dataDir, 'sandbox.db'))).toBe(true);
      expect(existsSync(join(config.dataDir, 'sandbox.db'))).toBe(false);

      const people = generateSyntheticData({ asOf: '2026-06-30' }).people;
      const person = people.find((p) => !hasNoRecords(p))!;
      const r = await fetch(`${url}/property/v1/properties/query`, {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({ idNumber: person.idNumber }),
      });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { holder: { nameMasked: string } | null };
      expect(body.holder).not.toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);

    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.msg === 'sandbox upstream listening')).toBe(true);
    const call = lines.find((l) => l.msg === 'upstream call' && l.op === 'property.query');
    expect(call).toMatchObject({ kioskId: HEADERS['x-kiosk-id'], requestId: HEADERS['x-request-id'], status: 200 });
    expect(String(call?.holder)).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    expect(lines.some((l) => l.msg === 'sandbox upstream stopped')).toBe(true);
    // No full id number anywhere in the log.
    expect(out).not.toMatch(/(?<![\dX])\d{17}[\dX](?![\dX])/);
  });
});
