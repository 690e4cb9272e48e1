#!/usr/bin/env node
// One-off tool of the workspace move (issue 13), kept while branches written against the old tree
// are merged: rewrites relative import specifiers in the named files from the old layout to the
// new one. A file's imports are resolved where the file USED to live, mapped through the move
// table, and written again from where it lives now; a target that landed in a package becomes the
// package's name. Specifiers that already resolve in the new tree are left alone, so running it
// twice changes nothing.
//   node scripts/rewrite-moved-imports.mjs FILE...
import { existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** old → new, most specific first. Exact files before folders. */
export const moves = [
  // platform: one implementation per cross-cutting concern
  ['device-agent/src/log.ts', 'packages/platform/src/log.ts'],
  ['device-agent/src/parent-watch.ts', 'packages/platform/src/parent-watch.ts'],
  ['device-agent/src/store/database.ts', 'packages/platform/src/database.ts'],
  ['device-agent/src/sandbox/time.ts', 'packages/platform/src/china-time.ts'],
  ['device-agent/src/privacy/mask.ts', 'packages/platform/src/mask.ts'],
  // kiosk-config: the kiosk.json every process on the kiosk reads
  ['device-agent/src/config/', 'packages/kiosk-config/src/'],
  ['device-agent/src/selfcare/config.ts', 'packages/kiosk-config/src/selfcare.ts'],
  // contracts: wire types shared by agent, UI, central, sandbox
  ['device-agent/src/services/contract.ts', 'packages/contracts/src/upstream.ts'],
  ['device-agent/src/monitor/protocol.ts', 'packages/contracts/src/heartbeat.ts'],
  ['device-agent/src/monitor/health.ts', 'packages/contracts/src/health.ts'],
  ['device-agent/src/monitor/figures.ts', 'packages/contracts/src/figures.ts'],
  ['device-agent/src/devices/status.ts', 'packages/contracts/src/device-status.ts'],
  // synthetic people: the sandbox's back ends and the simulated cards hold the same people
  ['device-agent/src/sandbox/synthetic.ts', 'packages/synthetic/src/people.ts'],
  ['device-agent/src/sandbox/idnumber.ts', 'packages/synthetic/src/idnumber.ts'],
  ['device-agent/src/sandbox/prng.ts', 'packages/synthetic/src/prng.ts'],
  ['simulators/idcard/profiles.ts', 'packages/synthetic/src/card-profiles.ts'],
  // the simulators' control API settles sandbox payments over HTTP
  ['device-agent/src/sandbox/payments-control.ts', 'apps/simulators/src/payments-control.ts'],
  ['device-agent/src/transport/', 'packages/transport/src/'],
  ['device-agent/src/devices/printer/glyphs/raster.ts', 'packages/protocol-escpos/src/glyph-raster.ts'],
  ['device-agent/src/devices/gascard/types.ts', 'packages/protocol-gascard/src/types.ts'],
  ['device-agent/src/session/view-model.ts', 'packages/contracts/src/session-view.ts'],
  ['device-agent/src/flows/views.ts', 'packages/contracts/src/record-views.ts'],
  ['device-agent/src/flows/gas-views.ts', 'packages/contracts/src/gas-views.ts'],
  ['device-agent/src/staff/view.ts', 'packages/contracts/src/staff-view.ts'],
  ['device-agent/src/sandbox/', 'apps/sandbox/src/'],
  ['device-agent/src/devices/idcard/protocol/', 'packages/protocol-sam/src/'],
  ['device-agent/src/devices/gascard/protocol/', 'packages/protocol-gascard/src/'],
  ['device-agent/src/devices/printer/escpos/', 'packages/protocol-escpos/src/'],
  ['device-agent/', 'apps/agent/'],
  ['kiosk-ui/', 'apps/kiosk-ui/'],
  ['central/', 'apps/central/'],
  ['simulators/', 'apps/simulators/src/'],
];

export function toNew(oldPath) {
  for (const [from, to] of moves) {
    if (from.endsWith('/') ? oldPath.startsWith(from) : oldPath === from) return to + oldPath.slice(from.length);
  }
  return oldPath;
}

export function toOld(newPath) {
  for (const [from, to] of moves) {
    if (to.endsWith('/') ? newPath.startsWith(to) : newPath === to) return from + newPath.slice(to.length);
  }
  return newPath;
}

const exts = ['.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.tsx'];

/** The file (new-tree path, repo-relative) a specifier written in the new tree names, if any. */
function resolveNew(spec, fromNewDir) {
  const base = posix.join(fromNewDir, spec);
  const stem = base.replace(/\.(js|mjs|jsx)$/, '');
  for (const cand of [base, ...exts.map((e) => stem + e)]) {
    const abs = join(root, cand);
    if (existsSync(abs) && statSync(abs).isFile()) return cand;
  }
  return undefined;
}

/** The file (new-tree path) a specifier written in the OLD tree names, if any. */
function resolveOld(spec, fromOldDir) {
  const base = posix.join(fromOldDir, spec);
  const stem = base.replace(/\.(js|mjs|jsx)$/, '');
  for (const cand of [base, ...exts.map((e) => stem + e)]) {
    const now = toNew(cand);
    const abs = join(root, now);
    if (existsSync(abs) && statSync(abs).isFile()) return now;
  }
  return undefined;
}

function packageOf(p) {
  const m = /^packages\/([^/]+)\/src\/(.*)$/.exec(p);
  return m ? { name: m[1], inner: m[2] } : undefined;
}

function rewriteSpecifier(spec, fileNew) {
  const fromNewDir = posix.dirname(fileNew);
  const fromOldDir = posix.dirname(toOld(fileNew));
  const target = resolveOld(spec, fromOldDir);
  if (!target) return spec;
  const here = resolveNew(spec, fromNewDir);
  if (here === target) return spec;
  const pkg = packageOf(target);
  const ownPkg = packageOf(fileNew);
  if (pkg && pkg.name !== ownPkg?.name) {
    // contracts is imported by subpath so a browser bundle never pulls in another module's imports.
    if (pkg.name === 'contracts') return `@kiosk/contracts/${pkg.inner.replace(/\.tsx?$/, '')}`;
    return `@kiosk/${pkg.name}`;
  }
  let rel = posix.relative(fromNewDir, target);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  const hadJs = /\.(js|mjs)$/.test(spec);
  const hadTs = /\.tsx?$/.test(spec);
  const stem = rel.replace(/\.(tsx?|mts|js|mjs)$/, '');
  if (hadTs) return rel;
  if (spec.endsWith('/')) return posix.dirname(rel) + '/';
  if (/\/index\.tsx?$/.test(target) && !/index(\.js)?$/.test(spec)) return posix.dirname(stem);
  return hadJs ? `${stem}${target.endsWith('.mjs') ? '.mjs' : '.js'}` : stem;
}

const importish = /((?:\bfrom|\bimport|\bimport\(|\bvi\.mock\(|\bvi\.importActual\(|\brequire\()\s*)(['"])(\.{1,2}\/[^'"\n]+)\2/g;

export function rewriteFile(fileNew) {
  const abs = join(root, fileNew);
  const text = readFileSync(abs, 'utf8');
  const next = text.replace(importish, (all, lead, q, spec) => `${lead}${q}${rewriteSpecifier(spec, fileNew)}${q}`);
  if (next !== text) writeFileSync(abs, next);
  return next !== text;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let changed = 0;
  for (const f of process.argv.slice(2)) {
    if (!/\.(ts|tsx|mts|mjs|js)$/.test(f) || !existsSync(join(root, f))) continue;
    if (rewriteFile(relative(root, resolve(f)).split('\\').join('/'))) changed++;
  }
  console.log(`rewrote imports in ${changed} file(s)`);
}
