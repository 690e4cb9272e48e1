import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ConfigError, configPathFrom, defaultConfigPath, loadConfig, parseConfig } from '@kiosk/kiosk-config';
import { writeConfig } from '../helpers/config.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test edits arbitrary config fields
const raw = (): Record<string, any> => JSON.parse(readFileSync(defaultConfigPath, 'utf8'));

describe('config', () => {
  it('the embedded default is valid and points at simulators, sandbox and local central', () => {
    const c = loadConfig(defaultConfigPath);
    expect(c.agent).toEqual({ host: '127.0.0.1', port: 5846, allowedHosts: [] });
    expect(c.devices.idcard.transport).toMatchObject({ kind: 'serial', path: 'var/dev/idcard' });
    expect(c.upstream.baseUrl).toBe('http://127.0.0.1:5851');
    expect(c.central.url).toBe('http://127.0.0.1:5850');
    expect(c.embedded.simulators.port).toBe(5852);
  });

  it('names the bad field and why', () => {
    const bad = raw();
    bad.devices.printer.statusPollMs = 'often';
    expect(() => parseConfig(bad)).toThrow(ConfigError);
    expect(() => parseConfig(bad)).toThrow(/devices\.printer\.statusPollMs: .*number/);
  });

  it('rejects unknown top-level keys and missing sections', () => {
    const bad = raw();
    bad.kioskk = {};
    delete bad.central;
    const msg = (() => {
      try {
        parseConfig(bad);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(msg).toMatch(/central/);
    expect(msg).toMatch(/kioskk/);
  });

  it('reports unreadable and non-JSON files clearly', () => {
    expect(() => loadConfig('/nonexistent/kiosk.json')).toThrow(/cannot read config .*ENOENT/);
    const file = writeConfig('x');
    expect(() => loadConfig(file.replace('kiosk.json', 'nope.json'))).toThrow(ConfigError);
  });

  it('--config wins over KIOSK_CONFIG, which wins over the default', () => {
    expect(configPathFrom(['--config', '/a.json'], { KIOSK_CONFIG: '/b.json' })).toBe('/a.json');
    expect(configPathFrom(['--config=/a.json'], {})).toBe('/a.json');
    expect(configPathFrom([], { KIOSK_CONFIG: '/b.json' })).toBe('/b.json');
    expect(configPathFrom([], {})).toBe(defaultConfigPath);
    expect(() => configPathFrom(['--config'], {})).toThrow(/needs a file path/);
  });

  it('the agent refuses to start with an invalid config, with one message naming the field', () => {
    const bad = raw();
    bad.agent.port = 70000;
    const file = writeConfig(bad);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'apps/agent/src/main.ts', '--config', file], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/agent\.port/);
  });
});
