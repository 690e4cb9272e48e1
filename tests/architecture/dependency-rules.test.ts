/**
 * The map's rules (tools/lint/dependency-cruiser.cjs) against a small tree that breaks each one:
 * a rule that cannot fire would let the real tree drift unnoticed. Runs the real depcruise with
 * the real config; `npm run lint` runs the same config over the project.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '@kiosk/kiosk-config';
import { tempDir } from '../helpers/config.js';

const depcruise = join(projectRoot, 'tools/lint/node_modules/.bin/depcruise');
const config = join(projectRoot, 'tools/lint/dependency-cruiser.cjs');

function tree(files: Record<string, string>): string {
  const root = tempDir('kiosk-depcruise-');
  const all: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
    'package.json': JSON.stringify({ name: 'fixture', type: 'module', workspaces: ['apps/*', 'packages/*'] }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function violations(root: string): string[] {
  const r = spawnSync(depcruise, ['--config', config, '--output-type', 'json', 'apps', 'packages'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (!r.stdout) throw new Error(`depcruise failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('dependency rules', () => {
  it('a clean tree passes', () => {
    const root = tree({
      'apps/agent/src/main.ts': "import { a } from './a.js';\nexport const main = a;\n",
      'apps/agent/src/a.ts': 'export const a = 1;\n',
      'packages/protocol-sam/src/frame.ts': "import { Buffer } from 'node:buffer';\nexport const frame = Buffer.alloc(0);\n",
    });
    expect(violations(root)).toEqual([]);
  }, 60_000);

  it('fires on a cycle, an app importing an app, a package importing an app, a relative path into a package, I/O in a protocol package and node built-ins in the UI', () => {
    const root = tree({
      // cycle
      'apps/agent/src/session.ts': "import { gas } from './gas.js';\nexport const session = () => gas;\n",
      'apps/agent/src/gas.ts': "import { session } from './session.js';\nexport const gas = () => session;\n",
      // app → app
      'apps/central/src/fleet.ts': "import { gas } from '../../agent/src/gas.js';\nexport const fleet = gas;\n",
      // package → app
      'packages/platform/src/log.ts': "import { gas } from '../../../apps/agent/src/gas.js';\nexport const log = gas;\n",
      // relative path into a package from an app
      'apps/sandbox/src/main.ts': "import { log } from '../../../packages/platform/src/log.js';\nexport const main = log;\n",
      // I/O in a protocol package
      'packages/protocol-sam/src/frame.ts': "import { readFileSync } from 'node:fs';\nexport const frame = readFileSync;\n",
      // Node built-in in the kiosk UI
      'apps/kiosk-ui/src/app.ts': "import { join } from 'node:path';\nexport const app = join;\n",
    });
    const found = violations(root);
    const rules = new Set(found.map((v) => v.split(':')[0]));
    expect([...rules].sort()).toEqual([
      'no-app-to-app',
      'no-circular',
      'no-package-to-app',
      'no-ui-to-node',
      'packages-by-name',
      'protocol-is-pure',
    ]);
    expect(found).toContain('no-app-to-app: apps/central/src/fleet.ts -> apps/agent/src/gas.ts');
    expect(found).toContain('protocol-is-pure: packages/protocol-sam/src/frame.ts -> fs');
  }, 60_000);
});
