// `node --import tsx deploy/check-central-config.ts FILE`: validates a central config without
// starting central (used by scripts/install-central.sh, also in --dry-run).
import { CentralConfigError, loadCentralConfig } from '../apps/central/src/config.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: check-central-config.ts FILE\n');
  process.exit(2);
}
try {
  const c = loadCentralConfig(file);
  process.stdout.write(`${file}: valid (${c.kiosks.length} kiosk(s), ${c.dashboard.users.length} dashboard user(s))\n`);
} catch (err) {
  if (!(err instanceof CentralConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
