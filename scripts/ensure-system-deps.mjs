#!/usr/bin/env node
// Makes sure the Debian packages the kiosk needs are present. As root on Debian it installs what
// is missing with apt-get; otherwise it fails with one line naming the packages to install.
// Plain JS (not TS) because it runs before anything else, even before tsx is known to work.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'test';

/** binary → Debian package. `start` needs the device plumbing and the voice; tests also drive a browser. */
// espeak-ng speaks the elder-mode voice guidance offline (Mandarin voice cmn; docs/voice.md).
const needs = { socat: 'socat', ffmpeg: 'ffmpeg', 'espeak-ng': 'espeak-ng' };
// systemd-analyze verifies the units in deploy/systemd (tests/deploy/units.test.ts).
if (purpose === 'test') Object.assign(needs, { chromium: 'chromium', 'systemd-analyze': 'systemd' });
// Central's alert delivery is tested against a throwaway Alertmanager (tests/helpers/alertmanager.ts);
// amtool checks deploy/alertmanager.yml. The package's own service is not used by the tests.
if (purpose === 'test') Object.assign(needs, { 'prometheus-alertmanager': 'prometheus-alertmanager' });

function have(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const isDebian = existsSync('/etc/debian_version') && have('apt-get');
let aptUpdated = false;

function apt(args) {
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
    aptUpdated = true;
  }
  execFileSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

const missing = Object.entries(needs)
  .filter(([bin]) => !have(bin))
  .map(([, pkg]) => pkg);
// Central's store tests run on a throwaway PostgreSQL cluster (tests/helpers/postgres.ts). Debian
// keeps its binaries in /usr/lib/postgresql/<version>/bin, off PATH; no system service is used.
if (purpose === 'test') {
  const pgRoot = '/usr/lib/postgresql';
  const hasPg =
    existsSync(pgRoot) &&
    readdirSync(pgRoot).some((v) => existsSync(join(pgRoot, v, 'bin/initdb')) && existsSync(join(pgRoot, v, 'bin/pg_ctl')));
  if (!hasPg && !have('initdb')) missing.push('postgresql');
}
// Without a CJK font Chromium draws Chinese as empty boxes: the kiosk and its screenshots need one.
const cjkFont = spawnSync('sh', ['-c', 'fc-list :lang=zh | grep -q .'], { stdio: 'ignore' }).status === 0;
if (!cjkFont) missing.push('fonts-noto-cjk');
if (missing.length) {
  if (!(isRoot && isDebian)) {
    console.error(
      `kiosk: missing system packages: ${missing.join(' ')} — install them with: sudo apt-get install ${missing.join(' ')}`,
    );
    process.exit(1);
  }
  console.error(`kiosk: installing system packages: ${missing.join(' ')}`);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
}

// promtool (Debian package "prometheus") checks the metrics format in tests. Only the binary is
// needed, so it is unpacked into var/tools instead of installing a Prometheus daemon.
if (purpose === 'test' && !have('promtool')) {
  const promtool = join(root, 'var/tools/prometheus/usr/bin/promtool');
  if (!existsSync(promtool)) {
    if (!(isRoot && isDebian)) {
      console.error('kiosk: missing promtool — install the Debian package "prometheus" (sudo apt-get install prometheus)');
      process.exit(1);
    }
    const work = mkdtempSync(join(tmpdir(), 'kiosk-promtool-'));
    chmodSync(work, 0o777); // apt's unprivileged _apt user downloads into it
    try {
      if (!aptUpdated) {
        execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
        aptUpdated = true;
      }
      execFileSync('apt-get', ['download', '-qq', 'prometheus'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
      const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
      if (!deb) throw new Error('apt-get download prometheus produced no .deb');
      mkdirSync(join(root, 'var/tools/prometheus'), { recursive: true });
      execFileSync('dpkg-deb', ['-x', join(work, deb), join(root, 'var/tools/prometheus')]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}
