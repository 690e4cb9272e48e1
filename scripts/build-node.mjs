#!/usr/bin/env node
// Bundles the Node processes into dist/ so a kiosk runs plain JavaScript: no TypeScript loader at
// start-up (tsx costs ~0.6 s per process on this hardware). Dependencies stay in node_modules.
import { build } from 'esbuild';
import { externalDependencies } from './external-dependencies.mjs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const entryPoints = {
  start: 'scripts/start.ts',
  agent: 'apps/agent/src/main.ts',
  sandbox: 'apps/sandbox/src/main.ts',
  central: 'apps/central/src/main.ts',
  simulators: 'apps/simulators/src/main.ts',
};

await build({
  absWorkingDir: root,
  entryPoints,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [externalDependencies],
  sourcemap: true,
  logLevel: 'warning',
});
