import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';
import { tempDir } from '../helpers/config.js';

/**
 * `systemd-analyze verify` on each unit in deploy/systemd, against a temporary root that has
 * this machine's systemd units and the executables the units start (as the installer provides
 * them: node, cage). verify exits 0 on a misspelt directive or value but says so on stderr, so
 * any output at all fails the test.
 */
const analyze = '/usr/bin/systemd-analyze';
const units = ['kiosk-agent.service', 'kiosk-browser.service', 'kiosk-central.service'];
const unitText = (u: string): string => readFileSync(join(projectRoot, 'deploy/systemd', u), 'utf8');

function execPaths(text: string): string[] {
  return [...text.matchAll(/^Exec\w+=[-@:+!]*(\S+)/gm)].map((m) => m[1]!);
}

function verify(unit: string, text: string): { code: number | null; output: string } {
  const root = tempDir('kiosk-unit-root-');
  cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  for (const exe of execPaths(text)) {
    mkdirSync(join(root, dirname(exe)), { recursive: true });
    writeFileSync(join(root, exe), '#!/bin/sh\n');
    chmodSync(join(root, exe), 0o755);
  }
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  writeFileSync(join(root, 'etc/systemd/system', unit), text);
  const r = spawnSync(analyze, ['verify', '--man=no', '--generators=no', `--root=${root}`, `/etc/systemd/system/${unit}`], {
    encoding: 'utf8',
  });
  return { code: r.status, output: (r.stdout + r.stderr).trim() };
}

describe('deploy/systemd units', () => {
  it('systemd-analyze is installed (Debian package: systemd)', () => {
    expect(existsSync(analyze), 'install the Debian package "systemd" for systemd-analyze').toBe(true);
  });

  it.each(units)('%s passes systemd-analyze verify without a single complaint', (unit) => {
    expect(verify(unit, unitText(unit))).toEqual({ code: 0, output: '' });
  });

  it('a broken unit is caught (misspelt value, unknown directive, missing executable)', () => {
    const good = unitText('kiosk-agent.service');
    expect(verify('kiosk-agent.service', good.replace('WatchdogSec=30s', 'WatchdogSec=half-a-minute')).output).toMatch(
      /WatchdogSec|sec value/,
    );
    expect(verify('kiosk-agent.service', good.replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes')).output).toMatch(
      /NoNewPrivilege/,
    );
    const r = verify('kiosk-browser.service', unitText('kiosk-browser.service').replace('/usr/bin/cage', 'cage-not-absolute'));
    expect(r.output).not.toBe('');
  });

  it('the agent unit is Type=notify with a watchdog, always restarts, and is hardened', () => {
    const t = unitText('kiosk-agent.service');
    for (const line of [
      'Type=notify',
      'NotifyAccess=main',
      'Restart=always',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'ReadWritePaths=/var/lib/kiosk',
      'User=kiosk',
      'DevicePolicy=closed',
      'DeviceAllow=/dev/kiosk-idcard rw',
      'DeviceAllow=/dev/kiosk-printer rw',
      'DeviceAllow=/dev/kiosk-gascard rw',
    ]) {
      expect(t).toContain(`\n${line}\n`);
    }
    expect(t).toMatch(/\nWatchdogSec=\d+s\n/);
  });

  it('the units start what the build and the repo provide', () => {
    const agent = unitText('kiosk-agent.service');
    expect(agent).toContain('/opt/kiosk/dist/agent.mjs');
    // Read, not imported: importing build-node.mjs runs the build.
    const build = readFileSync(join(projectRoot, 'scripts/build-node.mjs'), 'utf8');
    expect(build).toMatch(/\n\s+agent: 'apps\/agent\/src\/main\.ts',/);
    expect(unitText('kiosk-central.service')).toContain('/opt/kiosk-central/dist/central.mjs');
    expect(build).toMatch(/\n\s+central: 'apps\/central\/src\/main\.ts',/);
    const browser = unitText('kiosk-browser.service');
    expect(browser).toMatch(/ExecStart=\/usr\/bin\/cage .*-- \/opt\/kiosk\/deploy\/kiosk-browser\.sh/);
    expect(existsSync(join(projectRoot, 'deploy/kiosk-browser.sh'))).toBe(true);
    expect(browser).toContain('\nUser=kiosk\n');
  });
});
