// The option parser both installers share (scripts/install-lib.sh parse_install_options).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const lib = join(import.meta.dirname, '../../scripts/install-lib.sh');

function parse(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const script = `source "$0"; PROG=t; parse_install_options /default.json "$@"; echo "root=$ROOT example=$EXAMPLE uninstall=$UNINSTALL purge=$PURGE dry=$DRY_RUN"`;
  const r = spawnSync('bash', ['-c', script, lib, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

describe('parse_install_options', () => {
  it('defaults, then every option in both spellings', () => {
    expect(parse().stdout).toBe('root= example=/default.json uninstall=0 purge=0 dry=0');
    expect(parse('--dry-run', '--config', '/a.json', '--root', '/mnt/img').stdout).toBe(
      'root=/mnt/img example=/a.json uninstall=0 purge=0 dry=1',
    );
    expect(parse('--config=/b.json', '--uninstall', '--purge').stdout).toBe('root= example=/b.json uninstall=1 purge=1 dry=0');
  });

  it('an unknown option or a missing value fails with the reason', () => {
    const bad = parse('--frobnicate');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('t: unknown option --frobnicate');
    const noRoot = parse('--root');
    expect(noRoot.status).not.toBe(0);
    expect(noRoot.stderr).toContain('--root needs a directory');
  });
});

describe('remove_path / remove_user (uninstall)', () => {
  it('a dry run names rm -rf for a directory, rm -f for a file, and says what is absent; --root leaves the user alone', () => {
    const script = `source "$0"; PROG=t; DRY_RUN=1; d=$(mktemp -d); touch "$d/f"; remove_path "$d/sub" "$d/f" "$d"; ROOT=/img; remove_user nobody; rm -rf "$d"`;
    const r = spawnSync('bash', ['-c', script, lib], { encoding: 'utf8' });
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^unchanged: \/.*\/sub absent$/);
    expect(lines[1]).toMatch(/^would run: rm -f \/.*\/f$/);
    expect(lines[2]).toMatch(/^would run: rm -rf \/.*$/);
    expect(lines[3]).toBe('not managed with --root: user nobody');
  });
});
