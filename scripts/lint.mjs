#!/usr/bin/env node
// `npm run lint`: every guardrail in one run, each reported, non-zero if any failed.
//   ESLint + typescript-eslint (type-aware), dependency-cruiser (the map's rules), knip (unused
//   files, exports, dependencies), Prettier (format). The tools live in tools/lint (see
//   scripts/install-lint-tools.mjs for why).
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'tools/lint/node_modules/.bin', name);
const only = process.argv.slice(2);

const steps = [
  [
    'eslint',
    bin('eslint'),
    ['--config', 'tools/lint/eslint.config.js', '--max-warnings', '0', 'apps', 'packages', 'tests', 'scripts', 'bench', 'bin'],
  ],
  [
    'dependency-cruiser',
    bin('depcruise'),
    ['--config', 'tools/lint/dependency-cruiser.cjs', 'apps', 'packages', 'bin', 'scripts'],
  ],
  ['knip', bin('knip'), ['--config', 'tools/lint/knip.json', '--no-progress']],
  [
    'prettier',
    bin('prettier'),
    ['--config', 'tools/lint/prettier.json', '--ignore-path', 'tools/lint/prettierignore', '--check', '--log-level', 'warn', '.'],
  ],
];

let failed = 0;
for (const [name, cmd, args] of steps) {
  if (only.length && !only.includes(name)) continue;
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  const ok = r.status === 0;
  if (!ok) failed++;
  process.stdout.write(
    `lint: ${name} ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}
process.exit(failed ? 1 : 0);
