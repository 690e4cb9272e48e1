#!/usr/bin/env node
// Installs the lint tools (tools/lint: ESLint + typescript-eslint, dependency-cruiser, knip,
// Prettier) after the root `npm install`. They live apart with their own lockfile because
// typescript-eslint and dependency-cruiser need TypeScript's JS API, which the project's compiler
// (TypeScript 7) no longer ships; as workspace packages npm would hoist them next to TypeScript 7.
// Skips the install when tools/lint/node_modules was installed from the same lockfile.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'tools/lint');
const stamp = join(dir, 'node_modules/.installed-from');
const hash = createHash('sha256')
  .update(readFileSync(join(dir, 'package-lock.json')))
  .digest('hex');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) process.exit(0);
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
writeFileSync(stamp, hash);
