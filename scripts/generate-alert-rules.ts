/**
 * `npx tsx scripts/generate-alert-rules.ts [--check]`: writes config/alert-rules.yml from central's
 * shared alert thresholds; with --check it only says whether the file is up to date (exit 1 if not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';
import { alertRulesYaml } from '../apps/central/src/alerting/rules-file.js';

const file = resolve(projectRoot, 'config/alert-rules.yml');
const want = alertRulesYaml();
if (process.argv.includes('--check')) {
  let have = '';
  try {
    have = readFileSync(file, 'utf8');
  } catch {
    // missing counts as out of date
  }
  if (have !== want) {
    process.stderr.write(`${file} is out of date: run npx tsx scripts/generate-alert-rules.ts\n`);
    process.exit(1);
  }
} else {
  writeFileSync(file, want);
  process.stdout.write(`wrote ${file}\n`);
}
