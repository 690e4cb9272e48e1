import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { configPathFrom, loadConfig, ConfigError } from '@kiosk/kiosk-config';
import type { CliCommand } from '@kiosk/platform';

export const configCommands: CliCommand[] = [
  {
    path: ['config', 'check'],
    summary: 'validate a kiosk config file without starting anything',
    usage: 'kiosk config check [--config PATH]\n  Uses --config, else KIOSK_CONFIG, else config/kiosk.default.json.\n  Exit 0 and a summary when valid; exit 1 with the bad field and why.',
    async run(args) {
      const path = configPathFrom(args, process.env);
      try {
        const c = loadConfig(path);
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
        process.stdout.write(`${path}: valid (kiosk ${c.kiosk.id}, config hash ${hash})\n`);
        return 0;
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`${err.message}\n`);
          return 1;
        }
        throw err;
      }
    },
  },
];
