import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot, loadConfig } from '@kiosk/kiosk-config';
import { tempDir } from '../helpers/config.js';

/**
 * The installers on this very machine: `--dry-run` must print the whole plan, exit 0 and change
 * nothing. "Nothing" is checked on every path an install would touch, before and after.
 */
const touched = [
  '/etc/kiosk',
  '/etc/kiosk-central',
  '/etc/udev/rules.d',
  '/etc/systemd/system',
  '/etc/polkit-1',
  '/etc/chromium',
  '/opt',
  '/var/lib/kiosk',
  '/var/lib/kiosk-central',
  '/var/log/kiosk',
  '/etc/passwd',
  '/etc/group',
];

/** Path, type, mode, size, mtime and (for files) content hash of everything under `paths`. */
function snapshot(paths: string[], depth = 4): string[] {
  const out: string[] = [];
  const walk = (p: string, d: number): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      out.push(`${p} absent`);
      return;
    }
    const hash = st.isFile() && st.size < 1_000_000 ? createHash('sha1').update(readFileSync(p)).digest('hex') : '';
    out.push(`${p} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs} ${hash}`);
    if (st.isDirectory() && d > 0) for (const e of readdirSync(p).sort()) walk(join(p, e), d - 1);
  };
  paths.forEach((p) => walk(p, depth));
  return out;
}

function runScript(script: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', [join(projectRoot, 'scripts', script), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/install-kiosk.sh', () => {
  it('--dry-run prints every step of the plan, exits 0 and changes nothing', () => {
    const before = snapshot(touched);
    const r = runScript('install-kiosk.sh', ['--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^dry run: nothing is changed/);
    // The kiosk user and its device groups (already there, or planned).
    expect(out).toMatch(/(would run: useradd --system .* kiosk|unchanged: user kiosk exists)/);
    for (const g of ['dialout', 'lp', 'video', 'plugdev'])
      expect(out).toMatch(new RegExp(`(usermod -a -G ${g} kiosk|kiosk in group ${g})`));
    // The production config, validated, and written only where absent.
    expect(out).toMatch(/check: .*kiosk\.production\.example\.json: valid/);
    expect(out).toMatch(/(would write|unchanged|kept): \/etc\/kiosk\/kiosk\.json/);
    // Stable device names from the USB ids in the config.
    expect(out).toContain('would write: /etc/udev/rules.d/70-kiosk.rules');
    for (const name of ['idcard', 'printer', 'gascard'])
      expect(out).toMatch(new RegExp(`ATTRS\\{idVendor\\}=="[0-9a-f]{4}".*SYMLINK\\+="kiosk-${name}"`));
    expect(out).toMatch(/install -d -m 0750 -o kiosk -g kiosk \/var\/lib\/kiosk/);
    expect(out).toContain('would write: /etc/systemd/system/kiosk-agent.service');
    expect(out).toContain('would write: /etc/systemd/system/kiosk-browser.service');
    expect(out).toContain('would run: systemctl enable kiosk-agent.service kiosk-browser.service');
    expect(snapshot(touched)).toEqual(before);
  });

  it('--dry-run --uninstall [--purge] plans the removal and changes nothing', () => {
    const before = snapshot(touched);
    const keep = runScript('install-kiosk.sh', ['--dry-run', '--uninstall']);
    expect(keep.code).toBe(0);
    expect(keep.stdout).toContain('kept: /etc/kiosk (config), /var/lib/kiosk');
    const purge = runScript('install-kiosk.sh', ['--dry-run', '--uninstall', '--purge']);
    expect(purge.code).toBe(0);
    expect(purge.stdout).toMatch(/(would run: rm -rf \/var\/lib\/kiosk|unchanged: \/var\/lib\/kiosk absent)/);
    expect(snapshot(touched)).toEqual(before);
  });

  it('refuses a bad option and an invalid example config, changing nothing', () => {
    expect(runScript('install-kiosk.sh', ['--dry-run', '--frobnicate']).code).not.toBe(0);
    const bad = join(tempDir('kiosk-install-'), 'bad.json');
    writeFileSync(bad, JSON.stringify({ kiosk: { id: 'x' } }));
    const r = runScript('install-kiosk.sh', ['--dry-run', '--config', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('the example config is invalid');
  });
});

describe('scripts/install-central.sh', () => {
  it('--dry-run prints the plan, exits 0 and changes nothing', () => {
    const before = snapshot(touched);
    const r = runScript('install-central.sh', ['--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/check: .*central\.production\.example\.json: valid/);
    expect(r.stdout).toMatch(/(would run: useradd --system .* kiosk-central|unchanged: user kiosk-central exists)/);
    expect(r.stdout).toContain('would write: /etc/systemd/system/kiosk-central.service');
    expect(r.stdout).toMatch(/install -d -m 0750 -o kiosk-central -g kiosk-central \/var\/lib\/kiosk-central/);
    const un = runScript('install-central.sh', ['--dry-run', '--uninstall']);
    expect(un.code).toBe(0);
    expect(snapshot(touched)).toEqual(before);
  });
});

describe('the production example config', () => {
  const file = join(projectRoot, 'deploy/config/kiosk.production.example.json');

  it('passes the config schema (npx kiosk config check)', () => {
    const out = execFileSync('node', [join(projectRoot, 'bin/kiosk.js'), 'config', 'check', '--config', file], {
      encoding: 'utf8',
    });
    expect(out).toContain('valid');
  });

  it('uses real devices under their udev names, no simulators, no sandbox, data under /var/lib/kiosk', () => {
    const c = loadConfig(file);
    expect(c.dataDir).toBe('/var/lib/kiosk');
    expect(c.embedded.sandbox.enabled).toBe(false);
    expect(c.embedded.simulators.enabled).toBe(false);
    expect(c.embedded.central.enabled).toBe(false);
    expect(c.devices.idcard.transport).toMatchObject({ path: '/dev/kiosk-idcard' });
    expect(c.devices.printer.transport).toMatchObject({ path: '/dev/kiosk-printer' });
    expect(c.devices.gascard?.transport).toMatchObject({ path: '/dev/kiosk-gascard' });
    expect(c.devices.camera.source.kind).toBe('v4l2');
    expect(c.upstream.baseUrl).not.toMatch(/127\.0\.0\.1|localhost/);
    expect(c.central.url).toMatch(/^https:/);
    for (const name of ['idcard', 'printer', 'gascard'] as const) expect(c.deploy.usb[name]).toBeDefined();
    expect(c.selfcare.enabled).toBe(true);
  });
});

describe('install-lib.sh put_file', () => {
  it('is idempotent: a second identical write reports unchanged and leaves the file alone', () => {
    const dir = tempDir('kiosk-putfile-');
    const dest = join(dir, 'sub/file.txt');
    const script = `source ${join(projectRoot, 'scripts/install-lib.sh')}; PROG=t; printf 'hello\\n' | put_file ${dest} 0640 root:root`;
    const first = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    if (process.getuid?.() !== 0) return; // install -o root needs root; CI runs as root
    expect(first).toContain(`write: ${dest}`);
    expect(readFileSync(dest, 'utf8')).toBe('hello\n');
    const mtime = lstatSync(dest).mtimeMs;
    const second = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(second).toContain(`unchanged: ${dest}`);
    expect(lstatSync(dest).mtimeMs).toBe(mtime);
    const dry = execFileSync('bash', ['-c', `DRY_RUN=1; ${script.replace("'hello", "'changed")}`], { encoding: 'utf8' });
    expect(dry).toContain(`would write: ${dest}`);
    expect(readFileSync(dest, 'utf8')).toBe('hello\n');
    expect(existsSync(dest)).toBe(true);
  });
});

describe('installer scripts', () => {
  it('define no shell function that shadows a program they run (a function named install once made every install step recurse)', () => {
    for (const script of ['install-lib.sh', 'install-kiosk.sh', 'install-central.sh']) {
      const text = readFileSync(join(projectRoot, 'scripts', script), 'utf8');
      const functions = [...text.matchAll(/^([a-z_][a-z0-9_]*)\(\) \{/gm)].map((m) => m[1]!);
      expect(functions.length).toBeGreaterThan(0);
      for (const fn of functions) {
        const onPath = spawnSync(
          'bash',
          ['-c', `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin type -P ${fn}`],
          { encoding: 'utf8' },
        ).stdout.trim();
        expect(onPath, `${script}: function ${fn}() shadows ${onPath}`).toBe('');
      }
    }
  });

  it('pass bash -n', () => {
    for (const script of [
      'install-lib.sh',
      'install-kiosk.sh',
      'install-central.sh',
      '../deploy/kiosk-browser.sh',
      '../deploy/kiosk-screenshot.sh',
    ]) {
      const r = spawnSync('bash', ['-n', join(projectRoot, 'scripts', script)], { encoding: 'utf8' });
      expect(r.status, `${script}: ${r.stderr}`).toBe(0);
    }
  });
});

describe('a real install into an image root (--root), twice', () => {
  it('lays out every file, then changes nothing on a second run, keeps operator edits, and uninstalls', () => {
    if (process.getuid?.() !== 0) return; // owners are set with install -o; CI runs as root
    // A small checkout: the real scripts, deploy files, CLI and sources; node_modules linked; a stub build.
    const repo = tempDir('kiosk-install-repo-');
    for (const p of [
      'node_modules',
      'packages',
      'apps/agent',
      'apps/central',
      'apps/sandbox',
      'apps/simulators',
      'bin',
      'package.json',
      'apps/kiosk-ui/src',
      'apps/kiosk-ui/package.json',
    ]) {
      mkdirSync(dirname(join(repo, p)), { recursive: true });
      symlinkSync(join(projectRoot, p), join(repo, p));
    }
    cpSync(join(projectRoot, 'scripts'), join(repo, 'scripts'), { recursive: true });
    cpSync(join(projectRoot, 'deploy'), join(repo, 'deploy'), { recursive: true });
    mkdirSync(join(repo, 'dist'));
    writeFileSync(join(repo, 'dist/agent.mjs'), '// agent');
    writeFileSync(join(repo, 'dist/central.mjs'), '// central');
    mkdirSync(join(repo, 'apps/kiosk-ui/dist'), { recursive: true });
    writeFileSync(join(repo, 'apps/kiosk-ui/dist/index.html'), '<!doctype html>');
    const root = tempDir('kiosk-image-root-');
    const run = (...args: string[]) => {
      const r = spawnSync('bash', [join(repo, 'scripts/install-kiosk.sh'), '--root', root, ...args], {
        encoding: 'utf8',
        env: { ...process.env, KIOSK_USER: 'root' },
        timeout: 120_000,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      return r.stdout;
    };

    const first = run();
    const files = [
      'etc/kiosk/kiosk.json',
      'etc/udev/rules.d/70-kiosk.rules',
      'etc/polkit-1/rules.d/50-kiosk-browser.rules',
      'etc/chromium/policies/managed/kiosk.json',
      'etc/systemd/journald.conf.d/50-kiosk.conf',
      'etc/systemd/system/kiosk-agent.service',
      'etc/systemd/system/kiosk-browser.service',
      'opt/kiosk/dist/agent.mjs',
      'opt/kiosk/deploy/kiosk-browser.sh',
    ];
    for (const f of files) expect(existsSync(join(root, f)), `${f}\n${first}`).toBe(true);
    expect(readFileSync(join(root, 'etc/kiosk/kiosk.json'), 'utf8')).toBe(
      readFileSync(join(projectRoot, 'deploy/config/kiosk.production.example.json'), 'utf8'),
    );
    expect(readFileSync(join(root, 'etc/udev/rules.d/70-kiosk.rules'), 'utf8')).toContain('SYMLINK+="kiosk-printer"');
    expect((lstatSync(join(root, 'etc/kiosk/kiosk.json')).mode & 0o777).toString(8)).toBe('640');
    expect((lstatSync(join(root, 'var/lib/kiosk')).mode & 0o777).toString(8)).toBe('750');
    expect(first).toContain('not managed with --root: packages');

    const mtimes = files.filter((f) => f.startsWith('etc/')).map((f) => lstatSync(join(root, f)).mtimeMs);
    const second = run();
    expect(second, second).not.toMatch(/^(write|run): /m);
    expect(second).toMatch(/^unchanged: .*kiosk-agent\.service$/m);
    expect(files.filter((f) => f.startsWith('etc/')).map((f) => lstatSync(join(root, f)).mtimeMs)).toEqual(mtimes);

    // An operator's edit survives an update.
    const edited = readFileSync(join(root, 'etc/kiosk/kiosk.json'), 'utf8').replace(
      'CHANGE-ME-per-kiosk-secret-from-central',
      'a-real-secret-0123456789',
    );
    writeFileSync(join(root, 'etc/kiosk/kiosk.json'), edited);
    expect(run()).toContain('kept: ');
    expect(readFileSync(join(root, 'etc/kiosk/kiosk.json'), 'utf8')).toBe(edited);

    run('--uninstall');
    for (const f of ['etc/systemd/system/kiosk-agent.service', 'etc/udev/rules.d/70-kiosk.rules', 'opt/kiosk'])
      expect(existsSync(join(root, f)), f).toBe(false);
    expect(existsSync(join(root, 'etc/kiosk/kiosk.json'))).toBe(true);
    expect(existsSync(join(root, 'var/lib/kiosk'))).toBe(true);
    run('--uninstall', '--purge');
    for (const f of ['etc/kiosk', 'var/lib/kiosk', 'var/log/kiosk']) expect(existsSync(join(root, f)), f).toBe(false);
  }, 180_000);
});
