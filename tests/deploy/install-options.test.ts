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

describe('install_config', () => {
  it('installs the example, or keeps an existing config with the hint; warns while CHANGE-ME is left (dry run)', () => {
    const script = `source "$0"; PROG=t; DRY_RUN=1; USER_NAME=kiosk; d=$(mktemp -d); ETC=$d/etc; CONFIG=$ETC/k.json
      EXAMPLE=$d/ex.json; echo '{"secret":"CHANGE-ME"}' >"$EXAMPLE"
      install_config "hint A" "values: set them"; echo "source=$([[ $SOURCE_CONFIG == "$EXAMPLE" ]] && echo example)"
      mkdir -p "$ETC"; echo '{"secret":"s3cret"}' >"$CONFIG"
      install_config "hint B" "values: set them"; echo "source=$([[ $SOURCE_CONFIG == "$CONFIG" ]] && echo config)"
      rm -rf "$d"`;
    const out = spawnSync('bash', ['-c', script, lib], { encoding: 'utf8' }).stdout;
    const [first, second] = out.split(/source=example\n/);
    expect(first).toMatch(/would write: .*\/etc\/k\.json \(mode 0640, owner root:kiosk\)/);
    expect(first).toMatch(/WARNING: .*\/etc\/k\.json still has CHANGE-ME values: set them/);
    expect(second).toMatch(/kept: .*\/etc\/k\.json \(hint B\)/);
    expect(second).not.toContain('WARNING');
    expect(second).toContain('source=config');
  });
});
